"""Activities and attendance (Art. 16, 18), sign-in sheets, and the two-absences exit (Art.
8(2), 12) for communities and for the programme."""

import asyncio
import datetime as dt
import io
import itertools
import time
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import select, text

from schema.core import ids
from server.activities import sheets
from server.clock import today
from server.notifications.models import Notification
from tests.factories import bearer, make_community, make_units, make_user
from tests.graphql import gql, mutate, refusal
from tests.schema.lifecycle.operations import IMPORT, RECORD, REINSTATE, SCHEDULE
from tests.state import attendance_recorded, row_counts


def unit_id(unit) -> str:
    return ids.encode("Unit", unit.id)


def days_ago(n: int) -> str:
    return (today() - dt.timedelta(days=n)).isoformat()


@pytest.fixture
async def community(runtime):
    """A community of four with its leader signed in."""
    row, units = await make_community(
        runtime, "yrd", size=4, cycle_start=today() - dt.timedelta(days=400)
    )
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", row.id))
    return row, units, bearer(token)


async def schedule(client, headers, held: int, slug: str | None = "yrd", **extra) -> str:
    payload = await mutate(
        client,
        SCHEDULE,
        {
            "input": {
                "communitySlug": slug,
                "kind": "SEMINAR",
                "title": "研讨会",
                "heldOn": days_ago(held),
                **extra,
            }
        },
        headers=headers,
    )
    return payload["activity"]["id"]


def entries(units, **by_index: str) -> list[dict]:
    return [
        {"unitId": unit_id(u), "status": by_index.get(f"u{i}", "ATTENDED")}
        for i, u in enumerate(units)
    ]


async def test_an_activity_expects_every_active_member_by_default(client, community):
    _, units, leader = community

    everyone = await mutate(
        client,
        SCHEDULE,
        {
            "input": {
                "communitySlug": "yrd",
                "kind": "TRAINING",
                "title": "培训",
                "heldOn": days_ago(1),
            }
        },
        headers=leader,
    )
    some = await mutate(
        client,
        SCHEDULE,
        {
            "input": {
                "communitySlug": "yrd",
                "kind": "RESEARCH",
                "title": "课题",
                "heldOn": days_ago(1),
                "expectedUnitIds": [unit_id(units[0]), unit_id(units[1])],
            }
        },
        headers=leader,
    )

    assert everyone["activity"]["expectedCount"] == 4
    assert some["activity"]["expectedCount"] == 2


async def test_an_activity_cannot_expect_a_unit_outside_the_community(
    client, runtime, community, owner
):
    _, _, leader = community
    outsider = (await make_units(runtime, 1))[0]
    before = await row_counts(owner)

    error = await refusal(
        client,
        SCHEDULE,
        {
            "input": {
                "communitySlug": "yrd",
                "kind": "SEMINAR",
                "title": "研讨",
                "heldOn": days_ago(1),
                "expectedUnitIds": [unit_id(outsider)],
            }
        },
        headers=leader,
    )

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "expectedUnitIds")
    assert await row_counts(owner) == before


@pytest.mark.parametrize("held", [401, -3 * 365], ids=["before-the-cycle", "after-the-cycle"])
async def test_an_activity_outside_the_cooperation_cycle_is_refused(client, community, owner, held):
    _, _, leader = community
    before = await row_counts(owner)

    error = await refusal(
        client,
        SCHEDULE,
        {
            "input": {
                "communitySlug": "yrd",
                "kind": "SEMINAR",
                "title": "研讨",
                "heldOn": days_ago(held),
            }
        },
        headers=leader,
    )

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "heldOn")
    assert await row_counts(owner) == before


# A recording with an absence can end in an exit and runs with the ORM; one without runs on
# the driver alone (`server/writes.py`). Each refusal is checked both ways.
WITH_AND_WITHOUT_AN_ABSENCE = pytest.mark.parametrize(
    "statuses", [{}, {"u1": "ABSENT"}], ids=["all-attended", "one-absent"]
)


