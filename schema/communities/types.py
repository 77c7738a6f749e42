import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from sqlalchemy import ARRAY, BigInteger, Boolean, Date, case, null
from sqlalchemy.sql.elements import ColumnElement
from strawberry.extensions.field_extension import FieldExtension

from policies.permissions import Permission
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.pagination import Connection
from schema.core.permissions import requires
from schema.core.projection import (
    OWN,
    Bind,
    Expression,
    Row,
    computed,
    label,
    labels,
    page,
    per_row,
    projected,
    related,
)
from schema.core.scalars import BigInt
from schema.units.types import Unit
from schema.uploads.types import upload_url
from server.access.guard import Guard
from server.achievements.queries import community_achievements_statement
from server.achievements.rules import reads_shared
from server.activities.queries import (
    activities_statement,
    latest_activity_on,
    public_activities_statement,
)
from server.clock import today
from server.communities import models
from server.communities.queries import active_member_count, memberships_statement
from server.compliance.service import findings_statement
from server.fees.queries import community_balances_statement
from server.fees.readers import InvoiceReaders
from server.news.queries import community_news_statement
from server.reads import Fixed
from server.recognition.queries import community_recognitions_statement
from server.reports.queries import reports_statement
from server.reports.service import reports_due
from server.research.queries import community_sub_topics_statement
from server.runtime import Runtime
from server.units import reasons
from server.vocabulary import (
    AchievementKind,
    ActivityKind,
    CommunityStatus,
    FindingStatus,
    Level,
    MembershipRole,
    MembershipStatus,
    Region,
    ReportKind,
    Severity,
    SubTopicStatus,
    Theme,
    Visibility,
)

if TYPE_CHECKING:
    # Their modules import this one: strawberry reads them lazily, the type checker directly.
    from schema.achievements.types import Achievement
    from schema.activities.types import Activity
    from schema.compliance.types import Compliance, Finding
    from schema.core.compiled import Run
    from schema.news.types import News
    from schema.recognition.types import Recognition
    from schema.reports.types import DueReport, Report
    from schema.research.types import SubTopic
else:
    Achievement = Annotated["Achievement", strawberry.lazy("schema.achievements.types")]
    Activity = Annotated["Activity", strawberry.lazy("schema.activities.types")]
    News = Annotated["News", strawberry.lazy("schema.news.types")]
    Report = Annotated["Report", strawberry.lazy("schema.reports.types")]
    DueReport = Annotated["DueReport", strawberry.lazy("schema.reports.types")]
    SubTopic = Annotated["SubTopic", strawberry.lazy("schema.research.types")]
    Recognition = Annotated["Recognition", strawberry.lazy("schema.recognition.types")]
    Finding = Annotated["Finding", strawberry.lazy("schema.compliance.types")]
    Compliance = Annotated["Compliance", strawberry.lazy("schema.compliance.types")]
# A list of the base class, as `strawberry.field` takes (`requires` gives its subclass's).
IN_THIS_COMMUNITY: list[FieldExtension] = [
    *requires(Permission.TENANT_READ, in_community=lambda c: c.db_id)
]


