import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from policies.permissions import Permission
from schema.core import ids
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.permissions import requires
from schema.core.projection import label, projected, related
from schema.units.types import Unit
from server.activities import models
from server.activities.queries import attendance_statement
from server.vocabulary import ActivityKind, AttendanceStatus

if TYPE_CHECKING:
    # Its module imports this one: strawberry reads it lazily, the type checker directly.
    from schema.communities.types import Community
else:
    Community = Annotated["Community", strawberry.lazy("schema.communities.types")]


@strawberry.type(description="One expected unit at an activity; `status` is empty until recorded.")
class AttendanceRecord:
    status: AttendanceStatus | None
    status_label: str | None = label("status", AttendanceStatus)
    recorded_at: dt.datetime | None
    unit_id: strawberry.Private[int]

    unit: Unit = related("Unit", "unit_id")


@projected(
    models.Activity,
    id=("community_id", "id"),
    community="community_id",
    programme=models.ProgrammeActivity,
)
@strawberry.type(
    description="活动: a community's activity, or a project-wide one (no community), with its "
    "attendance counts."
)
class Activity(Node):
    id: strawberry.ID
    of: ClassVar[Callable[[models.Activity | models.ProgrammeActivity], "Activity"]]
    kind: ActivityKind
    kind_label: str = label("kind", ActivityKind)
    title: str
    held_on: dt.date
    expected_count: int
    attended_count: int
    absent_count: int
    excused_count: int
    is_public: bool = strawberry.field(
        default=False,
        description="shown on the community's sub-platform (its leader or a deputy decides)",
    )
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int | None]

    community: Community | None = related(
        "Community",
        "community_id",
        same_community=True,
        description="The community; none for a project-wide activity.",
    )

    @strawberry.field(
        description="Each expected unit and what was recorded for it.",
        # A list of the base class, as `strawberry.field` takes (`requires` gives its subclass's).
        extensions=[*requires(Permission.TENANT_READ, in_community=lambda a: a.community_id)],
    )
    async def attendance(self, info: Info) -> list[AttendanceRecord]:
        statement = attendance_statement(self.community_id, self.db_id)
        async with info.context.transaction(self.community_id) as session:
            rows = (await session.scalars(statement)).all()
        return [
            AttendanceRecord(status=r.status, recorded_at=r.recorded_at, unit_id=r.unit_id)
            for r in rows
        ]


def activity_keys(global_id: str) -> tuple[int | None, int]:
    """(community id or None for a project-wide activity, activity id)."""
    type_name, keys = ids.decode(global_id)
    if type_name == "Activity" and len(keys) == 2:
        return keys[0], keys[1]
    if type_name == "ProgrammeActivity" and len(keys) == 1:
        return None, keys[0]
    raise ids.unknown()


@fetches("Activity", arity=2)
async def fetch_activity(context: Context, keys: tuple[int, ...]) -> Activity | None:
    guard = await context.guard()
    guard.require(Permission.TENANT_READ, keys[0])
    async with context.transaction(keys[0]) as session:
        row = await session.get(models.Activity, keys)
    return Activity.of(row) if row else None


@fetches("ProgrammeActivity")
async def fetch_programme_activity(context: Context, keys: tuple[int, ...]) -> Activity | None:
    (await context.guard()).signed_in()
    async with context.transaction() as session:
        row = await session.get(models.ProgrammeActivity, keys[0])
    return Activity.of(row) if row else None