@WITH_AND_WITHOUT_AN_ABSENCE
async def test_attendance_for_a_unit_that_was_not_expected_is_refused(
    client, runtime, community, owner, statuses
):
    _, units, leader = community
    activity = await schedule(client, leader, 3, expectedUnitIds=[unit_id(u) for u in units[:3]])
    before = await row_counts(owner)

    error = await refusal(
        client,
        RECORD,
        {"input": {"activityId": activity, "entries": entries(units, **statuses)}},
        headers=leader,
    )

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "entries.3.unitId")
    assert await row_counts(owner) == before
    assert await attendance_recorded(owner) == 0  # the three expected ones' marks rolled back


async def test_a_unit_recorded_twice_in_one_call_is_refused(client, community, owner):
    _, units, leader = community
    activity = await schedule(client, leader, 3)
    twice = [*entries(units), {"unitId": unit_id(units[0]), "status": "ABSENT"}]
    before = await row_counts(owner)

    error = await refusal(
        client, RECORD, {"input": {"activityId": activity, "entries": twice}}, headers=leader
    )

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "entries.4.unitId")
    assert await row_counts(owner) == before
    assert await attendance_recorded(owner) == 0


@WITH_AND_WITHOUT_AN_ABSENCE
async def test_attendance_waits_until_the_activity_is_held(client, community, owner, statuses):
    _, units, leader = community
    upcoming = await schedule(client, leader, -7)
    before = await row_counts(owner)

    error = await refusal(
        client,
        RECORD,
        {"input": {"activityId": upcoming, "entries": entries(units, **statuses)}},
        headers=leader,
    )

    assert error["code"] == "INVALID_TRANSITION"
    assert await row_counts(owner) == before
    assert await attendance_recorded(owner) == 0


@WITH_AND_WITHOUT_AN_ABSENCE
async def test_attendance_for_an_unknown_activity_is_not_found(client, community, statuses):
    community_row, units, leader = community
    missing = ids.encode("Activity", community_row.id, 10**9)

    error = await refusal(
        client,
        RECORD,
        {"input": {"activityId": missing, "entries": entries(units, **statuses)}},
        headers=leader,
    )

    assert (error["code"], error["field"]) == ("NOT_FOUND", "activityId")


@WITH_AND_WITHOUT_AN_ABSENCE
async def test_a_recording_says_who_recorded_what_and_when(client, community, owner, statuses):
    community_row, units, leader = community
    activity = await schedule(client, leader, 3)
    _, activity_id = ids.decode(activity)[1]
    await mutate(
        client,
        RECORD,
        {"input": {"activityId": activity, "entries": entries(units[:3], **statuses)}},
        headers=leader,
    )

    async with owner.connect() as conn:
        marks = (
            await conn.execute(
                text(
                    "SELECT a.status, u.email, a.recorded_at > now() - interval '1 minute' "
                    "FROM attendance a LEFT JOIN users u ON u.id = a.recorded_by "
                    "WHERE a.activity_id = :a ORDER BY a.unit_id"
                ),
                {"a": activity_id},
            )
        ).all()
        (logged,) = (
            await conn.execute(
                text(
                    "SELECT a.community_id, u.email, a.target_type, a.target_id, a.after "
                    "FROM audit_log a JOIN users u ON u.id = a.actor_user_id "
                    "WHERE a.action = 'attendance.record'"
                )
            )
        ).all()
        recounted = await conn.scalar(
            text("SELECT attendance_recorded_at IS NOT NULL FROM activities WHERE id = :a"),
            {"a": activity_id},
        )

    statuses_given = [e["status"] for e in entries(units[:3], **statuses)]
    assert marks == [
        *((status, "leader@example.cn", True) for status in statuses_given),
        (None, None, None),  # the fourth member, expected and not yet recorded
    ]
    assert logged == (
        community_row.id,
        "leader@example.cn",
        "Activity",
        str(activity_id),
        {str(u.id): status for u, status in zip(units, statuses_given, strict=False)},
    )
    assert recounted


async def test_a_correction_replaces_what_was_recorded(client, community):
    _, units, leader = community
    activity = await schedule(client, leader, 3)
    await mutate(
        client,
        RECORD,
        {"input": {"activityId": activity, "entries": entries(units, u1="ABSENT")}},
        headers=leader,
    )

    corrected = await mutate(
        client,
        RECORD,
        {
            "input": {
                "activityId": activity,
                "entries": [{"unitId": unit_id(units[1]), "status": "EXCUSED"}],
            }
        },
        headers=leader,
    )

    counts = corrected["activity"]
    assert (counts["attendedCount"], counts["absentCount"], counts["excusedCount"]) == (3, 0, 1)


