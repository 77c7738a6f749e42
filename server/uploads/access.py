"""Who may read an upload: whoever uploaded it, the project group, whoever may read the
application it is evidence for, and whoever records the attendance of the community activity
it is the sign-in sheet of. Everyone else is told it does not exist, so an id reveals nothing."""

from sqlalchemy import exists, select

from policies.permissions import Permission
from server.access.guard import Guard
from server.activities.models import SignInSheet
from server.admission.models import Application, ApplicationCondition
from server.admission.queries import may_read_application
from server.db import Database
from server.errors import AccessError, ErrorCode
from server.uploads.models import Upload


async def readable(database: Database, guard: Guard, upload_id: int) -> Upload:
    """The upload, or NOT_FOUND for one that is missing or not this reader's to see."""
    async with database.transaction() as session:
        upload = await session.get(Upload, upload_id)
    if upload is None or not await may_read(database, guard, upload):
        raise AccessError(ErrorCode.NOT_FOUND, "附件不存在", "no such upload")
    return upload


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
    return False
