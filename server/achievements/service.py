"""Achievements (成果, Art. 6b, 16(6)): submitted and edited by a community's leader or
deputies (for the community or one of its active member units), by a member unit's staff for
their own unit, and by the project group; each kept to its community, shared with all
communities, or public. Their files are uploads checked here, so that whoever may read an
achievement may download its files (`server/uploads/access.py`) and nobody else."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Actor, Guard, forbidden
from server.accounts.service import works_for
from server.achievements import rules
from server.achievements.models import Achievement
from server.audit.service import record
from server.communities.service import active_membership
from server.errors import ErrorCode, UserFacingError, not_found
from server.research.models import SubTopic
from server.research.rules import CARRIED
from server.uploads.models import Upload
from server.vocabulary import AchievementKind, Visibility


@dataclass(frozen=True)
class Written:
    """What a submission or an edit says; None: not given (an edit leaves it as it is)."""

    title: str | None = None
    summary: str | None = None
    authors: Sequence[str] | None = None
    sub_topic_id: int | None = None
    upload_ids: Sequence[int] | None = None
    links: Sequence[str] | None = None
    subject: str | None = None
    audience: str | None = None
    format: str | None = None


async def _writer(
    session: AsyncSession, guard: Guard, community_id: int, unit_id: int | None
) -> Actor:
    """The leader, a deputy or the project group for any of the community's achievements; a
    unit's staff for their own unit's. FORBIDDEN otherwise."""
    actor = guard.signed_in()
    if guard.allows(Permission.ACHIEVEMENT_WRITE, community_id):
        return actor
    if await works_for(session, actor.user_id, unit_id):
        return actor
    raise forbidden()


async def _owner_unit(session: AsyncSession, community_id: int, unit_id: int | None) -> None:
    if unit_id is not None and await active_membership(session, community_id, unit_id) is None:
        raise UserFacingError(
            ErrorCode.NOT_FOUND,
            "该单位不是本共同体的在册成员单位",
            "the unit is not an active member of the community",
            "unitId",
        )


async def _sub_topic(session: AsyncSession, community_id: int, sub_topic_id: int) -> None:
    """The community's own sub-topic (another's is NOT_FOUND), approved or concluded."""
    sub_topic = await session.get(SubTopic, (community_id, sub_topic_id))
    if sub_topic is None:
        raise UserFacingError(
            ErrorCode.NOT_FOUND, "子课题不存在", "no such sub-topic", "subTopicId"
        )
    if sub_topic.status not in CARRIED:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"该子课题{sub_topic.status.zh}，立项后方可关联成果",
            f"the sub-topic is {sub_topic.status.en.lower()}; achievements follow approval",
            "subTopicId",
        )


async def _files(
    session: AsyncSession, actor: Actor, upload_ids: Sequence[int], kept: Sequence[int]
) -> list[int]:
    """Uploads the writer sent, or files the achievement had already (a deputy's file stays
    when the leader edits it); NOT_FOUND for any other, as `GET /uploads/{id}` would answer."""
    wanted = list(dict.fromkeys(upload_ids))
    if error := rules.files_error(wanted):
        raise error
    if not wanted:
        return []
    found = {u.id: u for u in await session.scalars(select(Upload).where(Upload.id.in_(wanted)))}
    for upload_id in wanted:
        upload = found.get(upload_id)
        if upload is None or (upload.owner_user_id != actor.user_id and upload_id not in kept):
            raise UserFacingError(ErrorCode.NOT_FOUND, "附件不存在", "no such file", "uploadIds")
    return wanted


async def submit_achievement(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    kind: AchievementKind,
    unit_id: int | None,
    visibility: Visibility,
    written: Written,
) -> Achievement:
    """An achievement of the community, or of one of its active member units."""
    actor = await _writer(session, guard, community_id, unit_id)
    await _owner_unit(session, community_id, unit_id)
    title = rules.required(written.title, "title", "请填写成果名称", "a title is required")
    summary = rules.required(written.summary, "summary", "请填写成果简介", "a summary is required")
    authors = rules.authors_of(written.authors or ())
    links = rules.links_of(written.links or ())
    course = rules.course_fields(
        kind,
        {"subject": written.subject, "audience": written.audience, "format": written.format},
    )
    if written.sub_topic_id is not None:
        await _sub_topic(session, community_id, written.sub_topic_id)
    files = await _files(session, actor, written.upload_ids or (), ())
    achievement = Achievement(
        community_id=community_id,
        kind=kind,
        unit_id=unit_id,
        title=title,
        summary=summary,
        authors=authors,
        sub_topic_id=written.sub_topic_id,
        upload_ids=files,
        links=links,
        visibility=visibility,
        submitted_by=actor.user_id,
        **course,
    )
    session.add(achievement)
    await session.flush()
    await _record(session, actor, achievement, "achievement.submit")
    return achievement


async def update_achievement(
    session: AsyncSession, guard: Guard, community_id: int, achievement_id: int, written: Written
) -> Achievement:
    """Changes what is given; the kind, the owner and the visibility stay (the visibility has
    its own mutation)."""
    achievement, actor = await _editable(session, guard, community_id, achievement_id)
    if written.title is not None:
        achievement.title = rules.required(
            written.title, "title", "请填写成果名称", "a title is required"
        )
    if written.summary is not None:
        achievement.summary = rules.required(
            written.summary, "summary", "请填写成果简介", "a summary is required"
        )
    if written.authors is not None:
        achievement.authors = rules.authors_of(written.authors)
    if written.links is not None:
        achievement.links = rules.links_of(written.links)
    given = {"subject": written.subject, "audience": written.audience, "format": written.format}
    if any(v is not None for v in given.values()):
        now = {"subject": achievement.subject, "audience": achievement.audience}
        now["format"] = achievement.format
        course = rules.course_fields(
            achievement.kind, {k: now[k] if v is None else v for k, v in given.items()}
        )
        achievement.subject = course["subject"]
        achievement.audience = course["audience"]
        achievement.format = course["format"]
    if written.sub_topic_id is not None:
        await _sub_topic(session, community_id, written.sub_topic_id)
        achievement.sub_topic_id = written.sub_topic_id
    if written.upload_ids is not None:
        achievement.upload_ids = await _files(
            session, actor, written.upload_ids, achievement.upload_ids
        )
    achievement.updated_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await _record(session, actor, achievement, "achievement.update")
    return achievement


async def set_visibility(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    achievement_id: int,
    visibility: Visibility,
) -> Achievement:
    """Keeps it to the community, shares it with every community, or makes it public."""
    achievement, actor = await _editable(session, guard, community_id, achievement_id)
    before = achievement.visibility
    achievement.visibility = visibility
    achievement.updated_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await _record(
        session, actor, achievement, "achievement.visibility", {"visibility": before.value}
    )
    return achievement


async def link_outputs(
    session: AsyncSession, community_id: int, sub_topic_id: int, achievement_ids: Sequence[int]
) -> list[int]:
    """A sub-topic's report names its outputs: the community's achievements (another's, or
    none, is NOT_FOUND), each from no other sub-topic; they now come from this one."""
    wanted = list(dict.fromkeys(achievement_ids))
    if not wanted:
        return []
    found = {
        a.id: a
        for a in await session.scalars(
            select(Achievement)
            .where(Achievement.community_id == community_id, Achievement.id.in_(wanted))
            .with_for_update()
        )
    }
    for achievement_id in wanted:
        achievement = found.get(achievement_id)
        if achievement is None:
            raise UserFacingError(
                ErrorCode.NOT_FOUND, "成果不存在", "no such achievement", "achievementIds"
            )
        if achievement.sub_topic_id not in (None, sub_topic_id):
            raise UserFacingError(
                ErrorCode.INVALID_INPUT,
                f"成果“{achievement.title}”已是另一子课题的成果",
                f"the achievement “{achievement.title}” is another sub-topic's",
                "achievementIds",
            )
        achievement.sub_topic_id = sub_topic_id
    return wanted


async def _editable(
    session: AsyncSession, guard: Guard, community_id: int, achievement_id: int
) -> tuple[Achievement, Actor]:
    """The achievement, locked, and its writer; outsiders are FORBIDDEN before they learn
    whether it exists."""
    guard.require(Permission.TENANT_READ, community_id)
    achievement = await session.get(
        Achievement, (community_id, achievement_id), with_for_update=True
    )
    if achievement is None:
        raise not_found("成果", "achievement")
    return achievement, await _writer(session, guard, community_id, achievement.unit_id)


async def _record(
    session: AsyncSession,
    actor: Actor,
    achievement: Achievement,
    action: str,
    before: dict[str, object] | None = None,
) -> None:
    await record(
        session,
        actor_user_id=actor.user_id,
        action=action,
        target_type="Achievement",
        target_id=achievement.id,
        community_id=achievement.community_id,
        before=before,
        after={
            "kind": achievement.kind.value,
            "title": achievement.title,
            "visibility": achievement.visibility.value,
            "unit_id": achievement.unit_id,
            "sub_topic_id": achievement.sub_topic_id,
            "uploads": achievement.upload_ids,
        },
    )
