import datetime as dt
from typing import Any

import strawberry
from sqlalchemy import literal_column
from sqlalchemy.sql.elements import ColumnElement

from schema.core import ids
from schema.core.context import Context
from schema.core.node import Node, fetches
from schema.core.projection import Bind, Expression, GlobalId, Row, computed
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


def upload_url(column: str, *, description: str) -> Any:  # strawberry types a field `Any`
    """The path a page shows an upload at (`/uploads/{id}`), from the row's `column`, or null:
    the same global id `ids.encode` makes, in SQL for the compiled reads."""
    declared = GlobalId("Upload", (column,))

    # `ColumnElement[Any]`: SQLAlchemy's type of an expression it cannot follow through `op`.
    def sql(row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
        return literal_column("'/uploads/'").op("||")(declared.sql(row, language, bind))

    def resolve(root: object) -> str | None:
        upload_id = getattr(root, column)
        return None if upload_id is None else f"/uploads/{ids.encode('Upload', upload_id)}"

    return computed(Expression(sql), resolve, description=description)
