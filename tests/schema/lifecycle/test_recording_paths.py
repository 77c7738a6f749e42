"""A recording is one unit of work (`server/activities/service.py`, `record_in`), whichever
way it comes in (`recordAttendance`, a sign-in sheet) and whichever connection it runs on (the
driver alone when every unit attended, the ORM session's when an exit may follow). These
tests would fail had the ways drifted apart: the same recordings leave the same rows, exit,
notices and audit entries; and recordings of one activity made every way at once queue on its
row and leave one recording's marks, with counts that agree with them."""

import asyncio
import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import text

from schema.core import ids
from server.activities.service import COMMUNITY_EXIT_REASON
from server.clock import today
from tests.eventually import eventually
from tests.factories import bearer, make_community, make_user
from tests.graphql import mutate
from tests.schema.lifecycle.operations import IMPORT, RECORD, SCHEDULE
from tests.state import waiting_on_a_lock

SHEET_WORDS = {"ATTENDED": "出席", "ABSENT": "缺席", "EXCUSED": "请假"}


async def schedule(client, headers, days_ago: int) -> str:
    held = (today() - dt.timedelta(days=days_ago)).isoformat()
    payload = await mutate(
        client,
        SCHEDULE,
        {"input": {"communitySlug": "yrd", "kind": "SEMINAR", "title": "研讨会", "heldOn": held}},
        headers=headers,
    )
    return payload["activity"]["id"]


async def by_mutation(client, headers, activity: str, units, statuses: list[str]) -> dict:
    entries = [
        {"unitId": ids.encode("Unit", u.id), "status": s}
        for u, s in zip(units, statuses, strict=True)
    ]
    return await mutate(
        client, RECORD, {"input": {"activityId": activity, "entries": entries}}, headers=headers
    )


async def by_sheet(client, headers, activity: str, units, statuses: list[str]) -> dict:
    rows = [f"{u.name},{SHEET_WORDS[s]}" for u, s in zip(units, statuses, strict=True)]
    sheet = "\n".join(["单位名称,出勤情况", *rows]).encode()
    uploaded = await client.post(
        "/uploads", content=sheet, headers={**headers, "X-Filename": quote("签到表.csv")}
    )
    assert uploaded.status_code == 201, uploaded.text
    return await mutate(
        client,
        IMPORT,
        {"input": {"activityId": activity, "uploadId": uploaded.json()["id"]}},
        headers=headers,
    )


WAYS_IN = {"recordAttendance": by_mutation, "importAttendance": by_sheet}

# The marks of u0..u3 at three activities held 30, 20 and 10 days ago: u2 misses the last two,
# the excuse between is another unit's.
MARKS = {
    "first": ["ATTENDED"] * 4,
    "second": ["ATTENDED", "ATTENDED", "ABSENT", "EXCUSED"],
    "third": ["ATTENDED", "ATTENDED", "ABSENT", "ATTENDED"],
}


