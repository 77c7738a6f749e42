"""One engine per process, sessions per unit of work, and the tenant set per transaction.

The tenant (`app.community_id`) is set with `set_config(..., true)`: transaction-local, so a
pooled connection can never carry one request's tenant into the next.
"""

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, DateTime, MetaData, Result, func
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import QueuePool

from server import reads, writes
from tenants.rls import scope_transaction

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


@dataclass(frozen=True)
class SessionLimits:
    """What PostgreSQL ends on its own in each of the application's sessions, in seconds (0:
    nothing): the backstops for a connection a bug leaves behind, whose transaction would
    hold its locks and block every migration, TRUNCATE or write queued behind them.

    `idle_in_transaction`: a session idle inside a transaction this long is closed.
    `client_check`: how often a running statement checks that its client is still there; a
    statement whose connection the client closed (a rollback that never came) ends then,
    not when it would next write to the socket."""

    idle_in_transaction: float = 0
    client_check: float = 0

    def server_settings(self) -> dict[str, str]:
        return {
            "application_name": "gongxue",
            "idle_in_transaction_session_timeout": _milliseconds(self.idle_in_transaction),
            "client_connection_check_interval": _milliseconds(self.client_check),
        }


def _milliseconds(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"


def create_engine(
    url: str, *, pool_size: int = 10, limits: SessionLimits = SessionLimits()
) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        hide_parameters=True,  # a failed statement's message must not carry emails or hashes
        connect_args={"server_settings": limits.server_settings()},
    )


def rows_changed(result: Result[*tuple[Any, ...]]) -> int:  # whatever the statement returns
    """How many rows an INSERT, UPDATE or DELETE wrote. The session returns its cursor's
    result typed as a plain `Result`, which has no count."""
    if not isinstance(result, CursorResult):
        raise TypeError("not the result of an INSERT, UPDATE or DELETE")
    return result.rowcount


ANNOUNCED = "announced"


def announce_after_commit(session: AsyncSession, topic: str) -> None:
    """Tells subscribers `topic` moved, once this transaction has committed (never before:
    they would read the database and not find it yet)."""
    session.info.setdefault(ANNOUNCED, set()).add(topic)


class Database:
    """The process's engine and the ways to open a transaction on it."""

    def __init__(
        self,
        engine: AsyncEngine,
        announce: Callable[[Iterable[str]], Awaitable[None]] | None = None,
        limits: SessionLimits = SessionLimits(),
    ) -> None:
        """`announce`: publishes the topics a committed transaction moved (`server/channels.py`);
        `limits`: the reads' sessions', as the engine's (`create_engine`)."""
        self.engine = engine
        self._announce = announce
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._plans = reads.Plans(engine.dialect)
        if not isinstance(engine.pool, QueuePool):
            raise TypeError("the reads' pool is sized like the engine's: use create_engine()")
        self._reads = reads.ReadPool(engine.url, engine.pool.size(), limits.server_settings())
        # Transactions this process committed that may have written: what kept answers are
        # checked against (`server/web/kept_answers.py`).
        self.changes = 0

    @contextlib.asynccontextmanager
    async def transaction(
        self, community_id: int | None = None, *, all_communities: bool = False
    ) -> AsyncIterator[AsyncSession]:
        """A session in one transaction, committed on success and rolled back on any error,
        seeing the rows of `community_id` (or of every community) under row-level security."""
        async with self._sessions() as session:
            async with session.begin():
                await scope_transaction(session, community_id, all_communities=all_communities)
                yield session
            self.changes += 1
            topics = session.info.pop(ANNOUNCED, None)
            if topics and self._announce is not None:
                await self._announce(topics)

    def read(
        self, community_id: int | None = None, *, all_communities: bool = False
    ) -> contextlib.AbstractAsyncContextManager[reads.Read]:
        """A read-only transaction under the same tenant scope, without the ORM: for the
        read paths a request takes many times (`server/reads.py`)."""
        return reads.read(self._reads, self._plans, community_id, all_communities=all_communities)

    @contextlib.asynccontextmanager
    async def write(
        self, community_id: int | None = None, *, all_communities: bool = False
    ) -> AsyncIterator[writes.Write]:
        """A transaction under the same tenant scope, without the ORM, for the write that
        is made most often (`server/writes.py`); it begins with its first statement."""
        scope = {"all_communities": all_communities}
        async with writes.write(self._reads, self._plans, community_id, **scope) as write:
            yield write
        self.changes += 1

    @contextlib.asynccontextmanager
    async def work(
        self, community_id: int | None = None, *, all_communities: bool = False, orm: bool
    ) -> AsyncIterator[writes.Work]:
        """A unit of work's transaction, on the connection it needs: the ORM session's
        (`transaction`) when a step needs the ORM, else the driver's alone (`write`, fewer
        round trips). The work's statements run the same on either."""
        if orm:
            async with self.transaction(community_id, all_communities=all_communities) as session:
                yield await writes.on_session(session)
        else:
            async with self.write(community_id, all_communities=all_communities) as write:
                yield writes.Work(write)

    async def dispose(self) -> None:
        await self._reads.close()
        await self.engine.dispose()
