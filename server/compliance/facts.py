"""What the audits read, in a few set-oriented statements for every community in scope at
once: never a query per community."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, extract, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from server.activities.models import Activity, ProgrammeActivity
from server.admission.models import Application, ApplicationCondition
from server.clock import beijing_day
from server.communities.models import Community, Membership
from server.fees.queries import open_invoices_statement
from server.fees.rules import Owing
from server.recognition.queries import chosen_brands
from server.regions.models import RegionProvince
from server.reports.models import Report
from server.reports.rules import Owed
from server.research.models import SubTopic
from server.research.rules import Registered
from server.units.models import Unit
from server.vocabulary import (
    ActivityKind,
    CommunityStatus,
    Level,
    MembershipRole,
    MembershipStatus,
    ReportKind,
    SiteStatus,
)


@dataclass(frozen=True)
class Member:
    unit_id: int
    name: str
    role: MembershipRole
    level: Level
    province: str
    responsible_person: str | None


@dataclass(frozen=True)
class Held:
    """A community's activities of one kind in one calendar year of its cycle."""

    held: tuple[int, ...]  # ids of those held by today, in date order
    planned: int  # held or still to come


@dataclass
class Facts:
    today: dt.date
    communities: list[Community]
    members: dict[int, list[Member]] = field(default_factory=dict)
    region_provinces: dict[str, set[str]] = field(default_factory=dict)
    activities: dict[tuple[int, ActivityKind, int], Held] = field(default_factory=dict)
    reports: set[tuple[int, ReportKind, int, int | None, int | None]] = field(default_factory=set)
    # Each community's joint research sub-topics (Art. 16(7)), whatever their status.
    sub_topics: dict[int, list[Registered]] = field(default_factory=dict)
    # Each community's open invoices due within a month or past due, with their balances
    # (Art. 7(6)): the `fees` rule and the payment reminders.
    owing: dict[int, list[Owing]] = field(default_factory=dict)

    def submitted(self, community_id: int, owed: Owed) -> bool:
        return (community_id, *owed.key) in self.reports

    def in_cycle(self, community: Community, kind: ActivityKind) -> tuple[list[int], int]:
        """The community's activities of `kind` in its current cycle: the ids of those held,
        and how many are held or planned."""
        held: list[int] = []
        planned = 0
        for year in range(community.cycle_start.year, community.cycle_end.year + 1):
            if found := self.activities.get((community.id, kind, year)):
                held += found.held
                planned += found.planned
        return held, planned


@dataclass
class ProgrammeFacts:
    today: dt.date
    evidenced: dict[int, tuple[str, int]] = field(default_factory=dict)  # site: (name, conditions)
    activities: dict[tuple[ActivityKind, int], int] = field(default_factory=dict)
    first_year: int | None = None
    # The national brands in force chosen for each year (Art. 6(5)).
    brands: dict[int, int] = field(default_factory=dict)


async def community_facts(
    session: AsyncSession, today: dt.date, community_ids: Sequence[int] | None
) -> Facts:
    """Everything the community rules need; `community_ids` None: every live community."""
    chosen = select(Community).where(Community.status != CommunityStatus.DISSOLVED)
    if community_ids is not None:
        chosen = chosen.where(Community.id.in_(community_ids))
    communities = list((await session.scalars(chosen.order_by(Community.id))).all())
    facts = Facts(today=today, communities=communities)
    ids = [c.id for c in communities]
    if not ids:
        return facts

    members = await session.execute(
        select(
            Membership.community_id,
            Unit.id,
            Unit.name,
            Membership.role,
            Unit.level,
            Unit.province,
            Unit.responsible_person,
        )
        .join(Unit, Unit.id == Membership.unit_id)
        .where(Membership.community_id.in_(ids), Membership.status == MembershipStatus.ACTIVE)
        .order_by(Membership.community_id, Unit.id)
    )
    for community_id, unit_id, name, role, level, province, responsible in members:
        member = Member(unit_id, name, role, level, province, responsible)
        facts.members.setdefault(community_id, []).append(member)

    provinces = defaultdict(set)
    for region, province in await session.execute(
        select(RegionProvince.region, RegionProvince.province)
    ):
        provinces[region].add(province)
    facts.region_provinces = dict(provinces)

    # Activities within each cycle, counted by kind and year from the kept rows: ids of the
    # held ones (for evidence), and how many are planned in all.
    year = extract("year", Activity.held_on).cast(Integer)
    held = Activity.held_on <= today
    activities = await session.execute(
        select(
            Activity.community_id,
            Activity.kind,
            year,
            func.array_agg(aggregate_order_by(Activity.id, Activity.held_on)).filter(held),
            func.count(),
        )
        .join(
            Community,
            and_(
                Community.id == Activity.community_id,
                Activity.held_on.between(Community.cycle_start, Community.cycle_end),
            ),
        )
        .where(Activity.community_id.in_(ids))
        .group_by(Activity.community_id, Activity.kind, year)
    )
    for community_id, kind, y, held_ids, planned in activities:
        facts.activities[(community_id, kind, y)] = Held(tuple(held_ids or ()), planned)

    reports = await session.execute(
        select(Report.community_id, Report.kind, Report.year, Report.half, Report.unit_id).where(
            Report.community_id.in_(ids)
        )
    )
    facts.reports = {(c, kind, y, half, unit) for c, kind, y, half, unit in reports}

    sub_topics = await session.execute(
        select(SubTopic.community_id, SubTopic.status, SubTopic.created_at, SubTopic.concluded_at)
        .where(SubTopic.community_id.in_(ids))
        .order_by(SubTopic.community_id, SubTopic.id)
    )
    for community_id, status, registered_at, concluded_at in sub_topics:
        facts.sub_topics.setdefault(community_id, []).append(
            Registered(
                status, beijing_day(registered_at), concluded_at and beijing_day(concluded_at)
            )
        )
    soon = today + dt.timedelta(days=31)
    owing = await session.execute(open_invoices_statement(ids, soon))
    for invoice_id, community_id, unit_id, number, due_on, balance in owing:
        facts.owing.setdefault(community_id, []).append(
            Owing(invoice_id, unit_id, number, due_on, int(balance))
        )
    return facts


async def programme_facts(session: AsyncSession, today: dt.date) -> ProgrammeFacts:
    facts = ProgrammeFacts(today=today)
    evidenced = (
        select(Application.unit_id, func.count(func.distinct(ApplicationCondition.condition)))
        .join(ApplicationCondition, ApplicationCondition.application_id == Application.id)
        .where(func.length(func.trim(ApplicationCondition.evidence)) > 0)
        .group_by(Application.unit_id)
        .subquery()
    )
    rows = await session.execute(
        select(Unit.id, Unit.name, func.coalesce(func.max(evidenced.c.count), 0))
        .outerjoin(evidenced, evidenced.c.unit_id == Unit.id)
        .where(Unit.site_status == SiteStatus.ACTIVE)
        .group_by(Unit.id, Unit.name)
    )
    facts.evidenced = {unit_id: (name, count) for unit_id, name, count in rows}
    year = extract("year", ProgrammeActivity.held_on).cast(Integer)
    rows = await session.execute(
        select(ProgrammeActivity.kind, year, func.count())
        .where(ProgrammeActivity.held_on <= today)
        .group_by(ProgrammeActivity.kind, year)
    )
    facts.activities = {(kind, y): n for kind, y, n in rows}
    facts.brands = {year: count for year, count in await session.execute(chosen_brands())}
    facts.first_year = await session.scalar(
        select(func.min(extract("year", Community.cycle_start)).cast(Integer))
    )
    return facts
