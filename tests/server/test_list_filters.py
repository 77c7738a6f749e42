"""Each filter a list offers keeps the rows it names and drops the others, at its boundary
(a day, a year, a kind, a status): read as the tables' owner on the two seeded communities,
so no row-level security hides a filter that went wrong. A (3 member units in province 33,
a seminar on 1 May 2026, a 2026 half-year report, one unit withdrawn) and B (4 in 44, its
seminar on 1 June)."""

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.access.guard import Actor, Guard
from server.activities import queries as activities_queries
from server.activities.models import Activity, ProgrammeActivity, ProgrammeAttendance
from server.admission import queries as admission_queries
from server.admission.models import Application
from server.communities import queries as communities_queries
from server.reports import queries as reports_queries
from server.units import queries as units_queries
from server.vocabulary import (
    ActivityKind,
    ApplicationStatus,
    CommunityStatus,
    ExitScope,
    Level,
    MembershipStatus,
    Region,
    ReportKind,
    SiteStatus,
)
from tests.factories import make_user
from tests.two_communities import seed

MAY_1 = dt.date(2026, 5, 1)  # A's seminar
DAY = dt.timedelta(days=1)


async def _ids(owner, statement) -> list[int]:
    async with owner.connect() as conn:
        return [r.id for r in (await conn.execute(statement)).all()]


@pytest.fixture
async def two(runtime, owner):
    return await seed(runtime, owner)


@pytest.mark.parametrize(
    ("kind", "since", "until", "found"),
    [
        (ActivityKind.SEMINAR, None, None, True),
        (ActivityKind.TRAINING, None, None, False),
        (None, MAY_1, None, True),
        (None, MAY_1 + DAY, None, False),
        (None, None, MAY_1, True),
        (None, None, MAY_1 - DAY, False),
    ],
)
async def test_a_communitys_activities_by_kind_and_days_both_included(
    owner, two, kind, since, until, found
):
    statement = activities_queries.activities_statement(two.a.id, kind, since, until)
    assert await _ids(owner, statement) == ([two.a.activity_id] if found else [])


async def test_a_project_activitys_attendance_is_its_own(owner, two):
    async with AsyncSession(owner) as session, session.begin():
        first, second = (
            ProgrammeActivity(kind=ActivityKind.SEMINAR, title=t, held_on=MAY_1, expected_count=1)
            for t in ("项目研讨会一", "项目研讨会二")
        )
        session.add_all([first, second])
        await session.flush()
        session.add_all(
            [
                ProgrammeAttendance(activity_id=first.id, unit_id=two.a.units[0].id),
                ProgrammeAttendance(activity_id=second.id, unit_id=two.b.units[0].id),
            ]
        )
        first_id = first.id

    async with owner.connect() as conn:
        statement = activities_queries.attendance_statement(None, first_id)
        rows = (await conn.execute(statement)).all()
    assert [r.unit_id for r in rows] == [two.a.units[0].id]


async def test_the_latest_activity_counts_the_day_itself_and_none_after(owner, two):
    async with AsyncSession(owner) as session, session.begin():
        session.add(  # an earlier one too: the latest of two, not the only one
            Activity(
                community_id=two.a.id,
                kind=ActivityKind.TRAINING,
                title="scope-a 培训",
                held_on=MAY_1 - 30 * DAY,
                expected_count=0,
            )
        )
    async with owner.connect() as conn:
        on_the_day = await conn.scalar(
            select(activities_queries.latest_activity_on(two.a.id, MAY_1))
        )
        the_day_before = await conn.scalar(
            select(activities_queries.latest_activity_on(two.a.id, MAY_1 - DAY))
        )
    assert (on_the_day, the_day_before) == (MAY_1, MAY_1 - 30 * DAY)


async def test_the_list_of_communities_by_region_level_and_status(owner, two):
    async def ids(**filters):
        return sorted(await _ids(owner, communities_queries.communities_statement(**filters)))

    assert await ids() == sorted([two.a.id, two.b.id])
    assert await ids(region=Region.YANGTZE_RIVER_DELTA) == [two.a.id]
    assert await ids(level=Level.COUNTY) == sorted([two.a.id, two.b.id])
    assert await ids(level=Level.TOWNSHIP) == []
    assert await ids(status=CommunityStatus.ACTIVE) == sorted([two.a.id, two.b.id])
    assert await ids(status=CommunityStatus.DISSOLVED) == []


