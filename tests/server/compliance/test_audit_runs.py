"""Audit runs on the real database: findings kept, not duplicated, resolved, waived; the
two-absences exit enacted; the programme's own findings; reminders sent once."""

import datetime as dt

import pytest
from arq import Retry
from sqlalchemy import select, update

from schema.core import ids
from server.activities.models import Activity, Attendance, ProgrammeActivity
from server.clock import today
from server.communities.models import Membership
from server.compliance import checks, tasks
from server.compliance.facts import community_facts
from server.compliance.models import AuditRun, ProgrammeFinding
from server.compliance.reminders import due, send
from server.embedded import ServiceUrls
from server.notifications.models import Notification
from server.notifications.service import leaders_by_community
from server.runtime import open_runtime
from server.units.models import ExitRecord
from server.vocabulary import (
    ActivityKind,
    AttendanceStatus,
    AuditRunStatus,
    FindingStatus,
    MembershipRole,
    MembershipStatus,
)
from server.worker import WorkerSettings
from tests.factories import bearer, make_community, make_units, make_user
from tests.graphql import gql, mutate, refusal
from tests.server.compliance.helpers import audit_now, findings
from tests.server.compliance.worker import drain


async def shrink(runtime, community, unit) -> None:
    async with runtime.database.transaction(community.id) as session:
        await session.execute(
            update(Membership)
            .where(Membership.community_id == community.id, Membership.unit_id == unit.id)
            .values(status=MembershipStatus.WITHDRAWN, left_on=today(), left_reason="书面申请")
        )


async def test_running_twice_gives_the_same_findings_not_duplicates(runtime):
    small, units = await make_community(runtime, "small", size=3)
    await make_community(runtime, "fine", size=4)
    await shrink(runtime, small, units[2])

    first = await audit_now(runtime)
    before = [
        (f.id, f.rule, f.subject, f.period, f.status, f.first_seen_at)
        for f in await findings(runtime)
    ]
    second = await audit_now(runtime)
    after = [
        (f.id, f.rule, f.subject, f.period, f.status, f.first_seen_at)
        for f in await findings(runtime)
    ]

    assert first.opened == first.findings > 0 and first.communities == 2
    assert (second.opened, second.resolved, second.findings) == (0, 0, first.findings)
    assert before == after
    sizes = await findings(runtime, "community-size")
    assert [(f.community_id, f.status) for f in sizes] == [(small.id, FindingStatus.OPEN)]
    seen = await findings(runtime)
    assert all(f.last_seen_at > f.first_seen_at for f in seen)


async def test_a_finding_the_next_run_no_longer_sees_is_resolved_and_may_return(runtime):
    community, units = await make_community(runtime, "small", size=3)
    await shrink(runtime, community, units[2])
    await audit_now(runtime)
    (extra,) = await make_units(runtime, 1)
    async with runtime.database.transaction(community.id) as session:
        session.add(
            Membership(
                community_id=community.id,
                unit_id=extra.id,
                role=MembershipRole.MEMBER,
                status=MembershipStatus.ACTIVE,
                joined_on=today(),
            )
        )

    fixed = await audit_now(runtime)
    (size,) = await findings(runtime, "community-size")
    assert fixed.resolved >= 1
    assert size.status is FindingStatus.RESOLVED and size.resolved_at is not None

    await shrink(runtime, community, extra)
    await audit_now(runtime)
    (again,) = await findings(runtime, "community-size")
    assert (again.id, again.status, again.resolved_at) == (size.id, FindingStatus.OPEN, None)


async def test_a_waived_finding_stays_waived_until_what_it_says_changes(client, runtime):
    community, units = await make_community(runtime, "small", size=4)
    await shrink(runtime, community, units[3])
    await shrink(runtime, community, units[2])
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    await audit_now(runtime)
    (size,) = await findings(runtime, "community-size")

    waived = await mutate(
        client,
        'mutation ($f: ID!) { waiveFinding(input: {findingId: $f, reason: "新成员审批中"}) {'
        " finding { status waivedReason } errors { code } } }",
        {"f": ids.encode("Finding", community.id, size.id)},
        headers=bearer(token),
    )
    assert waived["finding"] == {"status": "WAIVED", "waivedReason": "新成员审批中"}

    await audit_now(runtime)
    (kept,) = await findings(runtime, "community-size")
    assert kept.status is FindingStatus.WAIVED

    await shrink(runtime, community, units[1])  # now one unit: the finding says something else
    await audit_now(runtime)
    (raised,) = await findings(runtime, "community-size")
    assert (raised.status, raised.waived_reason) == (FindingStatus.OPEN, None)
    again = await refusal(
        client,
        'mutation ($f: ID!) { waiveFinding(input: {findingId: $f, reason: " "}) { errors { code field } } }',
        {"f": ids.encode("Finding", community.id, size.id)},
        headers=bearer(token),
    )
    assert (again["code"], again["field"]) == ("INVALID_INPUT", "reason")


