"""`gongxue demo`: loads the demo data set through the real models. Idempotent: units are
matched by division code, communities by slug, calls by title, accounts by email, grants by
their casbin row; a second run adds nothing. Dates count back from the day of the first load."""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.enforcer import EXPERT, EXPERT_ASSIGNED
from server.access.policy import PolicyChange
from server.accounts.models import CasbinRule, User
from server.accounts.service import (
    create_user,
    find_user_by_email,
    grant_project_group,
    subject,
)
from server.admission.models import ApplicationCall
from server.clock import today
from server.communities.models import Community, Membership
from server.communities.rules import cycle_end_for
from server.compliance.models import Finding, ProgrammeFinding
from server.demo import programme
from server.demo.activities import hold_the_cycle
from server.demo.dataset import (
    APPLICANT,
    COMMUNITIES,
    DEPUTY_UNIT,
    MEMBER_UNIT,
    STAFFED,
    UNITS,
    DemoCommunity,
)
from server.demo.fees import collect_fees
from server.demo.news import keep_sub_platform
from server.demo.outputs import produce_outputs
from server.demo.recognition import grant_honours
from server.demo.reports import file_reports
from server.demo.research import carry_research, national_topic
from server.regions.provinces import province_of
from server.runtime import Runtime
from server.units.models import Unit
from server.units.service import next_plaque_number
from server.vocabulary import (
    CommunityStatus,
    FindingStatus,
    MembershipRole,
    MembershipStatus,
    SiteStatus,
)

# Demo accounts only: `gongxue demo` refuses to run in production.
DEMO_PASSWORD = "gongxue-demo-2026"
DEMO_DOMAIN = "demo.gongxue.test"


@dataclass(frozen=True)
class SignIn:
    role: str
    email: str
    password: str
    community: str | None = None


@dataclass
class DemoSummary:
    units: int = 0
    new_units: int = 0
    communities: int = 0
    new_communities: int = 0
    new_activities: int = 0
    new_reports: int = 0
    sign_ins: list[SignIn] = field(default_factory=list)