async def test_absences_count_in_the_order_activities_were_held(client, community):
    """Recorded late, out of order: the second absence by date is the one that counts, and
    an excused activity between two absences joins them (the rule skips it)."""
    _, units, leader = community
    first, second, third = [await schedule(client, leader, d) for d in (30, 20, 10)]
    for activity in (third, first):
        recorded = await mutate(
            client,
            RECORD,
            {"input": {"activityId": activity, "entries": entries(units, u2="ABSENT")}},
            headers=leader,
        )
        assert recorded["exits"] == []  # the second, not recorded yet, breaks the chain...

    excused = await mutate(
        client,
        RECORD,
        {"input": {"activityId": second, "entries": entries(units, u2="EXCUSED")}},
        headers=leader,
    )

    (gone,) = excused["exits"]  # ...until it turns out to be excused: skipped, not a break
    assert gone["unit"]["name"] == units[2].name
    assert gone["evidence"] == [first, third]


async def test_absences_chain_by_the_date_held_not_the_order_scheduled(client, community):
    """Scheduled out of date order (10, 30, then 20 days ago): by date the unit attended 30
    days ago and missed the last two; in the order scheduled, its attendance would lie
    between the two absences."""
    _, units, leader = community
    latest, earliest, middle = [await schedule(client, leader, d) for d in (10, 30, 20)]
    for activity, status in [(earliest, "ATTENDED"), (latest, "ABSENT")]:
        recorded = await mutate(
            client,
            RECORD,
            {"input": {"activityId": activity, "entries": entries(units, u2=status)}},
            headers=leader,
        )
        assert recorded["exits"] == []

    second = await mutate(
        client,
        RECORD,
        {"input": {"activityId": middle, "entries": entries(units, u2="ABSENT")}},
        headers=leader,
    )

    (gone,) = second["exits"]
    assert (gone["unit"]["name"], gone["evidence"]) == (units[2].name, [middle, latest])


async def record_one(client, headers, activity: str, unit, status: str) -> dict:
    return await mutate(
        client,
        RECORD,
        {
            "input": {
                "activityId": activity,
                "entries": [{"unitId": unit_id(unit), "status": status}],
            }
        },
        headers=headers,
    )


@pytest.mark.parametrize("corrected_to", ["ABSENT", "EXCUSED"])
async def test_correcting_the_attendance_between_two_absences_enacts_the_exit(
    client, community, corrected_to
):
    """ABSENT, ATTENDED, ABSENT: no chain. The middle one corrected to an absence (or an
    excuse, which the rule skips) makes two absences in a row, and the unit leaves as it
    would had the correction been the first recording."""
    _, units, leader = community
    first, second, third = [await schedule(client, leader, d) for d in (30, 20, 10)]
    for activity, status in ((first, "ABSENT"), (second, "ATTENDED"), (third, "ABSENT")):
        recorded = await record_one(client, leader, activity, units[2], status)
        assert recorded["exits"] == []

    corrected = await record_one(client, leader, second, units[2], corrected_to)

    (gone,) = corrected["exits"]
    assert gone["unit"]["name"] == units[2].name
    assert gone["evidence"] == ([first, second] if corrected_to == "ABSENT" else [first, third])
    page = await gql(client, '{ community(slug: "yrd") { memberCount } }')
    assert page["data"]["community"]["memberCount"] == 3


async def test_an_exit_stays_when_its_evidence_is_corrected_to_an_excuse(
    client, runtime, community
):
    """Two absences enacted the exit; correcting the second to an excuse changes the record
    but not the exit: the project group reverses exits, with a reason (`reinstate`)."""
    _, units, leader = community
    first, second = [await schedule(client, leader, d) for d in (20, 10)]
    await record_one(client, leader, first, units[2], "ABSENT")
    enacted = await record_one(client, leader, second, units[2], "ABSENT")
    assert len(enacted["exits"]) == 1

    corrected = await record_one(client, leader, second, units[2], "EXCUSED")

    assert corrected["exits"] == []
    assert corrected["activity"]["excusedCount"] == 1
    page = await gql(client, '{ community(slug: "yrd") { memberCount } }')
    assert page["data"]["community"]["memberCount"] == 3


