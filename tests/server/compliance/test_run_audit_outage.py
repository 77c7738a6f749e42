"""`runAudit` while Redis is away: the caller is told SERVICE_UNAVAILABLE and no run is left
QUEUED without a job; a run left waiting anyway (by an older release, or a Redis that lost
its data) is handed to the workers again instead of being returned forever."""

import datetime as dt

import httpx
import pytest
from arq import Retry
from arq.connections import RedisSettings, create_pool
from sqlalchemy import func, select, text

from schema.asgi import build
from server.compliance import tasks
from server.compliance.models import AuditRun
from server.embedded import ServiceUrls
from server.runtime import open_runtime
from server.vocabulary import AuditRunStatus
from tests.factories import bearer, make_community, make_user
from tests.graphql import mutate
from tests.outage import ThrowawayRedis
from tests.server.compliance.worker import drain

ASK = """mutation { runAudit(input: {communitySlug: "yrd"}) {
  auditRun { id status } errors { code } } }"""


async def _runs(owner) -> list[tuple[int, str]]:
    async with owner.connect() as conn:
        rows = await conn.execute(text("SELECT id, status FROM audit_runs ORDER BY id"))
        return [tuple(row) for row in rows]


@pytest.fixture
async def redis_to_lose(tmp_path):
    redis = ThrowawayRedis(tmp_path).start()
    yield redis
    redis.kill()


async def test_with_redis_down_run_audit_is_unavailable_and_leaves_no_run(
    runtime, owner, settings, services, redis_to_lose
):
    community, _ = await make_community(runtime, "yrd", size=3)
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    on_lost = open_runtime(
        settings, ServiceUrls(services.database_url, redis_to_lose.url, False, False)
    )
    await on_lost.start()
    transport = httpx.ASGITransport(app=build(on_lost))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as c:
            redis_to_lose.kill()
            during = await c.post("/graphql", json={"query": ASK}, headers=bearer(token))
            left_during = await _runs(owner)
            redis_to_lose.start()
            after = await mutate(c, ASK, headers=bearer(token))
    finally:
        await on_lost.close()

    assert during.status_code == 503
    assert [e["extensions"]["code"] for e in during.json()["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert left_during == []  # nothing QUEUED that no worker will ever run
    assert after["auditRun"]["status"] == "QUEUED"
    queue = await create_pool(RedisSettings.from_dsn(redis_to_lose.url))
    try:
        jobs = await queue.queued_jobs()
    finally:
        await queue.aclose()
    (run_id, _), *_ = await _runs(owner)
    assert [(j.function, j.args) for j in jobs] == [("run_audit", (run_id,))]


async def test_a_run_left_waiting_without_a_job_is_run_when_asked_again(client, runtime, owner):
    community, _ = await make_community(runtime, "yrd", size=3)
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    async with runtime.database.transaction(community.id) as session:
        orphan = AuditRun(community_id=community.id, status=AuditRunStatus.QUEUED, counts={})
        session.add(orphan)  # committed, never enqueued: what an outage used to leave

    asked = await mutate(client, ASK, headers=bearer(token))
    await drain(runtime)

    assert asked["auditRun"]["status"] == "QUEUED"
    assert await _runs(owner) == [(orphan.id, "SUCCEEDED")]


async def test_the_sweep_enqueues_runs_waiting_over_a_minute_and_leaves_newer_ones(runtime, owner):
    first, _ = await make_community(runtime, "old", size=3)
    second, _ = await make_community(runtime, "new", size=3)
    async with runtime.database.transaction(all_communities=True) as session:
        old = AuditRun(
            community_id=first.id,
            status=AuditRunStatus.QUEUED,
            counts={},
            queued_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=8),
        )
        new = AuditRun(community_id=second.id, status=AuditRunStatus.QUEUED, counts={})
        session.add_all([old, new])

    swept = await tasks.requeue_waiting_runs({"runtime": runtime})
    await drain(runtime)

    assert swept == 1
    assert await _runs(owner) == [(old.id, "SUCCEEDED"), (new.id, "QUEUED")]


async def test_a_job_whose_run_is_not_committed_yet_waits_for_it_then_ends(runtime):
    async with runtime.database.transaction(all_communities=True) as session:
        missing = (await session.scalar(select(func.max(AuditRun.id)))) or 0
    missing += 1000

    with pytest.raises(Retry):
        await tasks.run_audit({"runtime": runtime, "job_try": 1}, missing)
    ended = await tasks.run_audit({"runtime": runtime, "job_try": 5}, missing)

    assert ended is None
