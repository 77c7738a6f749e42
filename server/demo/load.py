"""`gongxue demo`: loads the demo data set through the real models. Idempotent: units are
matched by division code, communities by slug, accounts by email; a second run adds nothing."""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.access.policy import PolicyChange
from server.accounts.models import CasbinRule, User
from server.accounts.service import (
    create_user,
    find_user_by_email,
    grant_project_group,
    subject,
)
from server.communities.models import Community, Membership
from server.communities.rules import cycle_end_for
from server.demo.activities import hold_a_year
from server.demo.dataset import COMMUNITIES, UNITS, DemoCommunity
from server.demo.news import keep_sub_platform
from server.regions.provinces import province_of
from server.runtime import Runtime
from server.units.models import Unit
from server.units.service import next_plaque_number
from server.vocabulary import CommunityStatus, MembershipRole, MembershipStatus, SiteStatus

# The demo's sites were admitted in the programme's first batch.
ADMITTED_ON = dt.date(2024, 12, 1)

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
    sign_ins: list[SignIn] = field(default_factory=list)


async def load_demo(runtime: Runtime) -> DemoSummary:
    summary = DemoSummary()
    granted: list[PolicyChange | None] = []
    async with runtime.database.transaction(all_communities=True) as session:
        units = await _units(session, summary)
        admin = f"admin@{DEMO_DOMAIN}"
        admin_user = await _account(session, admin, "项目组管理员", None)
        granted.append(await grant_project_group(session, admin_user))
        summary.sign_ins.append(SignIn("项目组 PROJECT_GROUP", admin, DEMO_PASSWORD))
        for demo in COMMUNITIES:
            community = await _community(session, demo, units, summary)
            leader = units[demo.leader]
            email = f"leader.{demo.slug}@{DEMO_DOMAIN}"
            user = await _account(session, email, f"{leader.name}组长", leader.id)
            granted.append(await _grant(session, user, "LEADER", community))
            await keep_sub_platform(session, community, user)
            summary.sign_ins.append(SignIn("组长 LEADER", email, DEMO_PASSWORD, demo.slug))
    # As the API does, once committed: a server already running applies the grants at once.
    await runtime.policy.publish(*(change for change in granted if change is not None))
    return summary


async def _units(session: AsyncSession, summary: DemoSummary) -> dict[str, Unit]:
    codes = [u.division_code for u in UNITS]
    existing = {
        u.division_code: u
        for u in (await session.scalars(select(Unit).where(Unit.division_code.in_(codes)))).all()
    }
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
            admitted_on=ADMITTED_ON,
            plaque_number=await next_plaque_number(session, ADMITTED_ON.year),
        )
        session.add(unit)
        await session.flush()  # the next plaque number counts this one
        existing[demo.division_code] = unit
        summary.new_units += 1
    await session.flush()
    summary.units = len(existing)
    return existing


async def _community(
    session: AsyncSession, demo: DemoCommunity, units: dict[str, Unit], summary: DemoSummary
) -> Community:
    summary.communities += 1
    found = await session.scalar(select(Community).where(Community.slug == demo.slug))
    if found is not None:
        return found
    leader = units[demo.leader]
    community = Community(
        slug=demo.slug,
        name=demo.name,
        region=demo.region.value,
        level=demo.level,
        themes=[t.value for t in demo.themes],
        status=CommunityStatus.ACTIVE,
        cycle_start=demo.cycle_start,
        cycle_end=cycle_end_for(demo.cycle_start),
        agreement_signed_on=demo.cycle_start,
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
                joined_on=demo.cycle_start,
            )
        )
    await session.flush()
    members = [units[code] for code, _ in roles]
    absentee = units[demo.absentee] if demo.absentee else None
    summary.new_activities += await hold_a_year(session, community, members, absentee)
    summary.new_communities += 1
    return community


async def _account(
    session: AsyncSession, email: str, display_name: str, unit_id: int | None
) -> User:
    user = await find_user_by_email(session, email)
    if user is None:
        user = await create_user(session, email, DEMO_PASSWORD, display_name, unit_id)
    return user


async def _grant(
    session: AsyncSession, user: User, role: str, community: Community
) -> PolicyChange | None:
    """A community role as casbin reads it: `g, user:<id>, ROLE, <community id>`."""
    grant = (subject(user.id), role, str(community.id))
    exists = await session.scalar(
        select(CasbinRule.id).where(
            CasbinRule.ptype == "g",
            CasbinRule.v0 == grant[0],
            CasbinRule.v1 == grant[1],
            CasbinRule.v2 == grant[2],
        )
    )
    if exists is not None:
        return None
    session.add(CasbinRule(ptype="g", v0=grant[0], v1=grant[1], v2=grant[2]))
    return PolicyChange("add", ("g", *grant))