async def test_the_exit_notice_names_the_two_activities_by_title_and_date(
    client, runtime, community
):
    _, units, leader = community
    first = await schedule(client, leader, 20, title="社区教育研讨会")
    second = await schedule(client, leader, 10, title="老年教育培训")
    for activity in (first, second):
        await record_one(client, leader, activity, units[3], "ABSENT")

    async with runtime.database.transaction() as session:
        (body,) = set((await session.scalars(select(Notification.body))).all())

    on = [today() - dt.timedelta(days=n) for n in (20, 10)]
    assert (
        f"依据：“社区教育研讨会”（{on[0].year}年{on[0].month}月{on[0].day}日）、"
        f"“老年教育培训”（{on[1].year}年{on[1].month}月{on[1].day}日）。"
    ) in body
    assert "Activity:" not in body


async def test_the_project_group_reinstates_a_unit_and_its_old_absences_are_spent(
    client, runtime, community
):
    _, units, leader = community
    _, pg_token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    activities = [await schedule(client, leader, d) for d in (30, 20, 10)]
    for activity in activities[:2]:
        recorded = await mutate(
            client,
            RECORD,
            {"input": {"activityId": activity, "entries": entries(units, u3="ABSENT")}},
            headers=leader,
        )
    (exit_,) = recorded["exits"]
    unexplained = await refusal(
        client,
        REINSTATE,
        {"input": {"exitId": exit_["id"], "reason": " "}},
        headers=bearer(pg_token),
    )
    assert (unexplained["code"], unexplained["field"]) == ("INVALID_INPUT", "reason")

    back = await mutate(
        client,
        REINSTATE,
        {"input": {"exitId": exit_["id"], "reason": "缺席系因疫情封控，经核实予以恢复"}},
        headers=bearer(pg_token),
    )
    assert back["exit"]["reinstatedOn"] == today().isoformat()
    one_more = await mutate(
        client,
        RECORD,
        {"input": {"activityId": activities[2], "entries": entries(units[:3], u3="ABSENT")}},
        headers=leader,
    )

    assert one_more["exits"] == []  # a fresh start: one absence is not two
    page = await gql(client, '{ community(slug: "yrd") { memberCount } }')
    assert page["data"]["community"]["memberCount"] == 4
    again = await refusal(
        client,
        REINSTATE,
        {"input": {"exitId": exit_["id"], "reason": "重复"}},
        headers=bearer(pg_token),
    )
    assert again["code"] == "INVALID_TRANSITION"


async def test_two_absences_from_project_activities_end_a_sites_place_in_the_programme(
    client, runtime
):
    """Project-wide activities expect every active site; two absences in a row and the site
    leaves the programme and so every community, and its leader is told."""
    community, units = await make_community(
        runtime, "yrd", size=3, cycle_start=today() - dt.timedelta(days=400)
    )
    elsewhere = await make_units(runtime, 2)
    leader, _ = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    _, pg_token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    pg = bearer(pg_token)
    everyone = [*units, *elsewhere]

    exits = []
    for held in (60, 30):
        activity = await mutate(
            client,
            SCHEDULE,
            {
                "input": {
                    "kind": "LEARNING_WEEK",
                    "title": "全民终身学习活动周",
                    "heldOn": days_ago(held),
                }
            },
            headers=pg,
        )
        assert activity["activity"]["expectedCount"] == 5
        recorded = await mutate(
            client,
            RECORD,
            {
                "input": {
                    "activityId": activity["activity"]["id"],
                    "entries": entries(everyone, u1="ABSENT"),
                }
            },
            headers=pg,
        )
        exits.append(recorded["exits"])

    assert exits[0] == []
    (gone,) = exits[1]
    assert (gone["scope"], gone["kind"], gone["community"]) == ("PROGRAMME", "AUTO_EXITED", None)
    site = await gql(
        client,
        "query ($id: ID!) { node(id: $id) { ... on Unit { siteStatus } } }",
        {"id": unit_id(units[1])},
    )
    assert site["data"]["node"]["siteStatus"] == "AUTO_EXITED"
    page = await gql(client, '{ community(slug: "yrd") { memberCount } }')
    assert page["data"]["community"]["memberCount"] == 2
    async with runtime.database.transaction() as session:
        told = (await session.execute(select(Notification.user_id, Notification.body))).all()
    assert [user for user, _ in told] == [leader.id]
    held = today() - dt.timedelta(days=30)
    assert f"“全民终身学习活动周”（{held.year}年{held.month}月{held.day}日）。" in told[0][1]


