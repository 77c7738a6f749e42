"""The audit jobs arq runs: a requested run, and the nightly national audit (03:00 Beijing)."""

import logging
from typing import Any

from arq import Retry
from asyncpg import PostgresConnectionError
from sqlalchemy.exc import DBAPIError, OperationalError

from server.compliance import audit
from server.logs import described

MAX_TRIES = 5
log = logging.getLogger(__name__)


def _transient(error: BaseException) -> bool:
    if isinstance(error, OperationalError | ConnectionError | OSError | PostgresConnectionError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


async def run_audit(ctx: dict[str, Any], run_id: int) -> dict | None:
    """Idempotent: a finished run is not run again, a killed one starts over and keeps what
    it had finished. A lost database connection is retried with a growing delay."""
    runtime = ctx["runtime"]
    try:
        counts = await audit.run(runtime, run_id)
    except Exception as error:
        tries = ctx.get("job_try", 1)
        if _transient(error) and tries < MAX_TRIES:
            raise Retry(defer=2**tries) from error
        try:
            await audit.fail(runtime, run_id, f"{type(error).__name__}: {described(error)}")
        except Exception:  # the database is still gone: the run stays as it was
            log.exception("audit run %s failed and could not be marked FAILED", run_id)
        raise
    return None if counts is None else counts.__dict__


async def nightly_audit(ctx: dict[str, Any]) -> dict | None:
    """The national audit, run at once by the worker the cron fires in."""
    return await run_audit(ctx, await audit.open_run(ctx["runtime"]))


async def enqueue(runtime, run_id: int) -> None:
    """Hands a queued run to the workers (after the commit that made it)."""
    queue = await runtime.queue()
    await queue.enqueue_job("run_audit", run_id, _job_id=f"audit-run:{run_id}")
