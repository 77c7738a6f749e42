"""Joint research: the project group opens the national topic and reviews sub-topics; a
community's leader or deputies register sub-topics under it and report on them."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Guard
from server.achievements.service import link_outputs
from server.audit.service import record
from server.communities.models import Membership
from server.errors import ErrorCode, UserFacingError, not_found
from server.research import rules
from server.research.models import ResearchTopic, SubTopic, TopicReport
from server.vocabulary import MembershipStatus, ReviewDecision, SubTopicStatus, TopicStage


async def open_research_topic(
    session: AsyncSession, guard: Guard, title: str, year: int, description: str | None
) -> ResearchTopic:
    """总课题, by the project group (Art. 17(3))."""
    actor = guard.require(Permission.TOPIC_OPEN)
    written = rules.required(title, "title", "请填写课题名称", "a title is required")
    if error := rules.year_error(year):
        raise error
    topic = ResearchTopic(
        title=written,
        year=year,
        description=(description or "").strip() or None,
        opened_by=actor.user_id,
    )
    session.add(topic)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="research_topic.open",
        target_type="ResearchTopic",
        target_id=topic.id,
        after={"title": topic.title, "year": year},
    )
    return topic


async def _active_members(session: AsyncSession, community_id: int) -> set[int]:
    return set(
        (
            await session.scalars(
                select(Membership.unit_id).where(
                    Membership.community_id == community_id,
                    Membership.status == MembershipStatus.ACTIVE,
                )
            )
        ).all()
    )


def _not_member(field: str) -> UserFacingError:
    return UserFacingError(
        ErrorCode.NOT_FOUND,
        "该单位不是本共同体的在册成员单位",
        "the unit is not an active member of the community",
        field,
    )


async def register_sub_topic(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    topic_id: int,
    unit_id: int | None,
    title: str,
    leader_name: str,
    member_unit_ids: Sequence[int],
    plan: str,
) -> SubTopic:
    """子课题 under a national topic, for the community or one of its active member units,
    carried with other active member units; pending until the project group reviews it."""
    actor = guard.require(Permission.SUB_TOPIC_REGISTER, community_id)
    if await session.get(ResearchTopic, topic_id) is None:
        raise UserFacingError(
            ErrorCode.NOT_FOUND, "总课题不存在", "no such national topic", "topicId"
        )
    written_title = rules.required(title, "title", "请填写子课题名称", "a title is required")
    leader = rules.required(
        leader_name, "leaderName", "请填写子课题负责人", "the sub-topic's leader is required"
    )
    written_plan = rules.required(plan, "plan", "请填写研究计划", "a research plan is required")
    members = await _active_members(session, community_id)
    if unit_id is not None and unit_id not in members:
        raise _not_member("unitId")
    if set(member_unit_ids) - members:
        raise _not_member("memberUnitIds")
    sub_topic = SubTopic(
        community_id=community_id,
        topic_id=topic_id,
        unit_id=unit_id,
        title=written_title,
        leader_name=leader,
        member_unit_ids=list(dict.fromkeys(member_unit_ids)),
        plan=written_plan,
        status=SubTopicStatus.PENDING,
        registered_by=actor.user_id,
    )
    session.add(sub_topic)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="sub_topic.register",
        target_type="SubTopic",
        target_id=sub_topic.id,
        community_id=community_id,
        after={"topic_id": topic_id, "title": sub_topic.title, "unit_id": unit_id},
    )
    return sub_topic


async def _locked(session: AsyncSession, community_id: int, sub_topic_id: int) -> SubTopic:
    sub_topic = await session.get(SubTopic, (community_id, sub_topic_id), with_for_update=True)
    if sub_topic is None:
        raise not_found("子课题", "sub-topic")
    return sub_topic


async def review_sub_topic(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    sub_topic_id: int,
    decision: ReviewDecision,
    comment: str | None,
) -> SubTopic:
    """The project group approves (立项) or rejects a pending sub-topic."""
    actor = guard.require(Permission.SUB_TOPIC_REVIEW, community_id)
    sub_topic = await _locked(session, community_id, sub_topic_id)
    if error := rules.review_error(sub_topic.status, decision, comment):
        raise error
    before = sub_topic.status
    sub_topic.status = rules.reviewed(decision)
    sub_topic.review_comment = (comment or "").strip() or None
    sub_topic.reviewed_by = actor.user_id
    sub_topic.reviewed_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="sub_topic.review",
        target_type="SubTopic",
        target_id=sub_topic.id,
        community_id=community_id,
        before={"status": before.value},
        after={"status": sub_topic.status.value, "comment": sub_topic.review_comment},
    )
    return sub_topic


async def submit_topic_report(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    sub_topic_id: int,
    stage: TopicStage,
    body: str,
    achievement_ids: Sequence[int],
) -> tuple[SubTopic, TopicReport]:
    """A progress or conclusion report on an approved sub-topic, by the community's leader or
    deputies; the conclusion closes it. The achievements it names are the sub-topic's
    outputs (Art. 6b): each then comes from this sub-topic."""
    guard.require(Permission.TENANT_READ, community_id)  # outsiders learn nothing
    actor = guard.require(Permission.TOPIC_REPORT_SUBMIT, community_id)
    sub_topic = await _locked(session, community_id, sub_topic_id)
    if error := rules.report_error(sub_topic.status):
        raise error
    written = rules.required(body, "body", "请填写报告正文", "the report's body is required")
    outputs = await link_outputs(session, community_id, sub_topic.id, achievement_ids)
    report = TopicReport(
        community_id=community_id,
        sub_topic_id=sub_topic.id,
        stage=stage,
        body=written,
        submitted_by=actor.user_id,
        achievement_ids=outputs,
    )
    session.add(report)
    sub_topic.status = rules.after_report(stage)
    if sub_topic.status is SubTopicStatus.CONCLUDED:
        sub_topic.concluded_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="sub_topic.report",
        target_type="SubTopic",
        target_id=sub_topic.id,
        community_id=community_id,
        after={
            "stage": stage.value,
            "report_id": report.id,
            "status": sub_topic.status.value,
            "achievements": outputs,
        },
    )
    return sub_topic, report
