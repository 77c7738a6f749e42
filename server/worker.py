"""The arq worker: `gongxue worker` runs `WorkerSettings`; `gongxue serve` on the embedded
Redis runs the same worker inside the API process."""

import logging
from typing import Any, ClassVar

from arq import cron, func
from arq.connections import RedisSettings
from arq.worker import Worker

from server.clock import PROGRAMME_TIMEZONE
from server.communities.tasks import mark_ended_cycles
from server.compliance.tasks import MAX_TRIES, nightly_audit, run_audit
from server.logs import DataWithheld
from server.runtime import Runtime, locate_services, open_runtime
from server.settings import get_settings

# arq logs a failed job's exception with its message: a database error's data with it.
logging.getLogger("arq.worker").addFilter(DataWithheld())


async def startup(ctx: dict[str, Any]) -> None:
    if "runtime" not in ctx:
        settings = get_settings()
        ctx["runtime"] = open_runtime(settings, locate_services(settings))
        await ctx["runtime"].start()
        ctx["owns_runtime"] = True


async def shutdown(ctx: dict[str, Any]) -> None:
    if ctx.get("owns_runtime"):
        await ctx["runtime"].close()


AUDIT_TIMEOUT_SECONDS = 30 * 60


class WorkerSettings:
    functions: ClassVar = [
        mark_ended_cycles,
        func(run_audit, timeout=AUDIT_TIMEOUT_SECONDS, max_tries=MAX_TRIES),
        func(nightly_audit, timeout=AUDIT_TIMEOUT_SECONDS),
    ]
    cron_jobs: ClassVar = [
        cron(mark_ended_cycles, hour={0}, minute={5}, run_at_startup=True),
        # 03:00 Beijing time, after the day's records are in; one at a time nationally.
        cron(nightly_audit, hour={3}, minute={0}, unique=True, timeout=AUDIT_TIMEOUT_SECONDS),
    ]
    timezone = PROGRAMME_TIMEZONE
    on_startup = startup
    on_shutdown = shutdown
    max_tries = MAX_TRIES
    health_check_interval = 60


def in_process_worker(runtime: Runtime) -> Worker:
    """A worker sharing the API's runtime (embedded Redis: one process does everything)."""
    return Worker(
        functions=WorkerSettings.functions,
        cron_jobs=WorkerSettings.cron_jobs,
        redis_settings=RedisSettings.from_dsn(runtime.services.redis_url),
        ctx={"runtime": runtime},
        on_startup=startup,
        on_shutdown=shutdown,
        timezone=PROGRAMME_TIMEZONE,
        handle_signals=False,
        health_check_interval=60,
    )
