import datetime as dt

import strawberry

from schema.communities.types import Community
from schema.core import ids
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.projection import label, related
from schema.units.types import Unit
from server.units.models import ExitRecord
from server.vocabulary import ExitScope, SiteStatus

REASON = (
    "Why the unit left, as written or deemed: shown to the project group, the community's "
    "leader and deputies and the unit's own staff; null for anyone else (not published)."
)


async def _reason(root: "Exit", info: Info) -> str | None:
    readers = await info.context.reason_readers()
    return root.written_reason if readers.may_read(root.community_id, root.unit_id) else None


async def _reinstated_reason(root: "Exit", info: Info) -> str | None:
    readers = await info.context.reason_readers()
    if not readers.may_read(root.community_id, root.unit_id):
        return None
    return root.written_reinstated_reason


@strawberry.type(
    description="退出名单: a unit that left the programme or a community, how and when "
    "(public, Art. 8(2)); why only to those who may read it (`reason`)."
)
class Exit(Node):
    id: strawberry.ID
    scope: ExitScope
    scope_label: str = label("scope", ExitScope)
    kind: SiteStatus = strawberry.field(description="WITHDRAWN (written) or AUTO_EXITED (deemed)")
    kind_label: str = label("kind", SiteStatus)
    exited_on: dt.date
    evidence: list[strawberry.ID] = strawberry.field(
        description="the activities whose absences made the exit (ids for `node`)"
    )
    reinstated_on: dt.date | None
    written_reason: strawberry.Private[str]
    written_reinstated_reason: strawberry.Private[str | None]
    db_id: strawberry.Private[int]
    unit_id: strawberry.Private[int]
    community_id: strawberry.Private[int | None]

    reason: str | None = strawberry.field(resolver=_reason, description=REASON)
    reinstated_reason: str | None = strawberry.field(
        resolver=_reinstated_reason, description="Why the exit was reversed; read as `reason` is."
    )
    unit: Unit = related("Unit", "unit_id")
    community: Community | None = related(
        "Community", "community_id", description="The community left; none for the programme."
    )

    @classmethod
    def of(cls, row: ExitRecord) -> "Exit":
        return cls(
            id=strawberry.ID(ids.encode("Exit", row.id)),
            scope=row.scope,
            kind=row.kind,
            exited_on=row.exited_on,
            written_reason=row.reason,
            evidence=[strawberry.ID(ids.of_reference(r)) for r in row.evidence],
            reinstated_on=row.reinstated_on,
            written_reinstated_reason=row.reinstated_reason,
            db_id=row.id,
            unit_id=row.unit_id,
            community_id=row.community_id,
        )


@fetches("Exit")
async def fetch_exit(context: Context, keys: tuple[int, ...]) -> Exit | None:
    async with context.transaction() as session:
        row = await session.get(ExitRecord, keys[0])
    return Exit.of(row) if row else None
