import datetime as dt
import uuid

import httpx
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker
from sqlalchemy import select

from schema.asgi import build
from server.communities.models import Community
from server.embedded import ServiceUrls
from server.runtime import open_runtime
from server.vocabulary import CommunityStatus
from server.worker import WorkerSettings
from tests.eventually import eventually
from tests.factories import make_community
from tests.outage import ThrowawayRedis


async def _run_once(runtime, function: str) -> object:
    """Enqueue a job on the real Redis and let a burst worker run it to completion."""
    queue = f"gongxue-test:{uuid.uuid4().hex}"
    redis_settings = RedisSettings.from_dsn(runtime.services.redis_url)
    pool = await create_pool(redis_settings, default_queue_name=queue)
    job = await pool.enqueue_job(function)
    worker = Worker(
        functions=WorkerSettings.functions,
        redis_settings=redis_settings,
        queue_name=queue,
        burst=True,
        poll_delay=0.05,
        ctx={"runtime": runtime},
        handle_signals=False,
    )
    try:
        await worker.main()
        return await job.result(timeout=10)
    finally:
        await worker.close()
        await pool.aclose()


async def test_the_worker_closes_communities_whose_cycle_has_ended(runtime):
    await make_community(runtime, "ended", cycle_start=dt.date(2022, 9, 1))
    await make_community(runtime, "running", cycle_start=dt.date(2025, 9, 1))

    changed = await _run_once(runtime, "mark_ended_cycles")
    again = await _run_once(runtime, "mark_ended_cycles")

    async with runtime.database.transaction() as session:
        statuses = dict((await session.execute(select(Community.slug, Community.status))).all())
    assert statuses == {"ended": CommunityStatus.CYCLE_ENDED, "running": CommunityStatus.ACTIVE}
    assert (changed, again) == (1, 0)


async def test_the_in_process_worker_comes_back_with_redis_and_healthz_tells(
    runtime, settings, services, tmp_path
):
    """`gongxue serve` on the embedded Redis runs the worker in-process: with Redis gone the
    worker stops, /healthz says so; with Redis back the worker is started again and runs
    jobs (the nightly audit does not silently stop)."""
    redis = ThrowawayRedis(tmp_path).start()
    serving = open_runtime(settings, ServiceUrls(services.database_url, redis.url, False, False))
    app = build(serving, run_worker=True)
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as client,
        ):

            async def worker_is(state: str) -> bool:
                return (await client.get("/healthz")).json().get("worker") == state

            await eventually(lambda: worker_is("ok"), within=10)
            redis.kill()
            await eventually(lambda: worker_is("down"), within=10)
            during = await client.get("/healthz")
            redis.start()
            await eventually(lambda: worker_is("ok"), within=15)
            after = await client.get("/healthz")
            await make_community(runtime, "ended", cycle_start=dt.date(2022, 9, 1))
            queue = await create_pool(RedisSettings.from_dsn(redis.url))
            try:
                job = await queue.enqueue_job("mark_ended_cycles")
                await job.result(timeout=10)
            finally:
                await queue.aclose()
    finally:
        redis.kill()

    assert during.status_code == 503
    assert during.json()["worker"] == "down"
    assert after.status_code == 200
    assert after.json() == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}
    async with runtime.database.transaction() as session:
        status = await session.scalar(select(Community.status))
    assert status == CommunityStatus.CYCLE_ENDED  # a job ran after Redis came back