def cycle_start(demo: DemoCommunity, on: dt.date) -> dt.date:
    months = on.year * 12 + on.month - 1 - demo.months_in
    return dt.date(months // 12, months % 12 + 1, 1)


def admitted_on(on: dt.date) -> dt.date:
    """The first batch of sites was published two months before the first cycle began."""
    first = min(cycle_start(c, on) for c in COMMUNITIES)
    months = first.year * 12 + first.month - 1 - 2
    return dt.date(months // 12, months % 12 + 1, 1)


async def load_demo(runtime: Runtime) -> DemoSummary:
    summary = DemoSummary()
    granted: list[PolicyChange | None] = []
    on = today()
    async with runtime.database.transaction(all_communities=True) as session:
        admin = await _account(session, "admin", "项目组管理员", None)
        granted.append(await grant_project_group(session, admin))
        summary.sign_ins.append(SignIn("项目组 PROJECT_GROUP", admin.email, DEMO_PASSWORD))
        expert = await _account(session, "expert", "终身教育专家", None)
        granted.append(await _grant(session, expert, EXPERT, None))
        units = await _admitted_units(session, admin, on, summary)
        made: list[Community] = []
        for demo in COMMUNITIES:
            leader_unit = units[demo.leader]
            leader = await _account(
                session, f"leader.{demo.slug}", f"{leader_unit.name}组长", leader_unit.id
            )
            community = await _community(session, demo, units, leader, expert, admin, on, summary)
            made.append(community)
            granted.append(await _grant(session, leader, "LEADER", community))
            await keep_sub_platform(session, community, leader)
            summary.sign_ins.append(SignIn("组长 LEADER", leader.email, DEMO_PASSWORD, demo.slug))
            if demo.expert_assigned:
                granted.append(await _grant(session, expert, EXPERT_ASSIGNED, community))
                summary.sign_ins.append(
                    SignIn("专家 EXPERT", expert.email, DEMO_PASSWORD, demo.slug)
                )
            if demo.slug == STAFFED:
                for role, label, code in (
                    ("DEPUTY", "副组长 DEPUTY", DEPUTY_UNIT),
                    ("MEMBER", "成员单位 MEMBER", MEMBER_UNIT),
                ):
                    unit = units[code]
                    staff = await _account(
                        session, f"{role.lower()}.{demo.slug}", f"{unit.name}联络员", unit.id
                    )
                    granted.append(await _grant(session, staff, role, community))
                    summary.sign_ins.append(SignIn(label, staff.email, DEMO_PASSWORD, demo.slug))
        # The project group's recognitions of the years over (Art. 6(5)).
        first_year = min(cycle_start(c, on) for c in COMMUNITIES).year
        await grant_honours(
            session, made, [units[u.division_code] for u in UNITS], first_year, admin.id, on
        )
        # Their achievements, last year's round and award, this year's round (Art. 6b, 17(4)).
        await produce_outputs(
            session,
            [(c, demo.themes) for c, demo in zip(made, COMMUNITIES, strict=True)],
            {c.id for c, demo in zip(made, COMMUNITIES, strict=True) if demo.expert_assigned},
            expert.id,
            admin.id,
            on,
        )
        # This year's fees: paid but for one member unit, which owes part (Art. 19(4), 20).
        (staffed,) = [c for c in made if c.slug == STAFFED]
        await collect_fees(session, made, staffed, units[MEMBER_UNIT].id, admin.id, on)
        applicant = await _account(session, "applicant", f"{APPLICANT.name}联络员", None)
        await _application_in_progress(session, applicant, on)
        summary.sign_ins.append(SignIn("申报单位 APPLICANT", applicant.email, DEMO_PASSWORD))
    summary.sign_ins.sort(key=lambda s: _ORDER.index(s.role))
    # As the API does, once committed: a server already running applies the grants at once.
    await runtime.policy.publish(*(change for change in granted if change is not None))
    return summary


_ORDER = [
    "项目组 PROJECT_GROUP",
    "专家 EXPERT",
    "组长 LEADER",
    "副组长 DEPUTY",
    "成员单位 MEMBER",
    "申报单位 APPLICANT",
]


async def _admitted_units(
    session: AsyncSession, admin: User, on: dt.date, summary: DemoSummary
) -> dict[str, Unit]:
    """The demo's sites, admitted through the first call with its programme years; on a later
    run, the sites as they are."""
    codes = [u.division_code for u in UNITS]
    existing = {
        u.division_code: u
        for u in (await session.scalars(select(Unit).where(Unit.division_code.in_(codes)))).all()
    }
    published = admitted_on(on)
    first = programme.first_call(published)
    call: ApplicationCall | None = None  # none when loaded before: its applications are in
    if await programme.find_call(session, first.title) is None:
        call = first
        session.add(call)
        await session.flush()
        first_year = min(cycle_start(c, on) for c in COMMUNITIES).year
        await programme.hold_programme_years(session, range(first_year, on.year + 1), on)
    for demo in UNITS:
        if demo.division_code in existing:
            continue
        unit = Unit(
            name=demo.name,
            level=demo.level,
            province=province_of(demo.division_code),
            division_code=demo.division_code,
            address=demo.address,
            responsible_person=demo.responsible_person,
            site_status=SiteStatus.ACTIVE,
            admitted_on=published,
            plaque_number=await next_plaque_number(session, published.year),
        )
        session.add(unit)
        await session.flush()  # the next plaque number counts this one
        if call is not None:
            await programme.apply(session, call, demo, admin.id, unit)
        existing[demo.division_code] = unit
        summary.new_units += 1
    await session.flush()
    summary.units = len(existing)
    return existing


async def _application_in_progress(session: AsyncSession, applicant: User, on: dt.date) -> None:
    call = programme.open_call(on)
    found = await programme.find_call(session, call.title)
    if found is not None:
        return
    session.add(call)
    await session.flush()
    await programme.apply(session, call, APPLICANT, applicant.id, None)


async def _community(
    session: AsyncSession,
    demo: DemoCommunity,
    units: dict[str, Unit],
    leader_user: User,
    expert: User,
    admin: User,
    on: dt.date,
    summary: DemoSummary,
) -> Community:
    summary.communities += 1
    found = await session.scalar(select(Community).where(Community.slug == demo.slug))
    if found is not None:
        return found
    leader = units[demo.leader]
    start = cycle_start(demo, on)
    community = Community(
        slug=demo.slug,
        name=demo.name,
        region=demo.region.value,
        level=demo.level,
        themes=[t.value for t in demo.themes],
        status=CommunityStatus.ACTIVE,
        cycle_start=start,
        cycle_end=cycle_end_for(start),
        agreement_signed_on=start,
        office_unit_id=leader.id,
    )
    session.add(community)
    await session.flush()
    roles = [(demo.leader, MembershipRole.LEADER)]
    roles += [(code, MembershipRole.DEPUTY) for code in demo.deputies]
    roles += [(code, MembershipRole.MEMBER) for code in demo.members]
    for code, role in roles:
        session.add(
            Membership(
                community_id=community.id,
                unit_id=units[code].id,
                role=role,
                status=MembershipStatus.ACTIVE,
                joined_on=start,
            )
        )
    await session.flush()
    members = [units[code] for code, _ in roles]
    absentee = units[demo.absentee] if demo.absentee else None
    summary.new_activities += await hold_the_cycle(
        session, community, members, absentee, demo.short_of, on
    )
    # The leader submits its reports; the expert reviews where assigned, else the project group.
    summary.new_reports += await file_reports(
        session,
        community,
        members,
        submitted_by=leader_user.id,
        reviewed_by=(expert if demo.expert_assigned else admin).id,
        misses_semi_annual=demo.misses_semi_annual,
        today=on,
    )
    # Its joint research under the project group's national topic (Art. 16(7), 17(3)).
    topic = await national_topic(session, admin.id, admitted_on(on).year)
    await carry_research(
        session,
        community,
        demo.themes,
        members,
        topic,
        registered_by=leader_user.id,
        reviewed_by=admin.id,
        awaits_review=demo.research_awaits_review,
        today=on,
    )
    summary.new_communities += 1
    return community


async def _account(
    session: AsyncSession, name: str, display_name: str, unit_id: int | None
) -> User:
    email = f"{name}@{DEMO_DOMAIN}"
    user = await find_user_by_email(session, email)
    if user is None:
        user = await create_user(session, email, DEMO_PASSWORD, display_name, unit_id)
    return user


async def _grant(
    session: AsyncSession, user: User, role: str, community: Community | None
) -> PolicyChange | None:
    """A role as casbin reads it: `g, user:<id>, ROLE, <community id>` in a community,
    `g2, user:<id>, ROLE` nationally."""
    grant = (subject(user.id), role) + ((str(community.id),) if community else ())
    ptype = "g" if community else "g2"
    exists = await session.scalar(
        select(func.count())
        .select_from(CasbinRule)
        .where(
            CasbinRule.ptype == ptype,
            *(
                column == value
                for column, value in zip(
                    (CasbinRule.v0, CasbinRule.v1, CasbinRule.v2), grant, strict=False
                )
            ),
        )
    )
    if exists:
        return None
    session.add(CasbinRule(ptype=ptype, **{f"v{i}": v for i, v in enumerate(grant)}))
    return PolicyChange("add", (ptype, *grant))


async def open_findings(runtime: Runtime) -> list[tuple[str, str, str, str]]:
    """The audit's open findings as the demo prints them: rule, article, community, message."""
    async with runtime.database.transaction(all_communities=True) as session:
        rows = await session.execute(
            select(Finding.rule, Finding.article, Community.slug, Finding.message_zh)
            .join(Community, Community.id == Finding.community_id)
            .where(Finding.status == FindingStatus.OPEN)
            .order_by(Community.slug, Finding.rule, Finding.period)
        )
        programme = await session.execute(
            select(ProgrammeFinding.rule, ProgrammeFinding.article, ProgrammeFinding.message_zh)
            .where(ProgrammeFinding.status == FindingStatus.OPEN)
            .order_by(ProgrammeFinding.rule, ProgrammeFinding.period)
        )
        return [(r, a, s, m) for r, a, s, m in rows] + [(r, a, "", m) for r, a, m in programme]
