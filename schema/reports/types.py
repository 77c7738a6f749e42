import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from policies.permissions import Permission
from schema.core.context import Context
from schema.core.node import Node, fetches
from schema.core.projection import label, projected, related
from schema.units.types import Unit
from server.reports import models
from server.reports.service import Due
from server.vocabulary import ReportKind

if TYPE_CHECKING:
    # Its module imports this one: strawberry reads it lazily, the type checker directly.
    from schema.communities.types import Community
else:
    Community = Annotated["Community", strawberry.lazy("schema.communities.types")]


@projected(models.Report, id=("community_id", "id"), community="community_id")
@strawberry.type(description="报告: a community's (or a member unit's) report for one period.")
class Report(Node):
    id: strawberry.ID
    kind: ReportKind
    kind_label: str = label("kind", ReportKind)
    year: int
    half: int | None = strawberry.field(description="1 or 2 for a semi-annual report")
    title: str
    body: str
    due_on: dt.date
    submitted_on: dt.date
    late: bool = strawberry.field(description="submitted after it was due")
    review_comment: str | None
    reviewed_at: dt.datetime | None
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    unit_id: strawberry.Private[int | None]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.Report], "Report"]]

    unit: Unit | None = related(
        "Unit", "unit_id", description="The member unit, for MEMBER_ANNUAL."
    )
    community: Community = related(
        "Community",
        "community_id",
        same_community=True,
        description="The community whose report it is: its semi-annual report to the expert "
        "group (Art. 18(4)), its annual summary and plan (Art. 18(5)), or a member unit's "
        "annual summary and plan (Art. 19(3)).",
    )


@strawberry.type(description="A report owed for one period: submitted, or due, or overdue.")
class DueReport:
    kind: ReportKind
    kind_label: str = label("kind", ReportKind)
    year: int
    half: int | None
    due_on: dt.date
    overdue: bool = strawberry.field(description="not submitted and past its due date")
    report: Report | None
    unit_id: strawberry.Private[int | None]

    unit: Unit | None = related(
        "Unit", "unit_id", description="The member unit that owes it, for MEMBER_ANNUAL."
    )

    @classmethod
    def of(cls, due: Due) -> "DueReport":
        return cls(
            kind=due.owed.kind,
            year=due.owed.year,
            half=due.owed.half,
            due_on=due.owed.due_on,
            overdue=due.overdue,
            report=Report.of(due.report) if due.report else None,
            unit_id=due.owed.unit_id,
        )


@fetches("Report", arity=2)
async def fetch_report(context: Context, keys: tuple[int, ...]) -> Report | None:
    (await context.guard()).require(Permission.TENANT_READ, keys[0])
    async with context.transaction(keys[0]) as session:
        row = await session.get(models.Report, keys)
    return Report.of(row) if row else None
