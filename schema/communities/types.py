import asyncio
import dataclasses
import datetime as dt
from typing import Annotated, Any

import strawberry
from sqlalchemy import ARRAY, BigInteger, Boolean, Date, case, null

from policies.permissions import Permission
from schema.core import ids
from schema.core.context import Context, Info
from schema.core.execution import prefetched
from schema.core.node import Node, fetches
from schema.core.pagination import Connection, Template, paginate
from schema.core.permissions import requires
from schema.core.projection import OWN, Expression, Labels, Page, Related, labels_of, project
from schema.core.selection import asks_for
from schema.units.types import Unit
from server.activities.models import Activity as ActivityRow
from server.activities.queries import activities_statement, latest_activity_on
from server.clock import today
from server.communities import models
from server.communities.queries import active_member_count, memberships_statement
from server.compliance.models import Finding as FindingRow
from server.compliance.service import compliance_counts, findings_statement
from server.reports.models import Report as ReportRow
from server.reports.queries import reports_statement
from server.reports.service import reports_due
from server.units import reasons
from server.vocabulary import (
    ActivityKind,
    CommunityStatus,
    FindingStatus,
    Level,
    MembershipRole,
    MembershipStatus,
    Region,
    ReportKind,
    Severity,
    Theme,
)

Activity = Annotated["Activity", strawberry.lazy("schema.activities.types")]
Report = Annotated["Report", strawberry.lazy("schema.reports.types")]
DueReport = Annotated["DueReport", strawberry.lazy("schema.reports.types")]
Finding = Annotated["Finding", strawberry.lazy("schema.compliance.types")]
Compliance = Annotated["Compliance", strawberry.lazy("schema.compliance.types")]
IN_THIS_COMMUNITY = requires(Permission.TENANT_READ, in_community=lambda c: c.db_id)