@projected(models.Community, community="id")
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
    intro: str | None = strawberry.field(
        description="its sub-platform's introduction, Markdown as its leader wrote it"
    )
    intro_html: str | None = strawberry.field(
        description="the introduction as sanitised HTML (as `News.bodyHtml`)"
    )
    colour: str | None = strawberry.field(description="its sub-platform's colour, `#rrggbb`")
    db_id: strawberry.Private[int]
    office_unit_id: strawberry.Private[int | None]
    logo_upload_id: strawberry.Private[int | None]
    banner_upload_id: strawberry.Private[int | None]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.Community], "Community"]]

    region_label: str = label("region", Region, description=None)
    level_label: str = label("level", Level, description=None)
    theme_labels: list[str] = labels("themes", Theme)
    status_label: str = label("status", CommunityStatus, description=None)
    office_unit: Unit | None = related(
        "Unit", "office_unit_id", description="The unit where the community office sits (Art. 14)."
    )
    last_activity_on: dt.date | None = per_row(
        latest_activity_on,
        today=(today, Date),
        scope=OWN,
        description="The day of its latest activity held, if any.",
    )
    member_count: int = per_row(
        active_member_count, description="How many units are active members now."
    )
    logo_url: str | None = upload_url(
        "logo_upload_id", description="its sub-platform's logo (`GET /uploads/{id}`), if any"
    )
    banner_url: str | None = upload_url(
        "banner_upload_id", description="its sub-platform's banner (`GET /uploads/{id}`), if any"
    )

    @strawberry.field(
        description="Its news, newest first: published items for everyone, drafts too for its "
        "leader, deputies and the project group. `search` as `programmeNews`'s."
    )
    @page(
        "News",
        community_news_statement,
        parent={"community_id": "id"},
        newest_first=True,
        scope=OWN,
        same_community=True,
        rights={"drafts": Permission.NEWS_WRITE},
    )
    async def news(
        self,
        info: Info,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[News]:
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="The activities its leader or a deputy chose to show on its sub-platform, "
        "newest first (public)."
    )
    @page(
        "Activity",
        public_activities_statement,
        parent={"community_id": "id"},
        newest_first=True,
        scope=OWN,
        same_community=True,
    )
    async def public_activities(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Activity]:
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(description="Member units, past ones included unless `status` is given.")
    @page(
        "Membership",
        memberships_statement,
        parent={"community_id": "id"},
        scope=OWN,
        same_community=True,
    )
    async def members(
        self,
        info: Info,
        status: MembershipStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection["Membership"]:
        """Member units, by `page`."""
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="The community's activities (Art. 16, 18), oldest first (`newestFirst`: "
        "the latest first).",
        extensions=IN_THIS_COMMUNITY,
    )
    @page(
        "Activity",
        activities_statement,
        parent={"community_id": "id"},
        scope=OWN,
        same_community=True,
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
        """The community's activities, by `page`."""
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="The reports submitted (Art. 18(4), 18(5), 19(3)), oldest first "
        "(`newestFirst`: the latest first).",
        extensions=IN_THIS_COMMUNITY,
    )
    @page(
        "Report",
        reports_statement,
        parent={"community_id": "id"},
        scope=OWN,
        same_community=True,
    )
    async def reports(
        self,
        info: Info,
        kind: ReportKind | None = None,
        year: int | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Report]:
        """The reports submitted, by `page`."""
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="Its achievements (成果, Art. 6b, 16(6)) the reader may see: public ones "
        "for everyone; those shared with all communities for whoever belongs to a community, "
        "the experts and the project group; all of them for its members, its assigned experts "
        "and the project group. `kind`, `search` and `visibility` as `achievements`'s; oldest "
        "first (`newestFirst`: the latest first)."
    )
    @page(
        "Achievement",
        community_achievements_statement,
        parent={"community_id": "id"},
        scope=OWN,
        same_community=True,
        rights={"own": Permission.TENANT_READ, "shared": lambda guard, _: reads_shared(guard)},
    )
    async def achievements(
        self,
        info: Info,
        kind: AchievementKind | None = None,
        search: str | None = None,
        visibility: Visibility | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Achievement]:
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="Its joint research sub-topics (子课题, Art. 16(7)), oldest first: the "
        "approved and concluded ones for everyone, pending and rejected ones too for its "
        "members, its assigned experts and the project group."
    )
    @page(
        "SubTopic",
        community_sub_topics_statement,
        parent={"community_id": "id"},
        scope=OWN,
        same_community=True,
        rights={"every": Permission.TENANT_READ},
    )
    async def sub_topics(
        self,
        info: Info,
        status: SubTopicStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SubTopic]:
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="Its honours (荣誉, Art. 6(5)) in force: the recognitions it, or an "
        "achievement of its, holds; oldest first (`newestFirst`: the latest first). Public."
    )
    @page(
        "Recognition",
        community_recognitions_statement,
        parent={"community_id": "id"},
        same_community=True,
    )
    async def recognitions(
        self,
        info: Info,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Recognition]:
        raise NotImplementedError  # `page` answers the field: this body never runs

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
            row = await session.get_one(models.Community, self.db_id)
            owed = await reports_due(session, row, until or today())
        return [DueReportType.of(d) for d in owed if d.overdue or not overdue_only]

    @strawberry.field(
        description="What the rule audits found here (Art. 9-19), oldest first (`newestFirst`: "
        "the latest first).",
        extensions=IN_THIS_COMMUNITY,
    )
    @page(
        "Finding",
        findings_statement,
        parent={"community_ids": ["id"]},
        fixed={"rule": None},
        scope=OWN,
        same_community=True,
    )
    async def findings(
        self,
        info: Info,
        severity: Severity | None = None,
        status: FindingStatus | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Finding]:
        """What the rule audits found here, by `page`."""
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="Open findings by severity: the community's standing against the regulation.",
        extensions=IN_THIS_COMMUNITY,
    )
    async def compliance(self, info: Info) -> Compliance:
        # Batched: every community of a page asks the one loader, which reads them at once.
        from schema.compliance.national import STANDINGS

        standing: Compliance = await info.context.loaders.of(STANDINGS).load(self.db_id)
        return standing

    @strawberry.field(
        description="What is owed through the community (its invoices to its member units "
        "and to itself, less payments, in fen; 应收未收): for the project group and the "
        "community's leader; null for anyone else."
    )
    async def balance_fen(self, info: Info) -> BigInt | None:
        readers = InvoiceReaders.of(await info.context.guard(), None)
        if not (readers.everywhere or self.db_id in readers.communities):
            return None
        owed: int = await info.context.loaders.of(BALANCES).load(self.db_id)
        return BigInt(owed)


class _Balances:
    """Per community, what is owed through it, for a page of communities in one read."""

    statement = Fixed(community_balances_statement())

    async def fetch(self, runtime: Runtime, keys: list[int]) -> list[int]:
        async with runtime.database.read(all_communities=True) as read:
            rows = await read.rows(self.statement, ids=list(keys))
        owed = {community_id: int(fen) for community_id, fen in rows}
        return [owed.get(key, 0) for key in keys]


BALANCES = _Balances()


# `ColumnElement[Any]`: SQLAlchemy types an expression by its Python value, here a text or null.
def _readable_left_reason(row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
    """`leftReason` as its resolver gives it, decided in the statement row by row from what
    the request's guard says (parameters of the run)."""

    def of(value_of_guard: Callable[[Guard], object]) -> Callable[["Run"], Awaitable[object]]:
        async def value(run: "Run") -> object:
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


async def _left_reason(root: "Membership", info: Info) -> str | None:
    readers = await info.context.reason_readers()
    if not readers.may_read(root.community_id, root.unit_id):
        return None
    return root.written_left_reason


@projected(
    models.Membership,
    id=("community_id", "id"),
    community="community_id",
    held={"written_left_reason": "left_reason"},
)
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
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.Membership], "Membership"]]

    left_reason: str | None = computed(
        Expression(_readable_left_reason),
        _left_reason,
        description="Why the unit left: shown to the project group, the community's leader "
        "and deputies and the unit's own staff; null for anyone else (not published).",
    )

    role_label: str = label("role", MembershipRole, description=None)
    status_label: str = label("status", MembershipStatus, description=None)
    unit: Unit = related("Unit", "unit_id")
    community: Community = related("Community", "community_id", same_community=True)


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
