"""How a GraphQL type's fields read straight from SQL, for the compiled reads
(`schema/core/compiled.py`).

A type's projection names its table and, field by field, the SQL that gives the value its
resolver would: a column, a vocabulary label, the global id, an expression, a related object,
or a page of a list built by the domain's own statement. A field with no projection keeps its
document on the usual execution. The parity tests (`tests/schema/test_compiled.py`) run every
projected field both ways and compare the answers.

Each projection also says what its reads need to see (`scope`, as the resolver's read is
scoped) and whether the objects it leads to belong to the community of the object it starts
from, so a permission check on a field below can be decided before the statement runs."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, case, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import BigInteger, DateTime

from server.vocabulary import Labelled

# What a read sees beyond global and public tables: the rows of the community its objects
# belong to (the tenant's, when that is the community the document asks for; every
# community's, as the resolvers' national reads, when the objects are many communities'), or
# every community's.
OWN, ALL = "own", "all"
# Columns of a row: a table, its alias, or a subquery of its columns (`row.c.name`).
Row = Any
# Gives a value for each run of a statement: called with the run (`compiled.Run`).
Bind = Callable[[Callable[[Any], Any], Any], ColumnElement]


@dataclass(frozen=True)
class Column:
    """A column whose value the field shows as it is (a date, a vocabulary value, text)."""

    name: str

    def sql(self, row: Row, language: str, bind: Bind) -> ColumnElement:
        column = row.c[self.name]
        if isinstance(column.type, DateTime):
            return iso_datetime(column)
        return column


@dataclass(frozen=True)
class Label:
    """A column's value named in the reader's language: `labels` are `(value, zh, en)` (the
    `...Label` fields of a vocabulary, a province's name, a rule's title)."""

    name: str
    labels: tuple[tuple[str, str, str], ...]

    def sql(self, row: Row, language: str, bind: Bind) -> ColumnElement:
        return case(
            {
                literal_column(sql_text(value)): literal_column(
                    sql_text(en if language == "en" else zh)
                )
                for value, zh, en in self.labels
            },
            value=row.c[self.name],
        )


@dataclass(frozen=True)
class Labels:
    """An array column's values each named in the reader's language, in their order (a
    community's `themeLabels`)."""

    name: str
    labels: tuple[tuple[str, str, str], ...]

    def sql(self, row: Row, language: str, bind: Bind) -> ColumnElement:
        values = (
            func.unnest(row.c[self.name])
            .table_valued("value", with_ordinality="n")
            .render_derived()
        )
        named = Label("value", self.labels).sql(values, language, bind)
        listed = (
            select(func.json_agg(aggregate_order_by(named, values.c.n)))
            .select_from(values)
            .scalar_subquery()
        )
        return func.coalesce(listed, literal_column("'[]'::json"))


def labels_of(vocabulary: type[Labelled]) -> tuple[tuple[str, str, str], ...]:
    return tuple((v.value, v.zh, v.en) for v in vocabulary)


@dataclass(frozen=True)
class GlobalId:
    """The opaque id `schema/core/ids.encode` makes: `Type:key:key`, base64url, unpadded."""

    type_name: str
    keys: tuple[str, ...]

    def sql(self, row: Row, language: str, bind: Bind) -> ColumnElement:
        raw: ColumnElement = literal_column(sql_text(self.type_name))
        for key in self.keys:
            raw = raw.op("||")(literal_column("':'")).op("||")(row.c[key])
        return base64url(raw)


@dataclass(frozen=True)
class Expression:
    """Any other value: `sql(row, language, bind)`; `bind(value_of_run, type)` makes a
    parameter valued at each run (today's date, say)."""

    sql: Callable[[Row, str, Bind], ColumnElement]
    scope: str | None = None


@dataclass(frozen=True)
class Related:
    """One object of another projected type, or null: the one whose `id` is the row's `key`
    column."""

    type_name: str
    key: str
    scope: str | None = None
    same_community: bool = False


@dataclass(frozen=True)
class Page:
    """A connection of another projected type: one keyset page of the domain's statement
    (`builder`, as the resolver calls it), with `filters` the field's arguments it takes and
    `parent(row)` the values the object it hangs from gives it. `reads` names the other
    arguments the projection itself reads (`newest_first`): a field with an argument none of
    these names goes the usual way, so no argument is ever ignored."""

    type_name: str
    builder: Callable[..., Select]
    key: str
    filters: tuple[str, ...] = ()
    parent: Callable[[Row], dict[str, Any]] = lambda row: {}
    fixed: dict[str, Any] = field(default_factory=dict)
    newest_first: Callable[[dict[str, Any]], bool] = lambda arguments: False
    reads: tuple[str, ...] = ()
    most: int | None = None
    scope: str | None = None
    same_community: bool = False


@dataclass(frozen=True)
class Listed:
    """A plain list of another projected type: the rows of `rows(row)`, a statement the
    object's row correlates, in the order `order(rows)` gives."""

    type_name: str
    rows: Callable[[Row], Select]
    order: Callable[[Row], list[ColumnElement]]
    scope: str | None = None


Projected = Column | Label | Labels | GlobalId | Expression | Related | Page | Listed


@dataclass(frozen=True)
class Projection:
    """A GraphQL type's table (None for a type only `Listed` reads) and its fields' SQL, by
    the fields' Python names."""

    type_name: str
    table: Any
    fields: dict[str, Projected]


@dataclass(frozen=True)
class Root:
    """A query field read in the compiled statement: one object by a key that `find` gives
    for the run (raising what the resolver would raise: the usual execution then answers),
    or a page (`page`) with no object above it."""

    type_name: str
    find: Callable[[Any, dict[str, Any]], Any] | None = None
    page: Page | None = None
    # The object found is a community (the tenant): the checks below it are in it.
    is_community: bool = False
    # What else the object's row must be to be found (else the field is null).
    only: Callable[[Row], ColumnElement] | None = None
    # The arguments `find` reads: a field with another goes the usual way.
    reads: tuple[str, ...] = ()


PROJECTIONS: dict[str, Projection] = {}
ROOTS: dict[str, Root] = {}


def project(
    type_name: str,
    table: Any,
    *,
    id: tuple[str, ...] | None,
    columns: tuple[str, ...] = (),
    labels: dict[str, tuple[str, type[Labelled]]] | None = None,
    **fields: Projected,
) -> None:
    """Declares a type's projection: `id` the global id's keys (None: a type with no id),
    `columns` the fields read as they are, `labels` the `...Label` fields by the column they
    label."""
    projected: dict[str, Projected] = {} if id is None else {"id": GlobalId(type_name, id)}
    projected.update({name: Column(name) for name in columns})
    projected.update(
        {
            name: Label(column, labels_of(vocabulary))
            for name, (column, vocabulary) in (labels or {}).items()
        }
    )
    projected.update(fields)
    PROJECTIONS[type_name] = Projection(type_name, table, projected)


def root(field_name: str, declared: Root) -> None:
    ROOTS[field_name] = declared


def sql_text(value: str) -> str:
    """A string constant of ours as an SQL literal (never text from a request)."""
    return "'" + value.replace("'", "''") + "'"


def base64url(raw: ColumnElement) -> ColumnElement:
    """`base64.urlsafe_b64encode(raw).rstrip("=")`: PostgreSQL's base64 breaks lines every
    76 characters, which `translate` drops with the padding's `=` trimmed after."""
    encoded = func.encode(
        func.convert_to(raw, literal_column("'UTF8'")), literal_column("'base64'")
    )
    translated = func.translate(encoded, literal_column("E'+/\\n'"), literal_column("'-_'"))
    return func.rtrim(translated, literal_column("'='"))


def iso_datetime(column: ColumnElement) -> ColumnElement:
    """A timestamp as Python's `isoformat()` writes the UTC datetime asyncpg returns: six
    digits of microseconds unless there are none, then `+00:00` (PostgreSQL's own JSON
    trims the digits and writes the session's offset)."""
    utc = column.op("AT TIME ZONE")(literal_column("'UTC'"))
    seconds = func.to_char(utc, literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS'"))
    micro = case(
        (
            func.date_part(literal_column("'microseconds'"), column).cast(BigInteger) % 1000000
            == 0,
            literal_column("''"),
        ),
        else_=func.to_char(utc, literal_column("'.US'")),
    )
    return seconds.op("||")(micro).op("||")(literal_column("'+00:00'"))
