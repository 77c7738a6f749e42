"""Writes on the driver, for the one the programme makes most often: attendance, recorded
after every activity of every community. Through the ORM it cost 7 round trips and most of
its time in the session's own work (bench/RESULTS.md); here it is the transaction begun,
scoped and its row locked in one round trip, one statement, and the commit.

The statements are the domain's own SQLAlchemy statements (`reads.Fixed`), on a connection
of the reads' pool: its sessions read only by default, so a write says `BEGIN READ WRITE`.

A unit of work states its statements once and runs the same on either connection (`Work`):
on the driver alone (`write`), or on an ORM session's own connection, in the session's
transaction (`on_session`), where a follow-up step needs the ORM (an exit a recording
enacts)."""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from server.reads import Connection, Fixed, Plans, Read, ReadPool, Statement, abandon
from server.sql_count import note_statement
from tenants.rls import begin_writing


class Write(Read):
    """One read-write transaction. On the driver it begins with its first statement: a
    `script` statement travels in the round trip that begins it."""

    def __init__(self, connection: Connection, plans: Plans, begin: str | None = None) -> None:
        super().__init__(connection, plans)
        self._begin = begin  # sent with the first statement; None once sent, or not ours
        self.begun = begin is None

    # Its rows `Any`, read by their columns' names (`server.reads`).
    async def rows(self, statement: Statement | Fixed, **values: object) -> list[Any]:
        if not self.begun:
            await self._send()
        return await super().rows(statement, **values)

    async def script(self, statement: Fixed, **values: object) -> None:
        """Runs a statement whose values are written into its text (its parameters bound with
        `literal_execute`, rendered by their columns' types): the simple protocol that takes
        several statements in one round trip takes no parameters."""
        _, sql, arguments = self._plans.of(statement, values)
        if arguments:
            raise TypeError("a script's values are written into it: bind them literal_execute")
        note_statement()
        await self._send(sql)

    async def _send(self, *statements: str) -> None:
        if not self.begun and self._begin is not None:
            note_statement()
            statements = (self._begin, *statements)
            # Marked first: a round trip that fails after its BEGIN leaves a transaction.
            self.begun, self._begin = True, None
        await self._connection.execute("; ".join(statements))


@contextlib.asynccontextmanager
async def write(
    pool: ReadPool,
    plans: Plans,
    community_id: int | None = None,
    *,
    all_communities: bool = False,
) -> AsyncIterator[Write]:
    """A transaction seeing `community_id` (or every community), begun with its first
    statement, committed when the block ends and rolled back if it raises."""
    async with (await pool.pool()).acquire() as connection:
        work = Write(connection, plans, begin_writing(community_id, all_communities))
        try:
            yield work
        except BaseException:
            if work.begun:
                await abandon(connection)
            raise
        if work.begun:
            try:
                await connection.execute("COMMIT")
            except BaseException:
                await abandon(connection)
                raise


@dataclass(frozen=True)
class Work:
    """A transaction as a unit of work sees it, whichever connection it runs on: its
    statements (`write`) and, where it was opened with the ORM, the session that shares its
    connection, for the follow-up steps that need one."""

    write: Write
    session: AsyncSession | None = None

    def orm(self) -> AsyncSession:
        if self.session is None:
            raise RuntimeError("this work runs on the driver alone: open it with orm=True")
        return self.session


async def driver_connection(connection: AsyncConnection) -> asyncpg.Connection:
    """asyncpg's own connection under SQLAlchemy's, for what only the driver does (COPY, one
    round trip of several statements)."""
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver, asyncpg.Connection):
        raise TypeError("the engine's driver is not asyncpg")
    return driver


async def on_session(session: AsyncSession) -> Work:
    """The session's own connection, inside the transaction the session has begun (and
    scoped): what runs on it commits or rolls back with the ORM's work."""
    connection = await session.connection()
    driver = await driver_connection(connection)
    if not driver.is_in_transaction():
        # The ORM begins on its first statement; the scope's settings are that statement.
        raise RuntimeError("the session has not begun its transaction yet")
    return Work(Write(driver, Plans(connection.dialect)), session)
