import datetime as dt
import uuid

from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker
from sqlalchemy import select

from server.communities.models import Community
from server.vocabulary import CommunityStatus
from server.worker import WorkerSettings
from tests.factories import make_community


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