async def what_a_recording_leaves(owner, units, activities: list[str]) -> dict[str, Any]:
    """The rows recordings write, their ids named as the test knows them (u0..u3, first..
    third), timestamps only as set or not."""
    unit = {u.id: f"u{i}" for i, u in enumerate(units)}
    keys = [ids.decode(a)[1] for a in activities]
    activity = {key[1]: name for key, name in zip(keys, ["first", "second", "third"], strict=True)}
    ref = {f"Activity:{c}:{a}": activity[a] for c, a in keys}

    def named(value: Any) -> Any:
        if isinstance(value, dict):
            return {unit.get(int(k)) if k.isdigit() else k: named(v) for k, v in value.items()}
        if isinstance(value, list):
            return [ref.get(v, v) for v in value]
        return value

    async with owner.connect() as conn:

        async def rows(sql: str) -> list[tuple]:
            return [tuple(row) for row in (await conn.execute(text(sql))).all()]

        marks = await rows(
            "SELECT a.activity_id, a.unit_id, a.status, u.email, a.recorded_at IS NOT NULL "
            "FROM attendance a LEFT JOIN users u ON u.id = a.recorded_by "
            "ORDER BY a.activity_id, a.unit_id"
        )
        counts = await rows(
            "SELECT id, expected_count, attended_count, absent_count, excused_count, "
            "attendance_recorded_at IS NOT NULL FROM activities ORDER BY id"
        )
        members = await rows(
            "SELECT unit_id, status, left_on, left_reason FROM memberships ORDER BY unit_id"
        )
        exits = await rows(
            "SELECT unit_id, scope, kind, exited_on, reason, evidence FROM exits ORDER BY id"
        )
        notices = await rows(
            "SELECT u.email, n.kind, n.title, n.body FROM notifications n "
            "JOIN users u ON u.id = n.user_id ORDER BY u.email"
        )
        audit = await rows(
            "SELECT a.action, a.target_type, a.target_id, u.email, a.before, a.after "
            "FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id "
            "WHERE a.action NOT LIKE 'upload%' ORDER BY a.id"
        )
    return {
        "marks": [(activity[a], unit[u], s, by, at) for a, u, s, by, at in marks],
        "counts": [(activity[a], *rest) for a, *rest in counts],
        "members": [(unit[u], *rest) for u, *rest in members],
        "exits": [(unit[u], *rest[:-1], named(rest[-1])) for u, *rest in exits],
        "notices": notices,
        "audit": [
            (
                action,
                kind,
                activity[int(target)] if kind == "Activity" else unit[int(target)],
                by,
                named(before),
                named(after),
            )
            for action, kind, target, by, before, after in audit
        ],
    }


@pytest.mark.parametrize("way_in", WAYS_IN)
async def test_the_same_recordings_leave_the_same_state_whichever_way_they_come(
    client, runtime, owner, way_in
):
    """Three activities; u2 attends the first and misses the next two: two consecutive
    unexcused absences, and it leaves the community (Art. 12), its staff and the leader told.
    The first recording, every unit present, runs on the driver when it comes by mutation and
    on the ORM's connection when it comes by sheet."""
    community, units = await make_community(
        runtime, "yrd", size=4, cycle_start=today() - dt.timedelta(days=400)
    )
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    await make_user(runtime, "staff@example.cn", unit_id=units[2].id)
    leader = bearer(token)
    activities = [await schedule(client, leader, d) for d in (30, 20, 10)]
    record = WAYS_IN[way_in]

    answers = [
        await record(client, leader, activity, units, marks)
        for activity, marks in zip(activities, MARKS.values(), strict=True)
    ]

    assert [len(a["exits"]) for a in answers] == [0, 0, 1]
    assert answers[2]["exits"][0]["unit"]["name"] == units[2].name
    assert [
        (
            a["activity"]["attendedCount"],
            a["activity"]["absentCount"],
            a["activity"]["excusedCount"],
        )
        for a in answers
    ] == [(4, 0, 0), (2, 1, 1), (3, 1, 0)]
    left = await what_a_recording_leaves(owner, units, activities)
    leader_email = "leader@example.cn"
    assert left["marks"] == [
        (a, f"u{i}", s, leader_email, True)
        for a, marks in MARKS.items()
        for i, s in enumerate(marks)
    ]
    assert left["counts"] == [
        ("first", 4, 4, 0, 0, True),
        ("second", 4, 2, 1, 1, True),
        ("third", 4, 3, 1, 0, True),
    ]
    assert left["members"] == [
        ("u0", "ACTIVE", None, None),
        ("u1", "ACTIVE", None, None),
        ("u2", "AUTO_EXITED", today(), COMMUNITY_EXIT_REASON),
        ("u3", "ACTIVE", None, None),
    ]
    assert left["exits"] == [
        ("u2", "COMMUNITY", "AUTO_EXITED", today(), COMMUNITY_EXIT_REASON, ["second", "third"])
    ]
    (notice_to_leader, notice_to_staff) = left["notices"]
    assert [n[0] for n in left["notices"]] == [leader_email, "staff@example.cn"]
    assert notice_to_leader[1:] == notice_to_staff[1:]
    assert notice_to_leader[1:3] == ("exit.auto", f"{units[2].name}已视为自动退出yrd共同体")
    held = {
        a: (today() - dt.timedelta(days=d)).isoformat()
        for a, d in zip(MARKS, (30, 20, 10), strict=True)
    }
    assert left["audit"] == [
        *(
            (
                "activity.schedule",
                "Activity",
                a,
                leader_email,
                None,
                {"kind": "SEMINAR", "heldOn": on, "expected": 4},
            )
            for a, on in held.items()
        ),
        *(
            (
                "attendance.record",
                "Activity",
                a,
                leader_email,
                None,
                {f"u{i}": s for i, s in enumerate(marks)},
            )
            for a, marks in MARKS.items()
        ),
        (
            "membership.auto_exit",
            "Unit",
            "u2",
            None,
            {"status": "ACTIVE"},
            {"status": "AUTO_EXITED", "evidence": ["second", "third"]},
        ),
    ]


