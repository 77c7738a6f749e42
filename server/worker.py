"""The arq worker: `gongxue worker` runs `WorkerSettings`; `gongxue serve` on the embedded
Redis runs the same worker inside the API process, started again whenever it stops."""

import asyncio
import contextlib
import dataclasses
import logging
from typing import Any, ClassVar

from arq import cron, func
from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import Function, Worker

from server.clock import PROGRAMME_TIMEZONE
from server.communities.tasks import mark_ended_cycles
from server.compliance.tasks import MAX_TRIES, nightly_audit, requeue_waiting_runs, run_audit
from server.logs import DataWithheld
from server.runtime import Runtime, locate_services, open_runtime
from server.settings import get_settings

# arq logs a failed job's exception with its message: a database error's data with it.
logging.getLogger("arq.worker").addFilter(DataWithheld())
log = logging.getLogger(__name__)

# `ctx: dict[str, Any]`: arq's job context, typed so by arq, each key its own type.


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
    functions: ClassVar[list[Function | WorkerCoroutine]] = [
        mark_ended_cycles,
        func(run_audit, timeout=AUDIT_TIMEOUT_SECONDS, max_tries=MAX_TRIES),
        func(nightly_audit, timeout=AUDIT_TIMEOUT_SECONDS),
        requeue_waiting_runs,
    ]
    cron_jobs: ClassVar[list[CronJob]] = [
        cron(mark_ended_cycles, hour={0}, minute={5}, run_at_startup=True),
        # 03:00 Beijing time, after the day's records are in; one at a time nationally.
        cron(nightly_audit, hour={3}, minute={0}, unique=True, timeout=AUDIT_TIMEOUT_SECONDS),
        # At start and every five minutes: no requested run waits for a job it lost.
        cron(requeue_waiting_runs, minute=set(range(0, 60, 5)), run_at_startup=True),
    ]
    timezone = PROGRAMME_TIMEZONE
    on_startup = startup
    on_shutdown = shutdown
    max_tries = MAX_TRIES
    health_check_interval = 60


# The pause before starting a stopped worker again doubles from the first to the longest; a
# worker that ran this long before stopping starts again after the first pause.
FIRST_PAUSE_SECONDS = 0.5
LONGEST_PAUSE_SECONDS = 30.0
STEADY_SECONDS = 60.0


class InProcessWorker:
    """The worker sharing the API's runtime (embedded Redis: one process does everything).
    It stops when Redis goes away; this starts it again, with a growing pause, for as long as
    the API runs, and says whether it is working (`/healthz`)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.alive = False
        self._worker: Worker | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._supervise())

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _supervise(self) -> None:
        loop = asyncio.get_running_loop()
        pause = FIRST_PAUSE_SECONDS
        while True:
            began = loop.time()
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("the in-process worker stopped (%s: %s)", type(error).__name__, error)
            if loop.time() - began > STEADY_SECONDS:
                pause = FIRST_PAUSE_SECONDS
            log.info("starting the in-process worker again in %.1f s", pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)

    async def _run_once(self) -> None:
        async def started(ctx: dict[str, Any]) -> None:
            self.alive = True

        worker = Worker(
            functions=WorkerSettings.functions,
            # Fresh copies: a cron job remembers its next run, and a started-again worker
            # runs the start-up jobs (the sweep of waiting runs) again.
            cron_jobs=[dataclasses.replace(job, next_run=None) for job in WorkerSettings.cron_jobs],
            redis_settings=RedisSettings.from_dsn(self.runtime.services.redis_url),
            ctx={"runtime": self.runtime},
            on_startup=started,
            # arq types this as a fixed-offset `timezone`; it only hands it to `datetime.now`.
            timezone=PROGRAMME_TIMEZONE,  # type: ignore[arg-type]
            handle_signals=False,
            health_check_interval=60,
        )
        try:
            await worker.async_run()
        finally:
            self.alive = False
            with contextlib.suppress(Exception):  # Redis may be gone: nothing to tell it
                await asyncio.wait_for(worker.close(), 5)
