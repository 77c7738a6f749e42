"""`gongxue serve` as a process under what production does to it, each bounded to seconds:
a short load from concurrent clients (no error, every count matches), SIGTERM under load
(what was answered is all there, nothing in flight is cut off) and `kill -9` in the middle of
writes (every recording is either wholly there or not at all). On this run's PostgreSQL and
Redis (`fresh_database`); the embedded servers are `test_embedded.py`'s subject."""

import asyncio
import datetime as dt
import itertools
import signal
import subprocess
import time

import httpx
import pytest
from sqlalchemy import text

from schema.core import ids
from server.clock import today
from tests.cli import GONGXUE, cli_env, free_port
from tests.eventually import eventually
from tests.factories import bearer, make_community, make_user

CLIENTS = 8
LOAD_SECONDS = 5
SCHEDULE = """
mutation ($input: ScheduleActivityInput!) {
  scheduleActivity(input: $input) { activity { id } errors { code } }
}"""
RECORD = """
mutation ($input: RecordAttendanceInput!) {
  recordAttendance(input: $input) { activity { attendedCount excusedCount } errors { code } }
}"""
READ = '{ community(slug: "yrd") { name activities(first: 5) { totalCount } } }'


@pytest.fixture
async def leader(runtime):
    community, units = await make_community(
        runtime, "yrd", size=4, cycle_start=today() - dt.timedelta(days=400)
    )
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    return bearer(token), [ids.encode("Unit", u.id) for u in units]


@pytest.fixture
def serve(services, settings, leader):
    """Started after the leader's grant is made: it loads the grants as it starts."""
    port = free_port()
    process = subprocess.Popen(
        [GONGXUE, "serve", "--port", str(port), "--no-worker"],
        env=cli_env(services, settings, GONGXUE_ACCESS_LOG="false"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, "did not start"
        time.sleep(0.2)
    yield process, base
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


class Writer:
    """One client: schedules an activity, records all four units for it, reads the page;
    again and again. It keeps what the server confirmed."""

    def __init__(
        self,
        base: str,
        headers: dict,
        units: list[str],
        days: itertools.count,
        keep_alive: bool = True,
    ):
        self.base, self.headers, self.units, self.days = base, headers, units, days
        # Without keep-alive a request is never sent on a connection the server is closing.
        self.limits = httpx.Limits(max_keepalive_connections=None if keep_alive else 0)
        self.scheduled = 0
        self.recorded: dict[str, str] = {}  # activity id -> status confirmed for all four
        self.failures: list[str] = []

    async def post(self, client: httpx.AsyncClient, query: str, variables=None) -> dict:
        answer = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers
        )
        body = answer.json()
        if answer.status_code != 200 or "errors" in body:
            self.failures.append(f"{answer.status_code} {body}")
        return body.get("data") or {}

    async def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(base_url=self.base, timeout=30, limits=self.limits) as client:
            while time.monotonic() < deadline:
                held = (today() - dt.timedelta(days=1 + next(self.days) % 300)).isoformat()
                made = await self.post(
                    client,
                    SCHEDULE,
                    {
                        "input": {
                            "communitySlug": "yrd",
                            "kind": "SEMINAR",
                            "title": "研讨会",
                            "heldOn": held,
                        }
                    },
                )
                payload = made.get("scheduleActivity") or {}
                if payload.get("errors") or not payload.get("activity"):
                    self.failures.append(f"schedule: {made}")
                    continue
                self.scheduled += 1
                activity = payload["activity"]["id"]
                status = "ATTENDED" if self.scheduled % 2 else "EXCUSED"
                entries = [{"unitId": u, "status": status} for u in self.units]
                recorded = await self.post(
                    client, RECORD, {"input": {"activityId": activity, "entries": entries}}
                )
                if (recorded.get("recordAttendance") or {}).get("errors") == []:
                    self.recorded[activity] = status
                await self.post(client, READ)


async def _recorded_in_database(owner) -> dict[int, list[str | None]]:
    async with owner.connect() as conn:
        rows = await conn.execute(
            text("SELECT activity_id, status FROM attendance ORDER BY activity_id, unit_id")
        )
        held: dict[int, list[str | None]] = {}
        for activity_id, status in rows:
            held.setdefault(activity_id, []).append(status)
    return held


def _activity_key(encoded: str) -> int:
    return ids.decode(encoded)[1][1]


async def _every_client_has_written(writers: list[Writer]) -> None:
    """The signal lands under full load: each client has had two recordings confirmed (more
    activities than clients, as the tests require) and goes on writing (for twice the load
    time), whatever the machine's speed."""
    await eventually(
        lambda: all(len(w.recorded) >= 2 for w in writers),
        within=LOAD_SECONDS,
        what="every client writing",
    )


async def test_a_short_load_gives_no_error_and_every_count_matches(serve, leader, owner):
    _, base = serve
    headers, units = leader
    days = itertools.count()
    writers = [Writer(base, headers, units, days) for _ in range(CLIENTS)]

    await asyncio.gather(*(w.run(LOAD_SECONDS) for w in writers))

    held = await _recorded_in_database(owner)
    assert [f for w in writers for f in w.failures] == []
    assert sum(w.scheduled for w in writers) == len(held) > CLIENTS
    confirmed = {_activity_key(a): s for w in writers for a, s in w.recorded.items()}
    assert {a: statuses for a, statuses in held.items()} == {
        a: [s] * len(units) for a, s in confirmed.items()
    }


async def test_sigterm_under_load_answers_what_it_took_and_stops_cleanly(serve, leader, owner):
    process, base = serve
    headers, units = leader
    days = itertools.count()
    writers = [Writer(base, headers, units, days, keep_alive=False) for _ in range(CLIENTS)]

    async def write(writer: Writer) -> None:
        try:
            await writer.run(LOAD_SECONDS * 2)
        except httpx.TransportError:
            pass  # refused (or reset unaccepted in the backlog) once it stops listening

    load = asyncio.gather(*(write(w) for w in writers))
    await _every_client_has_written(writers)
    process.send_signal(signal.SIGTERM)
    await load
    code = await asyncio.to_thread(process.wait, 30)

    held = await _recorded_in_database(owner)
    assert [f for w in writers for f in w.failures] == []  # no request answered with an error
    assert code == 0
    # Nothing done without its answer reaching the client: as many activities as confirmed,
    # and every confirmed recording there in full.
    assert len(held) == sum(w.scheduled for w in writers) > CLIENTS
    for writer in writers:
        for activity, status in writer.recorded.items():
            assert held[_activity_key(activity)] == [status] * len(units)


async def test_kill_9_in_the_middle_of_writes_leaves_nothing_half_written(serve, leader, owner):
    process, base = serve
    headers, units = leader
    days = itertools.count()
    writers = [Writer(base, headers, units, days) for _ in range(CLIENTS)]

    async def write(writer: Writer) -> None:
        try:
            await writer.run(LOAD_SECONDS * 2)
        except httpx.HTTPError:
            pass  # killed under it

    load = asyncio.gather(*(write(w) for w in writers))
    await _every_client_has_written(writers)
    process.kill()
    await load

    held = await _recorded_in_database(owner)
    assert sum(len(w.recorded) for w in writers) > 0  # it was killed mid-load, not before
    for activity, statuses in held.items():
        # four units, one recording each time: all four recorded alike, or none yet
        assert len(statuses) == len(units), activity
        assert len(set(statuses)) == 1, (activity, statuses)