@pytest.mark.parametrize(
    ("status", "count"), [(MembershipStatus.ACTIVE, 3), (MembershipStatus.WITHDRAWN, 0)]
)
async def test_a_communitys_members_by_status(owner, two, status, count):
    statement = communities_queries.memberships_statement(two.a.id, status)
    assert len(await _ids(owner, statement)) == count


@pytest.mark.parametrize(
    ("kind", "year", "found"),
    [
        (ReportKind.SEMI_ANNUAL, 2026, True),
        (ReportKind.ANNUAL_SUMMARY, None, False),
        (None, 2025, False),
        (None, 2027, False),
    ],
)
async def test_a_communitys_reports_by_kind_and_year(owner, two, kind, year, found):
    statement = reports_queries.reports_statement(two.a.id, kind, year)
    assert await _ids(owner, statement) == ([two.a.report_id] if found else [])


async def test_the_exit_list_by_scope_and_unit(owner, two):
    by_scope = units_queries.exits_statement(scope=ExitScope.COMMUNITY)
    programme = units_queries.exits_statement(scope=ExitScope.PROGRAMME)
    by_unit = units_queries.exits_statement(unit_id=two.a.units[-1].id)

    assert sorted(await _ids(owner, by_scope)) == sorted([two.a.exit_id, two.b.exit_id])
    assert await _ids(owner, programme) == []
    assert await _ids(owner, by_unit) == [two.a.exit_id]


async def test_the_list_of_sites_by_level_province_status_and_search(owner, two):
    a_units = sorted(u.id for u in two.a.units)
    every = sorted(a_units + [u.id for u in two.b.units])

    async def ids(**filters):
        return sorted(await _ids(owner, units_queries.units_statement(**filters)))

    assert await ids(level=Level.COUNTY) == every
    assert await ids(level=Level.TOWNSHIP) == []
    assert await ids(province="33") == a_units
    assert await ids(status=SiteStatus.ACTIVE) == every
    assert await ids(status=SiteStatus.WITHDRAWN) == []
    assert await ids(search=two.a.units[1].name[2:]) == [two.a.units[1].id]
    assert await ids(search=two.b.units[0].division_code[:6]) == [two.b.units[0].id]


async def _project_group(runtime) -> Guard:
    user, _ = await make_user(runtime, "group@filters.cn", ("PROJECT_GROUP", None))
    return Guard(runtime.policy, Actor(user.id, None))


async def test_the_project_group_lists_every_application_by_call_and_status(runtime, owner, two):
    group = await _project_group(runtime)
    async with owner.connect() as conn:
        call_id = await conn.scalar(
            select(Application.call_id).where(Application.id == two.a.application_id)
        )

    async def ids(call, status):
        return sorted(
            await _ids(owner, admission_queries.applications_statement(group, call, status))
        )

    both = sorted([two.a.application_id, two.b.application_id])
    assert await ids(None, None) == both
    assert await ids(call_id, ApplicationStatus.SUBMITTED) == both
    assert await ids(call_id + 1, None) == []
    assert await ids(None, ApplicationStatus.APPROVED) == []


async def test_an_application_is_read_by_its_applicant_and_the_project_group_only(
    runtime, owner, two
):
    group = await _project_group(runtime)
    async with owner.connect() as conn:
        rows = (
            await conn.execute(
                Application.__table__.select().where(
                    Application.id.in_([two.a.application_id, two.b.application_id])
                )
            )
        ).all()
    a_application = next(r for r in rows if r.id == two.a.application_id)
    b_application = next(r for r in rows if r.id == two.b.application_id)
    a_leader = Guard(runtime.policy, Actor(two.a.leader_id, None))
    nobody = Guard(runtime.policy, None)

    assert admission_queries.may_read_application(a_leader, a_application)
    assert not admission_queries.may_read_application(a_leader, b_application)
    assert admission_queries.may_read_application(group, b_application)
    assert not admission_queries.may_read_application(nobody, a_application)
