"""Read-only transactions that run SQLAlchemy statements on the driver's own connection.

A page of GraphQL opens several small reads. Through the ORM each costs about 0.9 ms of
Python for a 0.2 ms round of SQL (measured in bench/RESULTS.md): sessions, identity maps,
greenlet hops. Here a statement is compiled once per shape (as SQLAlchemy's own cache does),
runs with asyncpg's `fetch`, and its rows come back as plain objects with the mapped
attribute names, converted by the columns' own types. The statements stay the domains' own
(`server/*/queries.py`); only the way they run differs. Writes keep the ORM.
"""

import collections
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from server.sql_count import note_statement
from tenants.rls import begin_scoped

# Statement shapes kept compiled; a process meets a few hundred (each filter combination and
# page size of each list is one shape).
PLANS_KEPT = 2000


class Plan:
    """One statement shape: its compiled form, and how its rows become objects."""

    __slots__ = ("compiled", "converters", "row")

    def __init__(self, statement: Select, key: Any, dialect: Dialect) -> None:
        self.compiled = statement.compile(dialect=dialect, cache_key=key)
        columns = self.compiled._result_columns
        names = tuple(column.keyname for column in columns)
        self.row = _row_class(statement, names)
        self.converters = tuple(
            (i, convert)
            for i, column in enumerate(columns)
            if (convert := column.type._cached_result_processor(dialect, None)) is not None
        )

    def arguments(self, key: Any) -> tuple[str, list[Any]]:
        """The SQL (with any IN list expanded) and its positional arguments, bound."""
        compiled = self.compiled
        state = compiled.construct_expanded_state(
            compiled.construct_params(extracted_parameters=key.bindparams)
        )
        values = state.parameters
        processors = state.processors
        arguments = []
        for name in state.positiontup or ():
            value = values[name]
            process = processors.get(name)
            arguments.append(value if process is None or value is None else process(value))
        return state.statement, arguments

    def objects(self, records: Sequence[Any]) -> list[Any]:
        make, converters = self.row, self.converters
        if not converters:
            return [make._make(record) for record in records]
        rows = []
        for record in records:
            values = list(record)
            for i, convert in converters:
                values[i] = convert(values[i])
            rows.append(make._make(values))
        return rows


def _row_class(statement: Select, names: tuple[str, ...]) -> Callable[..., Any]:
    """A named tuple, its fields the result's column names (which the models keep equal to
    their attribute names), and `entity` the statement's one model, if it selects one."""
    described = getattr(statement, "column_descriptions", None) or [{}]
    entity = described[0].get("entity") if len(described) == 1 else None
    if entity is None or described[0].get("expr") is not entity:
        entity = None  # columns, not a whole model
    name = f"{entity.__name__}Row" if entity is not None else "Row"
    row = collections.namedtuple(name, names)  # type: ignore[misc]
    row.entity = entity
    return row


def entity_of(row: Any) -> type:
    """The model a row is of, whether the ORM loaded it or a read did."""
    return getattr(type(row), "entity", None) or type(row)


class Plans:
    """The process's compiled statement shapes."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._plans: dict[Any, Plan] = {}

    def of(self, statement: Select) -> tuple[Plan, Any]:
        key = statement._generate_cache_key()
        plan = self._plans.get(key.key)
        if plan is None:
            if len(self._plans) >= PLANS_KEPT:
                self._plans.clear()
            plan = self._plans[key.key] = Plan(statement, key, self._dialect)
        return plan, key


class Read:
    """One read-only transaction: rows, scalars and one-or-none of SQLAlchemy statements."""

    def __init__(self, connection: Any, plans: Plans) -> None:
        self._connection = connection
        self._plans = plans

    async def rows(self, statement: Select) -> list[Any]:
        plan, key = self._plans.of(statement)
        sql, arguments = plan.arguments(key)
        note_statement()
        return plan.objects(await self._connection.fetch(sql, *arguments))

    async def scalars(self, statement: Select) -> list[Any]:
        """The first column of each row: the entity of an entity statement, else its value."""
        rows = await self.rows(statement)
        if rows and type(rows[0]).entity is not None:
            return rows
        return [row[0] for row in rows]

    async def one_or_none(self, statement: Select) -> Any:
        rows = await self.rows(statement)
        return rows[0] if rows else None

    async def scalar(self, statement: Select) -> Any:
        values = await self.scalars(statement)
        return values[0] if values else None


@contextlib.asynccontextmanager
async def read(
    engine: AsyncEngine,
    plans: Plans,
    community_id: int | None = None,
    *,
    all_communities: bool = False,
) -> AsyncIterator[Read]:
    """A read-only transaction seeing `community_id` (or every community), begun and scoped in
    one round trip. The connection comes from the engine's pool, so one pool serves both."""
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        begin, counted = begin_scoped(community_id, all_communities)
        if counted:
            note_statement()
        await driver.execute(begin)
        finished = False
        try:
            yield Read(driver, plans)
            await driver.execute("COMMIT")
            finished = True
        finally:
            if not finished:
                await _abandon(connection, driver)


async def _abandon(connection: Any, driver: Any) -> None:
    """Rolls back; a connection that cannot (broken, or the rollback itself interrupted) is
    thrown away rather than handed back to the pool inside a transaction."""
    try:
        await driver.execute("ROLLBACK")
    except BaseException:
        await connection.invalidate()
        raise
