"""`/healthz`: asks the database and Redis for real, each with a deadline, and says whether
the in-process worker is working (when this process runs one)."""

import asyncio

from sqlalchemy import text

from server.runtime import Runtime
from server.worker import InProcessWorker

DEADLINE_SECONDS = 2.0


async def check(runtime: Runtime, worker: InProcessWorker | None = None) -> dict[str, str]:
    database, redis = await asyncio.gather(_database(runtime), _redis(runtime))
    report = {"status": "ok", "database": database, "redis": redis}
    if worker is not None:
        report["worker"] = "ok" if worker.alive else "down"
    if any(value != "ok" for key, value in report.items() if key != "status"):
        report["status"] = "unavailable"
    return report


async def _database(runtime: Runtime) -> str:
    try:
        async with asyncio.timeout(DEADLINE_SECONDS), runtime.database.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure is the answer, named
        return f"error: {type(exc).__name__}"
    return "ok"


async def _redis(runtime: Runtime) -> str:
    try:
        async with asyncio.timeout(DEADLINE_SECONDS):
            await runtime.redis.ping()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"
