"""Reads that run SQLAlchemy statements on asyncpg's own connections, read-only.

A page of GraphQL opens several small reads. Through an ORM session most of a read's time is
the ORM's CPU (sessions, identity maps, greenlet hops); on a connection borrowed from the
engine's pool it is about half, and on a connection of asyncpg's own pool less again (no
greenlet, no pool wrappers; bench/RESULTS.md). Here a statement is compiled once per shape (as
SQLAlchemy's own cache does), runs with asyncpg's `fetch`, and its rows come back as named
tuples with the mapped attribute names, converted by the columns' own types. The statements
stay the domains' own (`server/*/queries.py`); only the way they run differs. Writes keep
the ORM and its engine, but for the one a programme makes most often (`server/writes.py`).

The read pool's sessions are read-only by default (`default_transaction_read_only`), so a
read that sees no tenant needs no transaction of its own: its one statement is one round
trip. A read for a tenant (or for every community) is a `BEGIN READ ONLY` transaction whose
settings are transaction-local, as the ORM's are (`tenants/rls.py`).
"""

import asyncio
import collections
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, cast

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from sqlalchemy import BindParameter, Select, literal_column
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.cache_key import CacheKey
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.visitors import ExternallyTraversible, replacement_traverse

from server.sql_count import note_statement
from server.sqlalchemy_private import bind_processors, cache_key, compile_keyed, result_columns
from tenants.rls import begin_scoped

# A read's rows are named tuples whose fields, the statement's columns, are known only at run
# time: they are `Any`, read by their names as a mapped object's are.

# What a read runs: a query, or a write that returns rows (`Any`: whatever it selects).
Statement = Select[*tuple[Any, ...]] | UpdateBase
# A connection of asyncpg's own, or one lent by its pool.
Connection = asyncpg.Connection | PoolConnectionProxy

# Statement shapes kept compiled; a process meets a few hundred (each filter combination and
# page size of each list is one shape).
PLANS_KEPT = 2000
# The types of the constants a `Fixed` statement writes into its text rather than binds: their
# SQL literals mean the same wherever they stand (a string's is untyped, as a bound text is).
WRITTEN = (sqltypes.String, sqltypes.Integer, sqltypes.Boolean)


class Plan:
    """One statement shape: its compiled form, how its values are bound, and how its rows
    become objects."""

    __slots__ = (
        "compiled",
        "converters",
        "defaults",
        "expanding",
        "names",
        "processors",
        "row",
        "sql",
    )

    def __init__(
        self, statement: Statement, key: CacheKey | None, dialect: Dialect, of: type | None = None
    ) -> None:
        compiled = self.compiled = compile_keyed(statement, dialect, key)
        # IN lists are rendered per call (one placeholder per item); anything else is bound
        # straight into the compiled SQL's positions.
        self.expanding = bool(compiled.post_compile_params or compiled.literal_execute_params)
        self.sql = compiled.string
        self.names: Sequence[str] = tuple(compiled.positiontup or ())
        self.processors = bind_processors(compiled)
        # The constants a `Fixed` statement binds (those `constants_written` leaves: a date).
        self.defaults = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }
        columns = result_columns(compiled)
        self.row = _row_class(statement, tuple(name for name, _ in columns), of)
        self.converters = tuple(
            (i, convert)
            for i, (_, kind) in enumerate(columns)
            if (convert := _result_processor(kind, dialect)) is not None
        )

    def arguments(self, values: Mapping[str, object]) -> tuple[str, list[object]]:
        """The SQL and its positional arguments, bound by the columns' types."""
        sql, names, processors = self.sql, self.names, self.processors
        if self.expanding:
            state = self.compiled.construct_expanded_state(values)
            sql, names, processors = state.statement, state.positiontup or (), state.processors
            values = state.parameters
        arguments: list[object] = []
        for name in names:
            value = values[name]
            process = processors.get(name)
            arguments.append(value if process is None or value is None else process(value))
        return sql, arguments

    def objects(self, records: Sequence[asyncpg.Record]) -> list[Any]:
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


def constants_written(statement: Statement, dialect: Dialect) -> Statement:
    """`statement` with its constants (a status, a page size) written in its text. asyncpg
    prepares each statement, and after five runs PostgreSQL may keep one generic plan for it,
    made without the parameters' values: a bound `status = $1` could then never use the partial
    index of open invoices, nor a bound `LIMIT $2` plan for 51 rows."""

    def written(element: ExternallyTraversible, **kw: object) -> ExternallyTraversible | None:
        if not isinstance(element, BindParameter) or element.required or element.expanding:
            return None
        kind = element.type
        if isinstance(kind, sqltypes.TypeDecorator):
            kind = kind.impl_instance
        if element.callable is not None or element.value is None or not isinstance(kind, WRITTEN):
            return None
        text = element.compile(dialect=dialect, compile_kwargs={"literal_binds": True}).string
        return literal_column(text, element.type)

    return cast(Statement, replacement_traverse(statement, {}, written))