async def test_the_audit_chains_absences_by_the_date_held(runtime):
    """Imported out of date order: attended on 1 March, absent on 1 April and 1 May; in the
    order the rows were written (May, March, April) the attendance lies between the two."""
    community, units = await make_community(runtime, "yrd", size=3)
    marks = {
        dt.date(2026, 5, 1): AttendanceStatus.ABSENT,
        dt.date(2026, 3, 1): AttendanceStatus.ATTENDED,
        dt.date(2026, 4, 1): AttendanceStatus.ABSENT,
    }
    async with runtime.database.transaction(community.id) as session:
        activities = {}
        for day in marks:
            activities[day] = Activity(
                community_id=community.id, kind=ActivityKind.SEMINAR, title="研讨", held_on=day
            )
            session.add(activities[day])
            await session.flush()
        for day, status in marks.items():
            for unit in units:
                session.add(
                    Attendance(
                        community_id=community.id,
                        activity_id=activities[day].id,
                        unit_id=unit.id,
                        status=status if unit is units[2] else AttendanceStatus.ATTENDED,
                    )
                )

    counts = await audit_now(runtime)

    assert counts.exits == 1
    async with runtime.database.transaction(community.id) as session:
        (exit_,) = (await session.scalars(select(ExitRecord))).all()
    assert exit_.evidence == [
        f"Activity:{community.id}:{activities[dt.date(2026, 4, 1)].id}",
        f"Activity:{community.id}:{activities[dt.date(2026, 5, 1)].id}",
    ]


async def test_the_audit_enacts_two_absences_imported_in_bulk(runtime):
    """Attendance written straight to the table (as a bulk import might) is caught up on by the
    audit, through the same function the mutation calls."""
    community, units = await make_community(runtime, "yrd", size=4)
    days = [dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)]
    chains = {units[2].id: "AAA", units[3].id: "AXA"}  # absent twice in a row / broken
    async with runtime.database.transaction(community.id) as session:
        activities = [
            Activity(community_id=community.id, kind=ActivityKind.SEMINAR, title="研讨", held_on=d)
            for d in days
        ]
        session.add_all(activities)
        await session.flush()
        for unit in units:
            for i, activity in enumerate(activities):
                mark = chains.get(unit.id, "XXX")[i]
                status = AttendanceStatus.ABSENT if mark == "A" else AttendanceStatus.ATTENDED
                session.add(
                    Attendance(
                        community_id=community.id,
                        activity_id=activity.id,
                        unit_id=unit.id,
                        status=status,
                    )
                )

    counts = await audit_now(runtime)
    again = await audit_now(runtime)

    assert (counts.exits, again.exits) == (1, 0)
    async with runtime.database.transaction(community.id) as session:
        statuses = dict(
            (await session.execute(select(Membership.unit_id, Membership.status))).all()
        )
        (exit_,) = (await session.scalars(select(ExitRecord))).all()
    assert statuses[units[2].id] is MembershipStatus.AUTO_EXITED
    assert statuses[units[3].id] is MembershipStatus.ACTIVE
    assert exit_.evidence == [
        f"Activity:{community.id}:{activities[0].id}",
        f"Activity:{community.id}:{activities[1].id}",
    ]


async def test_the_programmes_own_findings(client, runtime):
    _, units = await make_community(
        runtime, "yrd", size=3, cycle_start=dt.date(today().year - 1, 1, 1)
    )
    last_year = today().year - 1
    async with runtime.database.transaction() as session:
        session.add_all(
            ProgrammeActivity(kind=kind, title=kind.zh, held_on=dt.date(last_year, month, 1))
            for kind, month in [
                (ActivityKind.SEMINAR, 3),
                (ActivityKind.SEMINAR, 9),
                (ActivityKind.TRAINING, 4),
            ]
        )

    await audit_now(runtime)

    async with runtime.database.transaction(all_communities=True) as session:
        rows = (await session.scalars(select(ProgrammeFinding).order_by(ProgrammeFinding.id))).all()
    evidence = sorted(f.unit_id for f in rows if f.rule == "admission-evidence")
    cadence = [(f.subject, f.period) for f in rows if f.rule == "project-group-cadence"]
    assert evidence == sorted(u.id for u in units)  # registered directly: nothing on file
    assert cadence == [("programme:TRAINING", str(last_year))]  # 1 training, 2 seminars
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    listed = await gql(
        client,
        '{ programmeFindings(rule: "admission-evidence") { totalCount edges { node { article community { slug } unit { name } } } } }',
        headers=bearer(token),
    )
    assert listed["data"]["programmeFindings"]["totalCount"] == 3
    node = listed["data"]["programmeFindings"]["edges"][0]["node"]
    assert node["article"] == "7" and node["community"] is None


