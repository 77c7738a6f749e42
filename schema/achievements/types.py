import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry
from sqlalchemy import select

from schema.core import ids
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.projection import label, projected, related
from schema.research.types import SubTopic, fetch_sub_topic
from schema.units.types import Unit
from server.achievements import models
from server.achievements.rules import may_read
from server.uploads.models import Upload as UploadRow
from server.vocabulary import AchievementKind, Visibility

if TYPE_CHECKING:
    # Its module imports this one: strawberry reads it lazily, the type checker directly.
    from schema.communities.types import Community
else:
    Community = Annotated["Community", strawberry.lazy("schema.communities.types")]


@strawberry.type(description="One of an achievement's files: an upload, read as it is.")
class AchievementFile:
    id: strawberry.ID = strawberry.field(description="the upload's id")
    filename: str
    content_type: str
    size: int = strawberry.field(description="bytes")
    url: str = strawberry.field(description="`GET /uploads/{id}`")


@projected(models.Achievement, id=("community_id", "id"), community="community_id")
@strawberry.type(
    description="成果: what a community or one of its member units produced (Art. 6b, 16(6)). "
    "COMMUNITY: read by the community's members, its assigned experts and the project group; "
    "ALL_COMMUNITIES: by whoever belongs to a community, the experts and the project group; "
    "PUBLIC: by everyone, on its sub-platform and the main platform."
)
class Achievement(Node):
    id: strawberry.ID
    kind: AchievementKind
    kind_label: str = label("kind", AchievementKind)
    title: str
    summary: str
    authors: list[str]
    links: list[str] = strawberry.field(description="http(s) URLs")
    visibility: Visibility
    visibility_label: str = label("visibility", Visibility)
    subject: str | None = strawberry.field(description="a course resource's subject (16(6))")
    audience: str | None = strawberry.field(
        description="a course resource's audience, such as 老年学习者"
    )
    format: str | None = strawberry.field(description="a course resource's form: 视频, 讲义, …")
    created_at: dt.datetime = strawberry.field(description="when it was submitted")
    updated_at: dt.datetime | None
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    unit_id: strawberry.Private[int | None]
    sub_topic_id: strawberry.Private[int | None]
    upload_ids: strawberry.Private[list[int]]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.Achievement], "Achievement"]]

    community: Community = related("Community", "community_id", same_community=True)
    unit: Unit | None = related(
        "Unit", "unit_id", description="The member unit it is of; null: the community's own."
    )

    @strawberry.field(
        description="The sub-topic it came from (Art. 16(7)), as that sub-topic is read: "
        "null when there is none or the reader may not see it."
    )
    async def sub_topic(self, info: Info) -> SubTopic | None:
        if self.sub_topic_id is None:
            return None
        found = await fetch_sub_topic(info.context, (self.community_id, self.sub_topic_id))
        return found if isinstance(found, SubTopic) else None

    @strawberry.field(description="Its files, in the order given.")
    async def files(self, info: Info) -> list[AchievementFile]:
        if not self.upload_ids:
            return []
        async with info.context.transaction() as session:
            rows = {
                u.id: u
                for u in await session.scalars(
                    select(UploadRow).where(UploadRow.id.in_(self.upload_ids))
                )
            }
        return [
            AchievementFile(
                id=strawberry.ID(ids.encode("Upload", row.id)),
                filename=row.filename,
                content_type=row.content_type,
                size=row.size,
                url=f"/uploads/{ids.encode('Upload', row.id)}",
            )
            for upload_id in self.upload_ids
            if (row := rows.get(upload_id)) is not None
        ]


@fetches("Achievement", arity=2)
async def fetch_achievement(context: Context, keys: tuple[int, ...]) -> Achievement | None:
    guard = await context.guard()
    async with context.transaction(keys[0]) as session:
        row = await session.get(models.Achievement, keys)
    if row is None or not may_read(guard, row.community_id, row.visibility):
        return None
    return Achievement.of(row)