async def test_recordings_of_one_activity_made_every_way_at_once_queue_on_its_row(
    client, runtime, owner
):
    """Six recordings of one activity at once, two each way: by mutation with every unit
    given present (the driver), by mutation with absences (the ORM's connection) and by
    sheet, each marking two of the four units. Its row is held locked until all six wait.
    Then none fails (no deadlock), and the counts agree with the marks: each recording
    recounted after the one before it had committed, not from what it saw when it began."""
    community, units = await make_community(
        runtime, "yrd", size=4, cycle_start=today() - dt.timedelta(days=400)
    )
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    leader = bearer(token)
    activity = await schedule(client, leader, 10)
    _, activity_id = ids.decode(activity)[1]
    u0, u1, u2, u3 = units
    recordings = [
        (by_mutation, [u0, u1], ["ATTENDED", "ATTENDED"]),
        (by_mutation, [u2, u3], ["ATTENDED", "ATTENDED"]),
        (by_mutation, [u0, u1], ["ABSENT", "EXCUSED"]),
        (by_mutation, [u2, u3], ["EXCUSED", "ABSENT"]),
        (by_sheet, [u0, u3], ["ABSENT", "ATTENDED"]),
        (by_sheet, [u1, u2], ["ABSENT", "ATTENDED"]),
    ]

    async with owner.begin() as holding:
        await holding.execute(
            text("SELECT 1 FROM activities WHERE id = :a FOR UPDATE"), {"a": activity_id}
        )
        made = [
            asyncio.ensure_future(record(client, leader, activity, some, marks))
            for record, some, marks in recordings
        ]
        await eventually(
            lambda: _at_least(owner, len(recordings)), within=30, what="all six waiting"
        )
    answers = await asyncio.gather(*made)

    assert [a["errors"] for a in answers] == [[]] * len(recordings)
    async with owner.connect() as conn:
        marks = [
            s
            for (s,) in await conn.execute(
                text("SELECT status FROM attendance WHERE activity_id = :a ORDER BY unit_id"),
                {"a": activity_id},
            )
        ]
        counts = tuple(
            (
                await conn.execute(
                    text(
                        "SELECT attended_count, absent_count, excused_count FROM activities "
                        "WHERE id = :a"
                    ),
                    {"a": activity_id},
                )
            ).one()
        )
        logged = await conn.scalar(
            text("SELECT count(*) FROM audit_log WHERE action = 'attendance.record'")
        )
    assert None not in marks
    assert counts == tuple(marks.count(s) for s in ("ATTENDED", "ABSENT", "EXCUSED"))
    assert logged == len(recordings)


async def _at_least(owner, waiting: int) -> bool:
    return await waiting_on_a_lock(owner) >= waiting
