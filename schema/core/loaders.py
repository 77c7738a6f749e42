"""Per-request dataloaders: one query per batch, each batch in its own read (sibling fields
resolve concurrently and must not share a connection). The statements are built once, with
the ids as one array parameter: one SQL text however many ids a batch holds.

A loader is made for a source on first use: the rows of a table by id (`rows_of`), or a
value a field declares per row (`projection.PerRow`, which brings its own statement). A list
primes them for its page (`projection.prime`), and a field whose value is ready reads it
without awaiting."""

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import ARRAY, BigInteger, any_, bindparam, select
from strawberry.dataloader import DataLoader

from server.communities.models import Community
from server.db import Base
from server.reads import Fixed
from server.runtime import Runtime
from server.units.models import Unit

IDS = bindparam("ids", type_=ARRAY(BigInteger))
# `Any` here: a loaded row has the columns of its table, read by their names (`server.reads`).
# A row's key: its id, or the ids that name it together (an invoice's community and id).
Key = int | tuple[int, ...]


class Source(Protocol):
    async def fetch(self, runtime: Runtime, keys: list[Any]) -> list[Any]: ...


class Rows:
    """A table's rows by id, None for an id with none."""

    def __init__(self, table: type[Base]) -> None:
        self.statement = Fixed(select(table).where(table.__table__.c.id == any_(IDS)))

    async def fetch(self, runtime: Runtime, keys: list[int]) -> list[Any]:
        async with runtime.database.read() as read:
            rows = await read.rows(self.statement, ids=list(keys))
        found = {row.id: row for row in rows}
        return [found.get(key) for key in keys]


_ROWS: dict[type[Base], Rows] = {}


def rows_of(table: type[Base]) -> Rows:
    made = _ROWS.get(table)
    if made is None:
        made = _ROWS[table] = Rows(table)
    return made


class Loaders:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._made: dict[Source, DataLoader[Key, Any]] = {}

    def of(self, source: Source) -> DataLoader[Key, Any]:
        loader = self._made.get(source)
        if loader is None:
            runtime = self._runtime

            async def load(keys: Sequence[Key]) -> list[Any]:
                # Shielded: strawberry cancels a batch once every field awaiting it was
                # cancelled (a sibling field failed), and a read cancelled mid-statement can
                # leave its connection inside its transaction, holding its locks. The read
                # finishes on its own instead; it is one statement.
                return await asyncio.shield(source.fetch(runtime, list(keys)))

            loader = self._made[source] = DataLoader(load)
        return loader

    def ready(self, source: Source, key: Key) -> object:
        """The value for `key` if a batch has read it already (a primed page), else the
        loader's future for GraphQL to await."""
        future = self.of(source).load(key)
        if isinstance(future, asyncio.Future) and future.done() and not future.cancelled():
            if future.exception() is None:
                return future.result()
        return future

    @staticmethod
    def rows_of(table: type[Base]) -> Rows:
        return rows_of(table)

    @property
    def unit(self) -> DataLoader[Key, Any]:
        return self.of(rows_of(Unit))

    @property
    def community(self) -> DataLoader[Key, Any]:
        return self.of(rows_of(Community))
