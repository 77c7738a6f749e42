import datetime as dt

import strawberry

from schema.communities.types import Community
from schema.core import ids
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.vocabulary import label
from schema.units.types import Unit
from server.units.models import ExitRecord
from server.vocabulary import ExitScope, SiteStatus


@strawberry.type(
    description="退出名单: a unit that left the programme or a community, and why (public)."
)
class Exit(Node):
    id: strawberry.ID
    scope: ExitScope
    scope_label: str = label("scope")
    kind: SiteStatus = strawberry.field(description="WITHDRAWN (written) or AUTO_EXITED (deemed)")
    kind_label: str = label("kind")
    exited_on: dt.date
    reason: str
    evidence: list[strawberry.ID] = strawberry.field(
        description="the activities whose absences made the exit (ids for `node`)"
    )
    reinstated_on: dt.date | None
    reinstated_reason: str | None
    db_id: strawberry.Private[int]
    unit_id: strawberry.Private[int]
    community_id: strawberry.Private[int | None]

    @strawberry.field
    async def unit(self, info: Info) -> Unit:
        return Unit.of(await info.context.loaders.unit.load(self.unit_id))

    @strawberry.field(description="The community left; none for the programme.")
    async def community(self, info: Info) -> Community | None:
        if self.community_id is None:
            return None
        return Community.of(await info.context.loaders.community.load(self.community_id))

    @classmethod
    def of(cls, row: ExitRecord) -> "Exit":
        return cls(
            id=strawberry.ID(ids.encode("Exit", row.id)),
            scope=row.scope,
            kind=row.kind,
            exited_on=row.exited_on,
            reason=row.reason,
            evidence=[strawberry.ID(ids.of_reference(r)) for r in row.evidence],
            reinstated_on=row.reinstated_on,
            reinstated_reason=row.reinstated_reason,
            db_id=row.id,
            unit_id=row.unit_id,
            community_id=row.community_id,
        )


@fetches("Exit")
async def fetch_exit(context: Context, keys: tuple[int, ...]) -> Exit | None:
    async with context.transaction() as session:
        row = await session.get(ExitRecord, keys[0])
    return Exit.of(row) if row else None
