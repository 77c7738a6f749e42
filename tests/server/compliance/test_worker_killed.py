"""A worker killed in the middle of a national audit (SIGKILL, no cleanup) leaves every
community either fully audited or untouched (whole chunks of them committed), and running the job again ends exactly where an
uninterrupted run would: against the real Redis and PostgreSQL, with `gongxue worker`."""

import asyncio
import signal
import subprocess

from arq.connections import RedisSettings, create_pool
from sqlalchemy import text

from server.clock import today
from server.compliance import tasks
from server.compliance.checks import check_community
from server.compliance.facts import community_facts
from server.compliance.models import AuditRun
from server.vocabulary import AuditRunStatus, Level
from tests.cli import GONGXUE, cli_env
from tests.eventually import eventually
from tests.factories import make_community
from tests.server.compliance.helpers import audit_now, findings

COMMUNITIES = 150


async def _expected(runtime) -> dict[int, set[tuple[str, str, str]]]:
    async with runtime.database.transaction(all_communities=True) as session:
        facts = await community_facts(session, today(), None)
    return {
        c.id: {(f.rule, f.subject, f.period) for f in check_community(facts, c)}
        for c in facts.communities
    }


async def _held(runtime) -> dict[int, set[tuple[str, str, str]]]:
    held: dict[int, set[tuple[str, str, str]]] = {}
    for f in await findings(runtime):
        held.setdefault(f.community_id, set()).add((f.rule, f.subject, f.period))
    return held


async def _waits_on_a_lock(owner, run_id: int, done: int) -> bool:
    """The run has `done` communities committed and a session of the worker waits on a lock."""
    async with owner.connect() as conn:
        committed = (
            await conn.execute(
                text("SELECT communities_done FROM audit_runs WHERE id = :id"), {"id": run_id}
            )
        ).scalar_one()
        waiting = (
            await conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND state = 'active'"
                )
            )
        ).scalar_one()
    return committed == done and waiting > 0


async def test_a_killed_worker_leaves_no_half_written_community_and_the_rerun_completes(
    runtime, owner, services, settings
):
    for n in range(COMMUNITIES):
        await make_community(runtime, f"c-{n:03d}", size=3 + n % 3, level=Level.COUNTY)
    expected = await _expected(runtime)
    assert all(expected.values())  # every community has something to find
    async with runtime.database.transaction(all_communities=True) as session:
        run = AuditRun(community_id=None, status=AuditRunStatus.QUEUED, counts={})
        session.add(run)
    queue = await create_pool(RedisSettings.from_dsn(services.redis_url))
    await queue.enqueue_job("run_audit", run.id, _job_id=f"audit-run:{run.id}")
    await queue.aclose()
    # Many transactions, one per chunk of 10 communities. The test decides where the worker
    # dies: it holds a lock on the 56th community, so the worker's 6th chunk, writing that
    # community's findings (their key refers to it), waits inside its transaction with the
    # findings of communities 51-55 written and not committed. Killed there, five chunks are
    # done, the sixth is half-written, and nothing depends on how fast the worker runs.
    env = cli_env(services, settings, GONGXUE_AUDIT_CHUNK="10")
    async with owner.connect() as gate:
        await gate.execute(text("SELECT id FROM communities WHERE slug = 'c-055' FOR UPDATE"))
        worker = await asyncio.create_subprocess_exec(
            GONGXUE, "worker", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            await eventually(
                lambda: _waits_on_a_lock(owner, run.id, 50),
                within=60,
                what="the worker to finish five chunks and wait inside the sixth",
            )
            worker.send_signal(signal.SIGKILL)
            await asyncio.wait_for(worker.wait(), timeout=30)
        finally:
            if worker.returncode is None:
                worker.kill()
                await asyncio.wait_for(worker.wait(), timeout=30)
            await gate.rollback()

    async with owner.connect() as conn:
        status, done = (
            await conn.execute(
                text("SELECT status, communities_done FROM audit_runs WHERE id = :id"),
                {"id": run.id},
            )
        ).one()
    assert status == "RUNNING" and 5 <= done < COMMUNITIES, (status, done)
    assert done == 50  # the five chunks before the one it died in
    held = await _held(runtime)
    assert len(held) == done  # the communities it finished, no more
    assert all(held[c] == expected[c] for c in held)  # each one whole

    # arq delivers the job again once its lock runs out; the rerun completes the work.
    counts = await tasks.run_audit({"runtime": runtime, "job_try": 2}, run.id)

    assert counts is not None and counts["communities"] == COMMUNITIES
    assert await _held(runtime) == expected
    uninterrupted = await audit_now(runtime)
    assert (uninterrupted.opened, uninterrupted.resolved) == (0, 0)
    assert await _held(runtime) == expected