async def test_reminders_go_out_once_in_each_window(runtime):
    community, _ = await make_community(runtime, "yrd", size=3)
    leader, _ = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))

    async def remind_on(day: dt.date) -> int:
        async with runtime.database.transaction(community.id) as session:
            facts = await community_facts(session, day, [community.id])
            leaders = await leaders_by_community(session, [community.id])
            return await send(session, due(facts, facts.communities[0], leaders[community.id], {}))

    thirty = await remind_on(dt.date(2026, 6, 20))  # the H1 report is due on 15 July
    again = await remind_on(dt.date(2026, 6, 21))
    seven = await remind_on(dt.date(2026, 7, 10))
    after = await remind_on(dt.date(2026, 7, 16))

    assert (thirty, again, seven, after) == (1, 0, 1, 1)
    async with runtime.database.transaction() as session:
        titles = (
            await session.scalars(
                select(Notification.title).where(Notification.user_id == leader.id)
            )
        ).all()
    assert len(titles) == 3 and all("2026H1" in t for t in titles)


async def test_a_leader_runs_its_communitys_audit_and_follows_it(client, runtime):
    community, units = await make_community(runtime, "yrd", size=3)
    await shrink(runtime, community, units[2])
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    ask = 'mutation { runAudit(input: {communitySlug: "yrd"}) { auditRun { id status } errors { code } } }'

    first = await mutate(client, ask, headers=bearer(token))
    second = await mutate(client, ask, headers=bearer(token))

    assert first["auditRun"]["status"] == "QUEUED"
    assert second["auditRun"]["id"] == first["auditRun"]["id"]  # one queued run per scope
    await drain(runtime)
    run = await gql(
        client,
        "query ($id: ID!) { auditRun(id: $id) { status communitiesDone communitiesTotal findings opened community { slug } } }",
        {"id": first["auditRun"]["id"]},
        headers=bearer(token),
    )
    assert run["data"]["auditRun"] == {
        "status": "SUCCEEDED",
        "communitiesDone": 1,
        "communitiesTotal": 1,
        "findings": run["data"]["auditRun"]["opened"],
        "opened": run["data"]["auditRun"]["opened"],
        "community": {"slug": "yrd"},
    }
    page = await gql(
        client,
        '{ community(slug: "yrd") { compliance { errors compliant } findings(status: OPEN) { edges { node { rule article severity message remedy } } } } }',
        headers=bearer(token),
    )
    community_page = page["data"]["community"]
    assert community_page["compliance"]["compliant"] is False
    rules = {f["node"]["rule"]: f["node"] for f in community_page["findings"]["edges"]}
    assert rules["community-size"]["article"] == "11"
    assert "至少需要 3 个" in rules["community-size"]["message"]
    third = await mutate(client, ask, headers=bearer(token))
    assert third["auditRun"]["id"] != first["auditRun"]["id"]  # finished: a new one is queued


async def test_a_lost_database_is_retried_with_a_growing_delay(runtime, services):
    gone = ServiceUrls(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere",
        redis_url=services.redis_url,
        database_embedded=False,
        redis_embedded=False,
    )
    broken = open_runtime(runtime.settings, gone)
    try:
        with pytest.raises(Retry) as first:
            await tasks.run_audit({"runtime": broken, "job_try": 1}, 1)
        with pytest.raises(Retry) as third:
            await tasks.run_audit({"runtime": broken, "job_try": 3}, 1)
        with pytest.raises(OSError):  # out of tries: the error stands
            await tasks.run_audit({"runtime": broken, "job_try": tasks.MAX_TRIES}, 1)
    finally:
        await broken.database.dispose()
        await broken.redis.aclose()
    assert (first.value.defer_score, third.value.defer_score) == (2000, 8000)


