"""Who may read an upload: anyone, signed in or not, while a published news item, a
community's profile or a public achievement shows it (a picture of a public page, a file of
the public library); otherwise whoever uploaded it, the project group, whoever may read the
application it is evidence for or the achievement it is a file of (an expert too, for an
achievement assigned to it to review), whoever records the
attendance of the community activity it is the sign-in sheet of, and whoever writes the news
of a community whose item shows it (a draft's pictures). Everyone else is told it does not
exist, so an id reveals nothing."""

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Guard
from server.achievements.models import Achievement
from server.achievements.queries import shows_upload as achievement_shows_upload
from server.achievements.rules import reads_shared
from server.activities.models import SignInSheet
from server.admission.models import Application, ApplicationCondition
from server.admission.queries import may_read_application
from server.communities.models import Community
from server.db import Database
from server.errors import AccessError, ErrorCode
from server.evaluation.models import Nomination, ReviewAssignment
from server.news.models import News
from server.news.queries import shows_upload
from server.uploads.models import Upload
from server.vocabulary import Visibility


async def readable(database: Database, guard: Guard, upload_id: int) -> tuple[Upload, bool]:
    """The upload and whether it is public; UNAUTHENTICATED for an anonymous reader of one
    that is not, NOT_FOUND for one that is missing or not this reader's to see."""
    # No tenant: row-level security shows this transaction published news only.
    async with database.transaction() as session:
        upload = await session.get(Upload, upload_id)
        public = upload is not None and await shown_publicly(session, upload_id)
    if upload is not None and public:
        return upload, True
    guard.signed_in()
    if upload is None or not await may_read(database, guard, upload):
        raise AccessError(ErrorCode.NOT_FOUND, "附件不存在", "no such upload")
    return upload, False


async def shown_publicly(session: AsyncSession, upload_id: int) -> bool:
    """A published news item's picture, a community's logo, banner or introduction's, or a
    public achievement's file."""
    if await session.scalar(shows_upload(upload_id)):
        return True
    if await session.scalar(achievement_shows_upload(upload_id)):
        return True
    in_profile = Community.profile_upload_ids.contains([upload_id])
    return bool(await session.scalar(select(exists().where(in_profile))))


async def may_read(database: Database, guard: Guard, upload: Upload) -> bool:
    if guard.actor is None:
        return False
    if upload.owner_user_id == guard.actor.user_id or guard.is_project_group:
        return True
    async with database.transaction() as session:
        applications = await session.scalars(
            select(Application)
            .join(ApplicationCondition, ApplicationCondition.application_id == Application.id)
            .where(ApplicationCondition.upload_id == upload.id)
        )
        if any(may_read_application(guard, a) for a in applications):
            return True
    # One transaction per community, each under its own row-level security: a reader is in
    # one community or a few.
    for community_id in guard.communities(Permission.ATTENDANCE_RECORD):
        async with database.transaction(community_id) as session:
            if await session.scalar(
                select(
                    exists().where(
                        SignInSheet.community_id == community_id,
                        SignInSheet.upload_id == upload.id,
                    )
                )
            ):
                return True
    if await _achievement_file(database, guard, upload):
        return True
    for community_id in guard.communities(Permission.NEWS_WRITE):
        async with database.transaction(community_id) as session:
            if await session.scalar(
                select(
                    exists().where(
                        News.community_id == community_id, News.upload_ids.contains([upload.id])
                    )
                )
            ):
                return True
    return False


async def _achievement_file(database: Database, guard: Guard, upload: Upload) -> bool:
    """A file of an achievement the reader may read (`server/achievements/rules.py`): one
    shared with all communities, or any of a community whose business the reader reads."""
    holds = Achievement.upload_ids.contains([upload.id])
    if reads_shared(guard):
        async with database.transaction(all_communities=True) as session:
            shared = Achievement.visibility == Visibility.ALL_COMMUNITIES
            if await session.scalar(select(exists().where(holds, shared))):
                return True
    for community_id in guard.communities(Permission.TENANT_READ):
        async with database.transaction(community_id) as session:
            if await session.scalar(
                select(exists().where(Achievement.community_id == community_id, holds))
            ):
                return True
    return await _reviewed_file(database, guard, upload)


async def _reviewed_file(database: Database, guard: Guard, upload: Upload) -> bool:
    """A file of an achievement nominated to a round and assigned to this expert to review
    (Art. 17(4)), whatever its visibility and whichever community it is of."""
    if guard.actor is None or not guard.allows(Permission.ACHIEVEMENT_REVIEW):
        return False
    assigned = (
        select(Achievement.id)
        .join(
            Nomination,
            (Nomination.community_id == Achievement.community_id)
            & (Nomination.achievement_id == Achievement.id),
        )
        .join(
            ReviewAssignment,
            (ReviewAssignment.community_id == Nomination.community_id)
            & (ReviewAssignment.nomination_id == Nomination.id),
        )
        .where(
            ReviewAssignment.expert_user_id == guard.actor.user_id,
            Achievement.upload_ids.contains([upload.id]),
        )
    )
    async with database.transaction(all_communities=True) as session:
        return bool(await session.scalar(select(assigned.exists())))