async def test_an_excuse_corrected_between_two_project_absences_ends_the_sites_place(
    client, runtime
):
    """The same for project-wide activities: ABSENT, ATTENDED, ABSENT, then the middle one
    corrected to EXCUSED, and the site leaves the programme."""
    _, units = await make_community(
        runtime, "yrd", size=4, cycle_start=today() - dt.timedelta(days=400)
    )
    _, pg_token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    pg = bearer(pg_token)
    held = []
    for days, status in ((60, "ABSENT"), (40, "ATTENDED"), (20, "ABSENT")):
        scheduled = await mutate(
            client,
            SCHEDULE,
            {"input": {"kind": "TRAINING", "title": "全国培训", "heldOn": days_ago(days)}},
            headers=pg,
        )
        held.append(scheduled["activity"]["id"])
        recorded = await record_one(client, pg, held[-1], units[1], status)
        assert recorded["exits"] == []

    corrected = await record_one(client, pg, held[1], units[1], "EXCUSED")

    (gone,) = corrected["exits"]
    assert (gone["scope"], gone["evidence"]) == ("PROGRAMME", [held[0], held[2]])
    page = await gql(client, '{ community(slug: "yrd") { memberCount } }')
    assert page["data"]["community"]["memberCount"] == 3


async def test_only_the_project_group_schedules_a_project_wide_activity(client, community, owner):
    _, _, leader = community
    before = await row_counts(owner)

    body = await gql(
        client,
        SCHEDULE,
        {"input": {"kind": "TRAINING", "title": "全国培训", "heldOn": days_ago(1)}},
        headers=leader,
    )

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await row_counts(owner) == before


async def upload(client, headers, data: bytes, filename: str) -> str:
    named = {**headers, "X-Filename": quote(filename)}  # header values are ASCII
    response = await client.post("/uploads", content=data, headers=named)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_a_sign_in_sheet_records_its_good_rows_and_reports_the_bad(client, community):
    _, units, leader = community
    activity = await schedule(client, leader, 2)
    sheet = "\n".join(
        [
            "单位名称,行政区划代码,出勤情况",
            f"{units[0].name},{units[0].division_code},出席",
            f",{units[1].division_code},请假",
            "不相干的单位,999999,出席",
            f"{units[2].name},,迟到",
            f"{units[0].name},,缺席",
            "",
            f"{units[3].name},,缺席",
        ]
    ).encode()
    upload_id = await upload(client, leader, sheet, "签到表.csv")

    imported = await mutate(
        client, IMPORT, {"input": {"activityId": activity, "uploadId": upload_id}}, headers=leader
    )

    assert imported["accepted"] == 3
    assert [r["line"] for r in imported["rejected"]] == [4, 5, 6]
    assert "不在本次活动的应到名单中" in imported["rejected"][0]["message"]
    assert "迟到" in imported["rejected"][1]["message"]
    assert "重复" in imported["rejected"][2]["message"]
    counts = imported["activity"]
    assert (counts["attendedCount"], counts["absentCount"], counts["excusedCount"]) == (1, 1, 1)


