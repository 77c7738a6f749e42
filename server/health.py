"""`/healthz`: asks the database and Redis for real, each with a deadline."""

import asyncio

from sqlalchemy import text

from server.runtime import Runtime

DEADLINE_SECONDS = 2.0


async def check(runtime: Runtime) -> dict[str, str]:
    database, redis = await asyncio.gather(_database(runtime), _redis(runtime))
    status = "ok" if database == redis == "ok" else "unavailable"
    return {"status": status, "database": database, "redis": redis}


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
