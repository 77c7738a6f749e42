"""A read cancelled while its statement runs (a request whose sibling field failed, a client
gone) ends its transaction before its connection goes back to the pool: no backend of the
application stays inside a transaction holding locks, which would block the next TRUNCATE,
migration or write behind it (docs/testing.md, "When a test hangs")."""

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.db_roles import APP_ROLE
from server.fees.models import FeeSchedule
from server.units.models import Unit
from tests.factories import make_community

# Long enough that a statement still running when the test looks is one left behind.
SLEEP = 20


async def left_in_transaction(owner: AsyncEngine) -> list[tuple[object, ...]]:
    """The application's backends inside a transaction, with the relations they lock."""
    async with owner.connect() as conn:
        found = await conn.execute(
            text(
                "SELECT a.pid, a.state, a.wait_event, left(a.query, 80), "
                "array(SELECT l.relation::regclass::text FROM pg_locks l "
                "      WHERE l.pid = a.pid AND l.relation IS NOT NULL) "
                "FROM pg_stat_activity a "
                "WHERE a.datname = current_database() AND a.usename = :app "
                "AND a.xact_start IS NOT NULL"
            ),
            {"app": APP_ROLE},
        )
        return [tuple(row) for row in found]


async def cancel_mid_statement(work, started: asyncio.Event, cancels: int) -> None:
    """Cancels `work` once its statement is on the server; a second cancel comes while the
    first one's clean-up runs (graphql-core cancels a failed field's siblings, then the
    request itself is cancelled: the client went away)."""
    task = asyncio.create_task(work())
    await started.wait()
    await asyncio.sleep(0.3)  # the statement is on the server now
    for _ in range(cancels):
        task.cancel()
        for _ in range(2):
            await asyncio.sleep(0)  # the task is in its clean-up
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("cancels", [1, 2])
async def test_a_read_cancelled_mid_statement_ends_its_transaction(runtime, owner, cancels):
    community, _ = await make_community(runtime, "yrd-a")
    started = asyncio.Event()

    async def work() -> None:
        async with runtime.database.read(community.id) as read:
            await read.scalars(select(FeeSchedule.id))  # a lock the transaction holds
            started.set()
            await read.scalar(select(func.pg_sleep(SLEEP)))

    await cancel_mid_statement(work, started, cancels)

    assert await left_in_transaction(owner) == []
    # Every pooled connection still reads (or was discarded, and another opened).
    for _ in range(runtime.settings.db_pool_size + 1):
        async with runtime.database.read(community.id) as read:
            assert await read.scalar(select(func.count()).select_from(Unit)) >= 1


@pytest.mark.timeout(60)
@pytest.mark.parametrize("cancels", [1, 2])
async def test_a_read_cancelled_while_it_waits_for_a_lock_ends_its_transaction(
    runtime, owner, cancels
):
    """The statement waits behind a migration's (or a TRUNCATE's) lock; cancelled, the
    read neither keeps waiting nor keeps the locks it took before."""
    community, _ = await make_community(runtime, "yrd-a")
    started = asyncio.Event()

    async def work() -> None:
        async with runtime.database.read(community.id) as read:
            await read.scalars(select(Unit.id))
            started.set()
            await read.scalars(select(FeeSchedule.id).where(FeeSchedule.year > 2000))

    async with owner.connect() as migration:
        await migration.execute(text("LOCK TABLE fee_schedules IN ACCESS EXCLUSIVE MODE"))
        await cancel_mid_statement(work, started, cancels)

        assert await left_in_transaction(owner) == []
        await migration.rollback()