async def test_a_run_that_breaks_is_marked_failed_with_its_error(runtime, monkeypatch):
    """A bug in one check (put there for the test) fails the run visibly, not silently."""
    community, _ = await make_community(runtime, "yrd", size=3)
    async with runtime.database.transaction(community.id) as session:
        run = AuditRun(community_id=community.id, status=AuditRunStatus.QUEUED, counts={})
        session.add(run)

    def broken(facts, community):
        raise ZeroDivisionError("a check divided by zero")

    monkeypatch.setitem(checks.COMMUNITY_CHECKS, "theme", broken)
    with pytest.raises(ZeroDivisionError):
        await tasks.run_audit({"runtime": runtime, "job_try": 1}, run.id)

    async with runtime.database.transaction(all_communities=True) as session:
        failed = await session.get(AuditRun, run.id)
    assert failed.status is AuditRunStatus.FAILED
    assert failed.error == "ZeroDivisionError: a check divided by zero"


async def test_the_nightly_audit_runs_nationally_at_three_beijing_time(runtime):
    small, _ = await make_community(runtime, "small", size=2)
    (nightly,) = [c for c in WorkerSettings.cron_jobs if c.coroutine is tasks.nightly_audit]

    counts = await tasks.nightly_audit({"runtime": runtime, "job_try": 1})

    assert (nightly.hour, nightly.minute, WorkerSettings.timezone.key) == (
        {3},
        {0},
        "Asia/Shanghai",
    )
    assert counts["communities"] == 1
    async with runtime.database.transaction(all_communities=True) as session:
        (run,) = (await session.scalars(select(AuditRun))).all()
    assert (run.community_id, run.status) == (None, AuditRunStatus.SUCCEEDED)
    assert [f.community_id for f in await findings(runtime, "community-size")] == [small.id]


async def test_absences_recorded_after_a_run_are_caught_by_the_next(runtime):
    """A run re-reads only histories with absences recorded since the last run began."""
    community, units = await make_community(runtime, "yrd", size=4)
    quiet = await audit_now(runtime)
    async with runtime.database.transaction(community.id) as session:
        later = [
            Activity(
                community_id=community.id,
                kind=ActivityKind.SEMINAR,
                title="研讨",
                held_on=dt.date(2026, month, 1),
                attendance_recorded_at=dt.datetime.now(dt.UTC),
            )
            for month in (6, 7)
        ]
        session.add_all(later)
        await session.flush()
        session.add_all(
            Attendance(
                community_id=community.id,
                activity_id=activity.id,
                unit_id=unit.id,
                status=AttendanceStatus.ABSENT if unit is units[1] else AttendanceStatus.ATTENDED,
            )
            for activity in later
            for unit in units
        )

    caught = await audit_now(runtime)

    assert (quiet.exits, caught.exits) == (0, 1)


async def test_an_excuse_corrected_in_between_two_absences_is_caught_by_the_next_run(runtime):
    """ABSENT, ATTENDED, ABSENT, audited; then the middle one corrected to EXCUSED straight in
    the table: the excuse joins the two absences and the next run enacts the exit, once."""
    community, units = await make_community(runtime, "yrd", size=4)
    marks = (AttendanceStatus.ABSENT, AttendanceStatus.ATTENDED, AttendanceStatus.ABSENT)
    async with runtime.database.transaction(community.id) as session:
        held = [
            Activity(
                community_id=community.id,
                kind=ActivityKind.SEMINAR,
                title="研讨",
                held_on=dt.date(2026, month, 1),
                attendance_recorded_at=dt.datetime.now(dt.UTC),
            )
            for month in (3, 4, 5)
        ]
        session.add_all(held)
        await session.flush()
        session.add_all(
            Attendance(
                community_id=community.id,
                activity_id=activity.id,
                unit_id=unit.id,
                status=mark if unit is units[1] else AttendanceStatus.ATTENDED,
            )
            for activity, mark in zip(held, marks, strict=True)
            for unit in units
        )
    before = await audit_now(runtime)
    async with runtime.database.transaction(community.id) as session:
        await session.execute(
            update(Attendance)
            .where(Attendance.activity_id == held[1].id, Attendance.unit_id == units[1].id)
            .values(status=AttendanceStatus.EXCUSED)
        )
        await session.execute(
            update(Activity)
            .where(Activity.id == held[1].id)
            .values(attendance_recorded_at=dt.datetime.now(dt.UTC))
        )

    after = await audit_now(runtime)
    again = await audit_now(runtime)

    assert (before.exits, after.exits, again.exits) == (0, 1, 0)
    async with runtime.database.transaction(community.id) as session:
        (exit_,) = (await session.scalars(select(ExitRecord))).all()
    assert exit_.unit_id == units[1].id
    assert exit_.evidence == [
        f"Activity:{community.id}:{held[0].id}",
        f"Activity:{community.id}:{held[2].id}",
    ]