class RowClass(Protocol):
    """A named tuple's class whose rows are of `entity` (None: plain columns)."""

    entity: type | None

    def _make(self, values: Iterable[object], /) -> tuple[Any, ...]: ...


# mypy types `namedtuple()` only when its fields are written out; here they are known only at
# run time.
_named_tuple: Callable[[str, tuple[str, ...]], Any] = collections.namedtuple


def _row_class(statement: Statement, names: tuple[str, ...], of: type | None = None) -> RowClass:
    """A named tuple, its fields the result's column names (which the models keep equal to
    their attribute names), and `entity` the statement's one model, if it selects one (or
    the model `of` says its rows are)."""
    described = getattr(statement, "column_descriptions", None) or [{}]
    entity = described[0].get("entity") if len(described) == 1 else None
    if entity is None or described[0].get("expr") is not entity:
        entity = of  # columns, not a whole model
    name = f"{entity.__name__}Row" if entity is not None else "Row"
    row = _named_tuple(name, names)
    row.entity = entity
    return cast(RowClass, row)


def entity_of(row: object) -> type:
    """The model a row is of, whether the ORM loaded it or a read did."""
    return getattr(type(row), "entity", None) or type(row)


class Plans:
    """The process's compiled statement shapes."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._plans: dict[object, Plan] = {}

    def of(
        self, statement: "Statement | Fixed", values: dict[str, object]
    ) -> tuple[Plan, str, list[object]]:
        """The plan of a statement, and its SQL and arguments for this run."""
        if isinstance(statement, Fixed):
            fixed = statement.plan
            if fixed is None:
                written = constants_written(statement.statement, self._dialect)
                fixed = statement.plan = Plan(written, None, self._dialect, statement.of)
            return fixed, *fixed.arguments({**fixed.defaults, **values})
        key = cache_key(statement)
        if key is None:  # a shape SQLAlchemy cannot key is planned for this run alone
            once = Plan(statement, None, self._dialect)
            return once, *once.arguments(once.compiled.construct_params())
        plan = self._plans.get(key.key)
        if plan is None:
            if len(self._plans) >= PLANS_KEPT:
                self._plans.clear()
            plan = self._plans[key.key] = Plan(statement, key, self._dialect)
        compiled = plan.compiled
        return plan, *plan.arguments(compiled.construct_params(extracted_parameters=key.bindparams))


class Fixed:
    """A statement built once (at import) with named `bindparam`s, its values given at each
    run: planned on first use and never keyed again, for the reads every request makes.
    `of` names the model its rows are of where the statement does not select it whole (an
    UPDATE returning the model's columns)."""

    __slots__ = ("of", "plan", "statement")

    def __init__(self, statement: Statement, of: type | None = None) -> None:
        self.statement = statement
        self.of = of
        self.plan: Plan | None = None


class Read:
    """One read-only transaction: rows, scalars and one-or-none of SQLAlchemy statements."""

    def __init__(self, connection: Connection, plans: Plans) -> None:
        self._connection = connection
        self._plans = plans

    async def rows(self, statement: "Statement | Fixed", **values: object) -> list[Any]:
        """The rows of a statement; `values` fill a `Fixed` statement's parameters."""
        plan, sql, arguments = self._plans.of(statement, values)
        note_statement()
        return plan.objects(await self._connection.fetch(sql, *arguments))

    async def scalars(self, statement: "Statement | Fixed", **values: object) -> list[Any]:
        """The first column of each row: the entity of an entity statement, else its value."""
        rows = await self.rows(statement, **values)
        if rows and type(rows[0]).entity is not None:
            return rows
        return [row[0] for row in rows]

    async def one_or_none(self, statement: "Statement | Fixed", **values: object) -> Any:
        rows = await self.rows(statement, **values)
        return rows[0] if rows else None

    async def scalar(self, statement: "Statement | Fixed", **values: object) -> Any:
        found = await self.scalars(statement, **values)
        return found[0] if found else None


class ReadPool:
    """asyncpg's pool for the reads, opened in the running event loop on first use (a process
    that never reads never connects) and again if a later loop asks (the CLI runs several)."""

    def __init__(self, url: URL, size: int, settings: Mapping[str, str] | None = None) -> None:
        """`settings`: the sessions' server settings, as the engine's (`server.db`)."""
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._size = size
        self._settings = {
            "application_name": "gongxue",
            **(settings or {}),
            "default_transaction_read_only": "on",
        }
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opening: asyncio.Future[asyncpg.Pool] | None = None

    async def pool(self) -> asyncpg.Pool:
        loop = asyncio.get_running_loop()
        opening = self._opening
        if opening is None or self._loop is not loop or _failed(opening):
            if opening is not None and opening.done() and not _failed(opening):
                _discard(opening.result())
            self._loop = loop
            opening = self._opening = asyncio.ensure_future(
                asyncpg.create_pool(
                    self._dsn,
                    min_size=1,
                    max_size=self._size,
                    server_settings=self._settings,
                    init=_json_as_the_engine_reads_it,
                    reset=_no_session_state,
                )
            )
        return await asyncio.shield(opening)

    async def close(self) -> None:
        opening, self._opening = self._opening, None
        if opening is None or _failed(opening) or not opening.done():
            return
        pool = opening.result()
        if self._loop is asyncio.get_running_loop():
            await pool.close()
        else:
            _discard(pool)


def _discard(pool: asyncpg.Pool) -> None:
    """A pool of another event loop: its sockets closed without a goodbye, or, if that loop
    is closed already, left to be collected with it."""
    with contextlib.suppress(RuntimeError):
        pool.terminate()


def _failed(opening: asyncio.Future[asyncpg.Pool]) -> bool:
    return opening.done() and (opening.cancelled() or opening.exception() is not None)


async def _json_as_the_engine_reads_it(connection: asyncpg.Connection) -> None:
    """JSON and JSONB decoded into Python values, as SQLAlchemy's asyncpg dialect has them
    (its JSON types then leave the values as they are); parameters arrive already encoded."""
    for kind in ("json", "jsonb"):
        await connection.set_type_codec(
            kind, encoder=str, decoder=json.loads, schema="pg_catalog", format="text"
        )


async def _no_session_state(connection: asyncpg.Connection) -> None:
    """What the pool does to a connection handed back, after it rolls back a transaction left
    open: nothing. asyncpg's default also resets every session setting, a round trip per
    read, and the reads set none that outlive their transaction."""


@contextlib.asynccontextmanager
async def read(
    pool: ReadPool,
    plans: Plans,
    community_id: int | None = None,
    *,
    all_communities: bool = False,
) -> AsyncIterator[Read]:
    """A read seeing `community_id` (or every community): a read-only transaction begun and
    scoped in one round trip. A read that sees no tenant runs each statement on its own."""
    begin = begin_scoped(community_id, all_communities)
    async with (await pool.pool()).acquire() as connection:
        if begin is None:
            yield Read(connection, plans)
            return
        note_statement()
        async with committed(connection, begin):
            yield Read(connection, plans)


@contextlib.asynccontextmanager
async def committed(connection: Connection, begin: str) -> AsyncIterator[None]:
    """The transaction `begin` starts, committed when the block ends; a block that raises is
    rolled back."""
    finished = False
    try:
        await connection.execute(begin)
        yield
        await connection.execute("COMMIT")
        finished = True
    finally:
        if not finished:
            await abandon(connection)


async def abandon(connection: Connection) -> None:
    """Rolls back; a connection that cannot (broken, or no answer within `ROLLBACK_WAIT`) is
    closed rather than handed back to the pool inside a transaction.

    A cancelled read comes here with its statement still on the server: asyncpg asks the
    server to cancel it, and the ROLLBACK waits for that. A second cancellation then (a
    request cancelled after graphql-core cancelled its field) must not cut the wait short:
    the connection would be closed, but its backend would go on running the statement inside
    the transaction, holding its locks, until it next wrote to the socket (a lock wait: for
    ever). So the rollback runs to its end, and the cancellation is raised after it.

    A connection closed already (the server ended its session) has no transaction left: the
    error that closed it is the one raised, not that it cannot roll back."""
    if _closed(connection):
        return
    rolling_back = asyncio.ensure_future(_roll_back(connection))
    cancelled = False
    while not rolling_back.done():
        try:
            await asyncio.shield(rolling_back)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    rolling_back.result()


# How long a rollback (the cancelled statement's end included) may take before the
# connection is closed instead.
ROLLBACK_WAIT = 10.0


async def _roll_back(connection: Connection) -> None:
    try:
        async with asyncio.timeout(ROLLBACK_WAIT):
            await connection.execute("ROLLBACK")
    except BaseException:
        if not _closed(connection):
            connection.terminate()
        raise


def _closed(connection: Connection) -> bool:
    try:
        return connection.is_closed()
    except asyncpg.InterfaceError:  # a pooled connection closed, and the pool's again
        return True


# PostgreSQL's type ids of `numeric` and `double precision`: asyncpg's numeric types choose how
# to convert a value by the id the column arrives with, which a statement compiled ahead of its
# rows does not know; the column's declared type tells it instead.
NUMERIC_OID = 1700
FLOAT_OID = 701


def _result_processor(kind: Any, dialect: Dialect) -> Any:
    """How a column's values are converted as they arrive (None: as they are)."""
    implementation = kind.dialect_impl(dialect)
    if isinstance(implementation, sqltypes.Numeric):
        oid = FLOAT_OID if isinstance(implementation, sqltypes.Float) else NUMERIC_OID
        return implementation.result_processor(dialect, oid)  # type: ignore[no-untyped-call]
    return implementation.result_processor(dialect, None)
