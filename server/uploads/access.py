"""Who may read an upload: whoever uploaded it, the project group, and whoever may read the
object it is attached to (an application it is evidence for). Everyone else is told it does not
exist, so an id reveals nothing."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.access.guard import Guard
from server.admission.models import Application, ApplicationCondition
from server.admission.queries import may_read_application
from server.errors import AccessError, ErrorCode
from server.uploads.models import Upload


async def may_read(session: AsyncSession, guard: Guard, upload: Upload) -> bool:
    if guard.actor is None:
        return False
    if upload.owner_user_id == guard.actor.user_id or guard.is_project_group:
        return True
    applications = await session.scalars(
        select(Application)
        .join(ApplicationCondition, ApplicationCondition.application_id == Application.id)
        .where(ApplicationCondition.upload_id == upload.id)
    )
    return any(may_read_application(guard, a) for a in applications)


async def readable(session: AsyncSession, guard: Guard, upload_id: int) -> Upload:
    """The upload, or NOT_FOUND for one that is missing or not this reader's to see."""
    upload = await session.get(Upload, upload_id)
    if upload is None or not await may_read(session, guard, upload):
        raise AccessError(ErrorCode.NOT_FOUND, "附件不存在", "no such upload")
    return upload
