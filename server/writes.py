"""A write on the driver, for the one the programme makes most often: attendance, recorded
after every activity of every community. Through the ORM it cost 7 round trips and most of
its time in the session's own work (bench/RESULTS.md); here it is the transaction begun,
scoped and its row locked in one round trip, one statement, and the commit.

The statements are the domain's own SQLAlchemy statements (`reads.Fixed`), on a connection
of the reads' pool: its sessions read only by default, so a write says `BEGIN READ WRITE`.
A write that also needs the ORM (an exit the recording enacts) runs the same statements on
the session's own connection, in the session's transaction (`on_session`)."""

import contextlib
from collections.abc import AsyncIterator

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from server.reads import Plans, Read, ReadPool, committed
from server.sql_count import note_statement
from tenants.rls import begin_writing


class Write(Read):
    """One read-write transaction: a read's statements, and scripts of several."""

    async def script(self, *statements: str) -> None:
        for _ in statements:
            note_statement()
        await self._connection.execute("; ".join(statements))


@contextlib.asynccontextmanager
async def write(
    pool: ReadPool,
    plans: Plans,
    community_id: int | None = None,
    *,
    all_communities: bool = False,
    then: tuple[str, ...] = (),
) -> AsyncIterator[Write]:
    """A transaction seeing `community_id` (or every community), committed when the block
    ends and rolled back if it raises; `then` runs in the round trip that begins it."""
    async with (await pool.pool()).acquire() as connection:
        for _ in range(1 + len(then)):
            note_statement()
        async with committed(connection, begin_writing(community_id, all_communities, *then)):
            yield Write(connection, plans)


async def driver_connection(connection: AsyncConnection) -> asyncpg.Connection:
    """asyncpg's own connection under SQLAlchemy's, for what only the driver does (COPY, one
    round trip of several statements)."""
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver, asyncpg.Connection):
        raise TypeError("the engine's driver is not asyncpg")
    return driver


async def on_session(session: AsyncSession) -> Write:
    """The session's own connection, inside the transaction the session has begun (and
    scoped): what runs on it commits or rolls back with the ORM's work."""
    connection = await session.connection()
    driver = await driver_connection(connection)
    if not driver.is_in_transaction():
        # The ORM begins on its first statement; the scope's settings are that statement.
        raise RuntimeError("the session has not begun its transaction yet")
    return Write(driver, Plans(connection.dialect))