@strawberry.type(
    description="共同体: 3-15 units of one level and region working together (the tenant)."
)
class Community(Node):
    id: strawberry.ID
    slug: str
    name: str
    region: Region
    level: Level
    themes: list[Theme]
    status: CommunityStatus
    cycle_start: dt.date
    cycle_end: dt.date
    agreement_signed_on: dt.date | None
    db_id: strawberry.Private[int]
    office_unit_id: strawberry.Private[int | None]
    known: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @strawberry.field
    def region_label(self, info: Info) -> str:
        return self.region.label(info.context.language)

    @strawberry.field
    def level_label(self, info: Info) -> str:
        return self.level.label(info.context.language)

    @strawberry.field
    def theme_labels(self, info: Info) -> list[str]:
        return [t.label(info.context.language) for t in self.themes]

    @strawberry.field
    def status_label(self, info: Info) -> str:
        return self.status.label(info.context.language)

    @strawberry.field(description="The unit where the community office sits (Art. 14).")
    async def office_unit(self, info: Info) -> Unit | None:
        if self.office_unit_id is None:
            return None
        row = await info.context.loaders.unit.load(self.office_unit_id)
        return Unit.of(row) if row else None

    # A value a list resolver already fetched for the whole page (`known`) is read there by
    # the execution, or returned here as is; otherwise the dataloader's future, which GraphQL
    # awaits.
    @strawberry.field(description="The day of its latest activity held, if any.")
    @prefetched("last_activity_on")
    def last_activity_on(self, info: Info) -> dt.date | None:
        if "last_activity_on" in self.known:
            return self.known["last_activity_on"]
        return info.context.loaders.last_activity.load(self.db_id)  # type: ignore[return-value]

    @strawberry.field(description="How many units are active members now.")
    @prefetched("member_count")
    def member_count(self, info: Info) -> int:
        if "member_count" in self.known:
            return self.known["member_count"]
        return info.context.loaders.active_member_count.load(self.db_id)  # type: ignore[return-value]

    @strawberry.field(description="Member units, past ones included unless `status` is given.")
    async def members(
        self,
        info: Info,
        status: MembershipStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection["Membership"]:
        statement = Template(memberships_statement, community_id=self.db_id, status=status)
        page = await paginate(
            info.context,
            statement,
            models.Membership.id,
            first,
            after,
            Membership.of,
            community_id=self.db_id,
        )
        memberships = [edge.node for edge in page.edges]
        if memberships and asks_for(info, "edges", "node", "unit"):
            units = await info.context.loaders.unit.load_many([m.unit_id for m in memberships])
            for membership, unit in zip(memberships, units, strict=True):
                if unit is not None:
                    membership.known["unit"] = Unit.of(unit)
        return page

    @strawberry.field(
        description="The community's activities (Art. 16, 18), oldest first.",
        extensions=IN_THIS_COMMUNITY,
    )
    async def activities(
        self,
        info: Info,
        kind: ActivityKind | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Activity]:
        from schema.activities.types import Activity as ActivityType

        statement = Template(
            activities_statement, community_id=self.db_id, kind=kind, since=since, until=until
        )
        return await paginate(
            info.context,
            statement,
            ActivityRow.id,
            first,
            after,
            ActivityType.of,
            community_id=self.db_id,
            newest_first=newest_first,
        )

    @strawberry.field(
        description="The reports submitted (Art. 18(4), 18(5), 19(3)), oldest first.",
        extensions=IN_THIS_COMMUNITY,
    )
    async def reports(
        self,
        info: Info,
        kind: ReportKind | None = None,
        year: int | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Report]:
        from schema.reports.types import Report as ReportType

        statement = Template(reports_statement, community_id=self.db_id, kind=kind, year=year)
        return await paginate(
            info.context,
            statement,
            ReportRow.id,
            first,
            after,
            ReportType.of,
            community_id=self.db_id,
        )

    @strawberry.field(
        description="Every report owed since the cycle began, up to `until` (today by default): "
        "submitted, due or overdue.",
        extensions=IN_THIS_COMMUNITY,
    )
    async def reports_due(
        self, info: Info, until: dt.date | None = None, overdue_only: bool = False
    ) -> list[DueReport]:
        from schema.reports.types import DueReport as DueReportType

        async with info.context.transaction(self.db_id) as session:
            row = await session.get(models.Community, self.db_id)
            owed = await reports_due(session, row, until or today())
        return [DueReportType.of(d) for d in owed if d.overdue or not overdue_only]

    @strawberry.field(
        description="What the rule audits found here (Art. 9-19), oldest first.",
        extensions=IN_THIS_COMMUNITY,
    )
    async def findings(
        self,
        info: Info,
        severity: Severity | None = None,
        status: FindingStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Finding]:
        from schema.compliance.types import Finding as FindingType

        statement = Template(
            findings_statement,
            community_ids=[self.db_id],
            severity=severity,
            status=status,
            rule=None,
        )
        return await paginate(
            info.context,
            statement,
            FindingRow.id,
            first,
            after,
            FindingType.of,
            community_id=self.db_id,
        )

    @strawberry.field(
        description="Open findings by severity: the community's standing against the regulation.",
        extensions=IN_THIS_COMMUNITY,
    )
    async def compliance(self, info: Info) -> Compliance:
        from schema.compliance.types import Compliance as ComplianceType

        async with info.context.transaction(self.db_id) as session:
            counts = await compliance_counts(session, self.db_id)
        return ComplianceType(
            errors=counts.get((FindingStatus.OPEN, Severity.ERROR), 0),
            warnings=counts.get((FindingStatus.OPEN, Severity.WARNING), 0),
            notices=counts.get((FindingStatus.OPEN, Severity.NOTICE), 0),
            waived=sum(n for (status, _), n in counts.items() if status is FindingStatus.WAIVED),
        )

    @classmethod
    def of(cls, row: models.Community) -> "Community":
        return cls(
            id=strawberry.ID(ids.encode("Community", row.id)),
            slug=row.slug,
            name=row.name,
            region=Region(row.region),
            level=row.level,
            themes=[Theme(t) for t in row.themes],
            status=row.status,
            cycle_start=row.cycle_start,
            cycle_end=row.cycle_end,
            agreement_signed_on=row.agreement_signed_on,
            db_id=row.id,
            office_unit_id=row.office_unit_id,
        )


async def fill_counts(info: Info, page: Connection["Community"]) -> None:
    """Fetches `memberCount` and `lastActivityOn` for a whole page at once, when asked for,
    so each row reads a plain value instead of awaiting its own."""
    loaders = info.context.loaders
    wanted = [
        (field, batch)
        for field, name, batch in (
            ("member_count", "memberCount", loaders.active_member_counts),
            ("last_activity_on", "lastActivityOn", loaders.last_activities),
        )
        if asks_for(info, "edges", "node", name)
    ]
    communities = [edge.node for edge in page.edges]
    if not wanted or not communities:
        return
    ids = [community.db_id for community in communities]
    # The batches themselves, not the dataloaders: a page's ids are one batch already.
    values = await asyncio.gather(*(batch(ids) for _, batch in wanted))
    for (field, _), found in zip(wanted, values, strict=True):
        for community, value in zip(communities, found, strict=True):
            community.known[field] = value


@strawberry.type(
    description="A unit's place in a community; kept, with its dates, after it leaves."
)
class Membership(Node):
    id: strawberry.ID
    role: MembershipRole
    status: MembershipStatus
    joined_on: dt.date
    left_on: dt.date | None
    written_left_reason: strawberry.Private[str | None]
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    unit_id: strawberry.Private[int]
    # Values the page that listed this membership fetched for all its rows (the unit).
    known: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @strawberry.field(
        description="Why the unit left: shown to the project group, the community's leader "
        "and deputies and the unit's own staff; null for anyone else (not published)."
    )
    async def left_reason(self, info: Info) -> str | None:
        readers = await info.context.reason_readers()
        if not readers.may_read(self.community_id, self.unit_id):
            return None
        return self.written_left_reason

    @strawberry.field
    def role_label(self, info: Info) -> str:
        return self.role.label(info.context.language)

    @strawberry.field
    def status_label(self, info: Info) -> str:
        return self.status.label(info.context.language)

    @strawberry.field
    @prefetched("unit")
    def unit(self, info: Info) -> Unit:
        if "unit" in self.known:
            return self.known["unit"]
        return _loaded_unit(info, self.unit_id)  # type: ignore[return-value]

    @strawberry.field
    async def community(self, info: Info) -> Community:
        row = await info.context.loaders.community.load(self.community_id)
        return Community.of(row)

    @classmethod
    def of(cls, row: models.Membership) -> "Membership":
        return cls(
            id=strawberry.ID(ids.encode("Membership", row.community_id, row.id)),
            role=row.role,
            status=row.status,
            joined_on=row.joined_on,
            left_on=row.left_on,
            written_left_reason=row.left_reason,
            db_id=row.id,
            community_id=row.community_id,
            unit_id=row.unit_id,
        )


async def _loaded_unit(info: Info, unit_id: int) -> Unit:
    return Unit.of(await info.context.loaders.unit.load(unit_id))


@fetches("Community")
async def fetch_community(context: Context, keys: tuple[int, ...]) -> Community | None:
    row = await context.loaders.community.load(keys[0])
    return Community.of(row) if row else None


@fetches("Membership", arity=2)
async def fetch_membership(context: Context, keys: tuple[int, ...]) -> Membership | None:
    community_id, membership_id = keys
    async with context.transaction(community_id) as session:
        row = await session.get(models.Membership, (community_id, membership_id))
    return Membership.of(row) if row else None


project(
    "Community",
    models.Community,
    id=("id",),
    columns=(
        "slug",
        "name",
        "region",
        "level",
        "themes",
        "status",
        "cycle_start",
        "cycle_end",
        "agreement_signed_on",
    ),
    labels={
        "region_label": ("region", Region),
        "level_label": ("level", Level),
        "status_label": ("status", CommunityStatus),
    },
    theme_labels=Labels("themes", labels_of(Theme)),
    member_count=Expression(lambda row, language, bind: active_member_count(row.c.id)),
    last_activity_on=Expression(
        lambda row, language, bind: latest_activity_on(row.c.id, bind(lambda run: today(), Date)),
        scope=OWN,
    ),
    office_unit=Related("Unit", key="office_unit_id"),
    members=Page(
        "Membership",
        memberships_statement,
        "id",
        filters=("status",),
        parent=lambda row: {"community_id": row.c.id},
        scope=OWN,
        same_community=True,
    ),
    activities=Page(
        "Activity",
        activities_statement,
        "id",
        filters=("kind", "since", "until"),
        parent=lambda row: {"community_id": row.c.id},
        newest_first=lambda arguments: arguments["newest_first"],
        reads=("newest_first",),
        scope=OWN,
        same_community=True,
    ),
    reports=Page(
        "Report",
        reports_statement,
        "id",
        filters=("kind", "year"),
        parent=lambda row: {"community_id": row.c.id},
        scope=OWN,
        same_community=True,
    ),
    findings=Page(
        "Finding",
        findings_statement,
        "id",
        filters=("severity", "status"),
        parent=lambda row: {"community_ids": [row.c.id]},
        fixed={"rule": None},
        scope=OWN,
        same_community=True,
    ),
)


def _readable_left_reason(row: Any, language: str, bind: Any) -> Any:
    """`leftReason` as its resolver gives it, decided in the statement row by row from what
    the request's guard says (parameters of the run)."""

    def of(value_of_guard: Any) -> Any:
        async def value(run: Any) -> Any:
            return value_of_guard(await run.context.guard())

        return value

    readable = reasons.readable(
        row.c.community_id,
        row.c.unit_id,
        bind(of(reasons.everywhere), Boolean),
        bind(of(reasons.communities), ARRAY(BigInteger)),
        bind(of(reasons.user_id), BigInteger),
    )
    return case((readable, row.c.left_reason), else_=null())


project(
    "Membership",
    models.Membership,
    id=("community_id", "id"),
    columns=("role", "status", "joined_on", "left_on"),
    labels={"role_label": ("role", MembershipRole), "status_label": ("status", MembershipStatus)},
    left_reason=Expression(_readable_left_reason),
    unit=Related("Unit", key="unit_id"),
    community=Related(
        "Community",
        key="community_id",
        same_community=True,
    ),
)
