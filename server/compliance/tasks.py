"""The audit jobs arq runs: a requested run, the nightly national audit (03:00 Beijing), and
the sweep that hands the workers any run left waiting without a job."""

import logging
from typing import Any

from arq import Retry

from server.compliance import audit
from server.logs import described
from server.outages import is_outage
from server.runtime import Runtime

MAX_TRIES = 5
# A requested run is enqueued before its request commits; one still waiting after this long
# lost its job (a Redis that lost its data, a run queued by an older release).
WAITING_TOO_LONG_SECONDS = 60
log = logging.getLogger(__name__)

# `ctx: dict[str, Any]`: arq's job context, typed so by arq, each key its own type.


async def run_audit(ctx: dict[str, Any], run_id: int) -> dict[str, int] | None:
    """Idempotent: a finished run is not run again, a killed one starts over and keeps what
    it had finished. A lost database connection is retried with a growing delay."""
    runtime = ctx["runtime"]
    tries = ctx.get("job_try", 1)
    try:
        counts = await audit.run(runtime, run_id)
    except audit.RunNotFound:
        # Enqueued before its request committed: wait for the commit; a request rolled back
        # leaves no run, and this job ends with nothing to do.
        if tries < MAX_TRIES:
            raise Retry(defer=tries) from None
        log.warning("audit run %s was never committed; its job ends", run_id)
        return None
    except Exception as error:
        if is_outage(error) and tries < MAX_TRIES:
            raise Retry(defer=2**tries) from error
        try:
            await audit.fail(runtime, run_id, f"{type(error).__name__}: {described(error)}")
        except Exception:  # the database is still gone: the run stays as it was
            log.exception("audit run %s failed and could not be marked FAILED", run_id)
        raise
    return None if counts is None else counts.__dict__


async def nightly_audit(ctx: dict[str, Any]) -> dict[str, int] | None:
    """The national audit, run at once by the worker the cron fires in."""
    return await run_audit(ctx, await audit.open_run(ctx["runtime"]))


async def requeue_waiting_runs(ctx: dict[str, Any]) -> int:
    """Enqueues again every run waiting longer than it should; a run whose job is still
    queued keeps that one job (same job id)."""
    runtime = ctx["runtime"]
    waiting = await audit.waiting_runs(runtime, WAITING_TOO_LONG_SECONDS)
    for run_id in waiting:
        await enqueue(runtime, run_id)
    return len(waiting)


async def enqueue(runtime: Runtime, run_id: int) -> None:
    """Hands a queued run to the workers."""
    queue = await runtime.queue()
    await queue.enqueue_job("run_audit", run_id, _job_id=f"audit-run:{run_id}")
