"""Running what is queued with a real arq worker on the real Redis, until the queue is empty."""

from arq.connections import RedisSettings
from arq.worker import Worker

from server.worker import WorkerSettings


async def drain(runtime) -> None:
    worker = Worker(
        functions=WorkerSettings.functions,
        redis_settings=RedisSettings.from_dsn(runtime.services.redis_url),
        burst=True,
        poll_delay=0.05,
        ctx={"runtime": runtime},
        handle_signals=False,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
