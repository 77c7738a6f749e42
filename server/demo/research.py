"""The demo's joint research (Art. 5(4), 16(7), 17(3)): the project group's national topic,
and in each community a year or more into its cycle a sub-topic its leader registered two
months in, which the project group approved a month later, with a progress report since;
but where the data set says the review is still to come, that one is pending, which the
audit warns of."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.communities.models import Community
from server.research.models import ResearchTopic, SubTopic, TopicReport
from server.research.rules import JOINT_RESEARCH_DAYS
from server.units.models import Unit
from server.vocabulary import SubTopicStatus, Theme, TopicStage

NATIONAL_TOPIC = "区域协同服务全民终身学习实践研究"
REGISTERED_AFTER = dt.timedelta(days=60)
REVIEWED_AFTER = dt.timedelta(days=90)
REPORTED_AFTER = dt.timedelta(days=300)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), dt.UTC)


async def national_topic(session: AsyncSession, opened_by: int, year: int) -> ResearchTopic:
    """The national topic, opened once."""
    found = await session.scalar(select(ResearchTopic).where(ResearchTopic.title == NATIONAL_TOPIC))
    if found is not None:
        return found
    topic = ResearchTopic(
        title=NATIONAL_TOPIC,
        year=year,
        description="项目组总课题：各共同体围绕所选项目申报子课题，协同开展实践研究。",
        opened_by=opened_by,
    )
    session.add(topic)
    await session.flush()
    return topic


async def carry_research(
    session: AsyncSession,
    community: Community,
    themes: Sequence[Theme],
    units: Sequence[Unit],
    topic: ResearchTopic,
    registered_by: int,
    reviewed_by: int,
    awaits_review: bool,
    today: dt.date,
) -> None:
    """The community's sub-topic, once it is a year into its cycle (before then the rule
    expects none, and the demo shows a community still choosing its research)."""
    if today < community.cycle_start + dt.timedelta(days=JOINT_RESEARCH_DAYS):
        return
    registered = community.cycle_start + REGISTERED_AFTER
    leader, *others = units
    sub_topic = SubTopic(
        community_id=community.id,
        topic_id=topic.id,
        unit_id=leader.id,
        title=f"{themes[0].zh}的区域协同实践研究",
        leader_name=leader.responsible_person or leader.name,
        member_unit_ids=[u.id for u in others[:3]],
        plan="第一年调研现状、梳理经验；第二年在成员单位试点；第三年总结推广，形成研究报告与典型案例。",
        status=SubTopicStatus.PENDING if awaits_review else SubTopicStatus.APPROVED,
        registered_by=registered_by,
        created_at=_at(registered),
    )
    if not awaits_review:
        sub_topic.review_comment = "同意立项，请按计划推进。"
        sub_topic.reviewed_by = reviewed_by
        sub_topic.reviewed_at = _at(community.cycle_start + REVIEWED_AFTER)
    session.add(sub_topic)
    await session.flush()
    if not awaits_review and community.cycle_start + REPORTED_AFTER < today:
        session.add(
            TopicReport(
                community_id=community.id,
                sub_topic_id=sub_topic.id,
                stage=TopicStage.PROGRESS,
                body="已完成现状调研，各成员单位分工明确，试点方案已制定。",
                submitted_by=registered_by,
                created_at=_at(community.cycle_start + REPORTED_AFTER),
            )
        )
        await session.flush()
