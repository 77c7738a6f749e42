import datetime as dt

import strawberry

from schema.core import ids
from schema.core.context import Context
from schema.core.node import Node, fetches
from server.uploads import access
from server.uploads.models import Upload as UploadRow


@strawberry.type(description="A file sent to `POST /uploads`: evidence or a sign-in sheet.")
class Upload(Node):
    id: strawberry.ID
    filename: str
    content_type: str
    size: int = strawberry.field(description="bytes")
    sha256: str
    uploaded_at: dt.datetime

    @classmethod
    def of(cls, row: UploadRow) -> "Upload":
        return cls(
            id=strawberry.ID(ids.encode("Upload", row.id)),
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            uploaded_at=row.created_at,
        )


@fetches("Upload")
async def fetch_upload(context: Context, keys: tuple[int, ...]) -> Upload | None:
    """Seen by those who may download it (`GET /uploads/{id}`)."""
    guard = await context.guard()
    guard.signed_in()
    async with context.transaction() as session:
        row = await session.get(UploadRow, keys[0])
    if row is None or not await access.may_read(context.runtime.database, guard, row):
        return None
    return Upload.of(row)