async def test_an_xlsx_sign_in_sheet_is_read_too(client, community):
    _, units, leader = community
    activity = await schedule(client, leader, 2)
    book = openpyxl.Workbook()
    book.active.append(["行政区划代码", "出勤"])
    for unit in units:
        book.active.append([unit.division_code, "ABSENT" if unit is units[1] else "出席"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload_id = await upload(client, leader, buffer.getvalue(), "sign-in.xlsx")

    imported = await mutate(
        client,
        IMPORT,
        {"input": {"activityId": activity, "uploadId": upload_id}},
        headers={**leader, "Accept-Language": "en"},
    )

    assert (imported["accepted"], imported["rejected"]) == (4, [])
    assert imported["activity"]["absentCount"] == 1


async def test_a_sheet_without_the_needed_columns_changes_nothing(client, community, owner):
    _, units, leader = community
    activity = await schedule(client, leader, 2)
    upload_id = await upload(client, leader, f"名称\n{units[0].name}\n".encode(), "bad.csv")
    before = await row_counts(owner)

    error = await refusal(
        client, IMPORT, {"input": {"activityId": activity, "uploadId": upload_id}}, headers=leader
    )

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "uploadId")
    assert await row_counts(owner) == before


def csv_sheet(*rows: str) -> bytes:
    return "\n".join(["单位名称,出勤情况", *rows]).encode()


@pytest.mark.parametrize("rows", [5_000, 5_001])
async def test_a_sheet_has_at_most_5000_rows(client, community, owner, rows):
    _, units, leader = community
    activity = await schedule(client, leader, 2)
    sheet = csv_sheet(f"{units[0].name},出席", *[f"不相干的单位{i},出席" for i in range(rows - 1)])
    upload_id = await upload(client, leader, sheet, "签到表.csv")
    before = await row_counts(owner)

    body = await gql(
        client, IMPORT, {"input": {"activityId": activity, "uploadId": upload_id}}, headers=leader
    )

    payload = body["data"]["importAttendance"]
    if rows == 5_000:
        assert (payload["accepted"], payload["rejectedCount"]) == (1, 4_999)
    else:
        (error,) = payload["errors"]
        assert (error["code"], error["field"]) == ("INVALID_INPUT", "uploadId")
        assert "5000" in error["message"]
        assert await row_counts(owner) == before
        assert await attendance_recorded(owner) == 0


async def test_the_first_200_rejected_rows_are_returned_and_all_counted(client, community):
    _, units, leader = community
    activity = await schedule(client, leader, 2)
    sheet = csv_sheet(
        *[f"{unit.name},出席" for unit in units], *[f"不相干的单位{i},出席" for i in range(300)]
    )
    upload_id = await upload(client, leader, sheet, "签到表.csv")

    imported = await mutate(
        client, IMPORT, {"input": {"activityId": activity, "uploadId": upload_id}}, headers=leader
    )

    assert (imported["accepted"], imported["rejectedCount"]) == (4, 300)
    assert [r["line"] for r in imported["rejected"]] == list(range(6, 206))  # header, 4 units


async def test_a_big_sheet_is_read_while_the_server_keeps_answering(client, community):
    """A 5,000-row .xlsx takes the CPU a while to read. Read on the event loop (as it was),
    every other request waited for it; read in a thread, a ticker on the loop keeps ticking.
    The bound is relative (half of the same read done on the loop), so a slow, shared machine
    slows both sides alike. The sheet is wide (60 remark columns) so that its read, a second
    or more, dwarfs the pauses a thread still causes on a busy machine (the GIL, the other
    processes: up to a quarter of a second seen here)."""
    _, units, leader = community
    activity = await schedule(client, leader, 2)
    book = openpyxl.Workbook()
    book.active.append(["单位名称", "出勤情况", *(f"备注{i}" for i in range(60))])
    for i in range(5_000):
        book.active.append([units[i % 4].name if i < 4 else f"单位{i}", "出席", *range(60)])
    buffer = io.BytesIO()
    book.save(buffer)
    upload_id = await upload(client, leader, buffer.getvalue(), "sign-in.xlsx")
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.001)

    ticker = asyncio.create_task(tick())
    try:
        imported = await mutate(
            client,
            IMPORT,
            {"input": {"activityId": activity, "uploadId": upload_id}},
            headers=leader,
        )
    finally:
        ticker.cancel()
    started = time.perf_counter()
    sheets.read_sheet(buffer.getvalue())
    on_the_loop = time.perf_counter() - started

    assert (imported["accepted"], imported["rejectedCount"]) == (4, 4_996)
    longest_wait = max(later - earlier for earlier, later in itertools.pairwise(ticks))
    assert longest_wait < on_the_loop / 2
