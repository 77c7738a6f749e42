"""Each field of a GraphQL type declared once: what it reads (a column, a vocabulary label,
the global id, an expression, a related object, a page of a list) and, from that one
declaration, both its resolver and its SQL for the compiled reads (`schema/core/compiled.py`).

In a type's body, a plain field that is a column of the same name needs nothing; any other
field is one of the declarations below (`label`, `labels`, `related`, `per_row`, `page`, or
`computed` for a resolver written by hand beside its SQL). `@projected(table, id=...)` over
the `@strawberry.type` collects them into the type's projection, makes its `of(row)`, and
refuses a plain field that no column backs (it would never compile, silently).
`tests/schema/test_projections.py` generates documents from every projection and root and
compares the compiled answers with field-by-field execution.

A value such as a count or a related object comes through the request's loaders
(`schema/core/loaders.py`): the resolver asks its loader, a list primes the loaders for the
fields its document asks of its rows, and the compiled SQL is the same expression.

Each projection also says what its reads need to see (`scope`, as the resolver's read is
scoped) and whether the objects it leads to belong to the community of the object it starts
from, so a permission check on a field below can be decided before the statement runs."""

import asyncio
import functools
import inspect
import operator
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry
from sqlalchemy import ARRAY, BigInteger, bindparam, case, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause
from sqlalchemy.types import DateTime, TypeEngine
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from policies.permissions import Permission
from schema.core import ids
from schema.core.context import Context, Info
from schema.core.loaders import Key, Source
from schema.core.pagination import MAX_PAGE, Connection, Rows, Template, paginate
from schema.core.selection import asked
from server.access.guard import Guard
from server.db import Base
from server.reads import Fixed, entity_of
from server.runtime import Runtime
from server.vocabulary import Labelled

if TYPE_CHECKING:
    from schema.core.compiled import Run

# `Any` here, each time for a reason a library gives: `ColumnElement[Any]` is an SQL
# expression of whichever column type (SQLAlchemy types one by its Python value, which differs
# from field to field); a declaration returns `strawberry.field`'s value, which strawberry
# types `Any` so a type's body can give it any annotation (its options `Any` too); a row is
# read by its columns' names (SQLAlchemy's mapped classes and `Row`s alike), which no type
# names; a field's arguments are as graphql-core coerced them from the request's JSON.

# What a read sees beyond global and public tables: the rows of the community its objects
# belong to (the tenant's, when that is the community the document asks for; every
# community's, as the resolvers' national reads, when the objects are many communities'), or
# every community's.
OWN, ALL = "own", "all"
# The arguments every page reads itself.
PAGING = ("first", "after")
# A parameter's SQL type, as `bindparam` takes it.
SQLType = TypeEngine[Any] | type[TypeEngine[Any]]
# Columns of a row: a table, its alias, or a subquery of its columns (`row.c.name`).
Row = FromClause
# Gives a value for each run of a statement: called with the run (`compiled.Run`).
Bind = Callable[[Callable[["Run"], object], "SQLType"], ColumnElement[Any]]
# `(value, zh, en)` for each value a column may hold.
Named = tuple[tuple[str, str, str], ...]
F = TypeVar("F", bound=Callable[..., object])


# A right a page's builder is given (`Page.rights`): a permission held in the community, or a
# decision of the reader's guard that no one community's roles give (whether the reader
# belongs to any community: `server/achievements/rules.py`).
Right = Permission | Callable[[Guard, int | None], bool]


# A builder argument valued for each request from the request itself and the field's
# arguments (`Page.given`): `(value_of(context, arguments), type)`. What the reader may see
# (the units and communities whose rows it reads) depends on values, not on one permission:
# each is a typed parameter of the statement, never part of its text, so a statement kept
# for one reader is right for any other. None leaves the argument out, as a filter not given.
Given = tuple[Callable[[Context, dict[str, Any]], Awaitable[object]], SQLType]


def holds(guard: Guard, right: Right, community_id: int | None) -> bool:
    """Whether the reader has `right` in the community."""
    if isinstance(right, Permission):
        return guard.allows(right, community_id)
    return right(guard, community_id)


def attribute(column: str) -> str:
    """The attribute of a type's object that holds `column` of its row: `db_id` for `id`
    (the `id` field is the global id), else the column's own name."""
    return "db_id" if column == "id" else column


@dataclass(frozen=True)
class Column:
    """A column whose value the field shows as it is (a date, a vocabulary value, text)."""

    name: str

    def sql(self, row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
        column = row.c[self.name]
        if isinstance(column.type, DateTime):
            return iso_datetime(column)
        return column


@dataclass(frozen=True)
class Label:
    """A column's value named in the reader's language: `labels` are `(value, zh, en)` (the
    `...Label` fields of a vocabulary, a province's name, a rule's title)."""

    name: str
    labels: Named

    def sql(self, row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
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
    labels: Named

    def sql(self, row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
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


@dataclass(frozen=True)
class GlobalId:
    """The opaque id `schema/core/ids.encode` makes: `Type:key:key`, base64url, unpadded."""

    type_name: str
    keys: tuple[str, ...]

    def sql(self, row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
        raw: ColumnElement[Any] = literal_column(sql_text(self.type_name))
        for key in self.keys:
            raw = raw.op("||")(literal_column("':'")).op("||")(row.c[key])
        return base64url(raw)


@dataclass(frozen=True)
class Expression:
    """Any other value: `sql(row, language, bind)`; `bind(value_of_run, type)` makes a
    parameter valued at each run (today's date, say), awaited when `value_of_run` is an
    `async def` (the reader's rights)."""

    sql: Callable[[Row, str, Bind], ColumnElement[Any]]
    scope: str | None = None


@dataclass(frozen=True, eq=False)
class PerRow:
    """A value worked out in SQL for each row by `value(*key_columns, **params)` (a count, a
    latest date): correlated in a compiled statement, and per batch of keys in the request's
    loader, which a list primes for its whole page. `key` is one column or several (an
    invoice's community and id, the index's order). `params` are `(name, value_now, type)`,
    valued when the statement runs."""

    value: Callable[..., ColumnElement[Any]]
    key: tuple[str, ...] = ("id",)
    params: tuple[tuple[str, Callable[[], object], SQLType], ...] = ()
    scope: str | None = None
    # The loader's statement: `value` for each of a batch's keys.
    statement: Fixed = field(init=False, repr=False)

    def sql(self, row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
        given = {name: bind(_each_run(now), type_) for name, now, type_ in self.params}
        return self.value(*(row.c[column] for column in self.key), **given)

    def __post_init__(self) -> None:
        # A batch asks for its keys column by column: one array parameter each, unnested in
        # step (`k0`, `k1`...).
        names = [f"k{i}" for i in range(len(self.key))]
        arrays = [bindparam(name, type_=ARRAY(BigInteger)) for name in names]
        keys = func.unnest(*arrays).table_valued(*names).render_derived(name="asked")
        given = {name: bindparam(name, type_=type_) for name, _, type_ in self.params}
        asked = [keys.c[name] for name in names]
        statement = select(*asked, self.value(*asked, **given).label("value"))
        object.__setattr__(self, "statement", Fixed(statement))

    def key_of(self, source: object) -> Key:
        """An object's key for the loader: its one column's value, or a tuple of them."""
        values = tuple(getattr(source, attribute(column)) for column in self.key)
        return values[0] if len(values) == 1 else values

    async def fetch(self, runtime: Runtime, keys: list[Key]) -> list[Any]:
        # A value of many communities' rows is read as the resolvers' national reads are.
        scope = {"all_communities": self.scope is not None}
        given = {name: now() for name, now, _ in self.params}
        columns = (
            [list(column) for column in zip(*keys, strict=True)] if len(self.key) > 1 else [keys]
        )
        asked = {f"k{i}": column for i, column in enumerate(columns)}
        async with runtime.database.read(**scope) as read:
            rows = await read.rows(self.statement, **asked, **given)
        width = len(self.key)
        found = {(row[0] if width == 1 else tuple(row[:width])): row.value for row in rows}
        return [found.get(key) for key in keys]


def _each_run(now: Callable[[], object]) -> Callable[["Run"], object]:
    """A parameter valued when each run of the statement binds it (today's date, say)."""
    return lambda run: now()


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
    (`builder`), with `filters` the field's arguments it takes, `parent` the builder's
    arguments the object it hangs from gives (`{"community_id": "id"}`: that object's `id`
    column; a list of one column, a list of its one value) and `fixed` the ones always the
    same. `reads` names the other arguments the page itself reads (`newest_first`): a field
    with an argument none of these names goes the usual way, so no argument is ever
    ignored."""

    type_name: str
    builder: Callable[..., Rows]
    key: str = "id"
    filters: tuple[str, ...] = ()
    parent: dict[str, str | list[str]] = field(default_factory=dict)
    fixed: dict[str, object] = field(default_factory=dict)
    newest_first: Callable[[dict[str, Any]], bool] = lambda arguments: False
    reads: tuple[str, ...] = ()
    most: int | None = None
    scope: str | None = None
    same_community: bool = False
    # Builder arguments that say whether the reader holds a permission in the community of
    # the object the page hangs from (`{"drafts": Permission.NEWS_WRITE}`): a list whose rows
    # depend on who reads it, decided with the request's guard both ways.
    rights: dict[str, "Right"] = field(default_factory=dict)
    # Builder arguments the request gives (`Given`): the reader's walls, the tenant.
    given: dict[str, Given] = field(default_factory=dict)

    def parent_values(self, value_of: Callable[[str], object]) -> dict[str, object]:
        """The builder's arguments from the parent: `value_of(column)` a column of its row
        (compiled) or its object's value (resolved)."""
        return {
            name: [value_of(c) for c in column] if isinstance(column, list) else value_of(column)
            for name, column in self.parent.items()
        }


@dataclass(frozen=True)
class Listed:
    """A plain list of another projected type: the rows of `rows(row)`, a statement the
    object's row correlates, in the order `order(rows)` gives."""

    type_name: str
    rows: Callable[[Row], Rows]
    order: Callable[[Row], list[ColumnElement[Any]]]
    scope: str | None = None


@dataclass(frozen=True)
class Listing:
    """A plain list of another projected type at the top of a document, read whole: the rows
    of `builder(**given)`, the values the request gives (`Given`, as a page's), in the order
    `order(rows)` gives (a summary per region, say, too short to page)."""

    type_name: str
    builder: Callable[..., Rows]
    order: Callable[[Row], list[ColumnElement[Any]]]
    given: dict[str, Given] = field(default_factory=dict)
    scope: str | None = None


# A value of the row itself, and any field's declaration.
Valued = Column | Label | Labels | GlobalId | Expression | PerRow
Projected = Valued | Related | Page | Listed


@dataclass(frozen=True)
class Projection:
    """A GraphQL type's table (None for a type only `Listed` reads), its fields' SQL by the
    fields' Python names, and the column naming the community its rows belong to."""

    type_name: str
    table: type[Base] | None
    fields: dict[str, Projected]
    community: str | None = None

    def own_table(self) -> type[Base]:
        """Its table, for a type whose rows are read by their ids."""
        if self.table is None:
            raise TypeError(f"{self.type_name} has no table of its own")
        return self.table

    def aliased(self) -> FromClause:
        """Its table under a name of its own, to read one of its rows in a subquery."""
        return self.own_table().__table__.alias()


@dataclass(frozen=True)
class Root:
    """A query field read in the compiled statement: one object by a key that `find` gives
    for the run (None for a null field, or raising what the resolver would raise: the usual
    execution then answers), a page (`page`) or a whole list (`listing`) with no object
    above it."""

    type_name: str
    find: Callable[["Run", dict[str, Any]], Awaitable[int | None]] | None = None
    page: Page | None = None
    listing: Listing | None = None
    # The object found is a community (the tenant): the checks below it are in it.
    is_community: bool = False
    # What else the object's row must be to be found (else the field is null).
    only: Callable[[Row], ColumnElement[Any]] | None = None
    # The arguments `find` reads: a field with another goes the usual way.
    reads: tuple[str, ...] = ()
    # `find`'s None is a null field, not an error the usual way would report (`me` for a
    # visitor nobody signed in as): the statement answers null itself.
    absent_is_null: bool = False


PROJECTIONS: dict[str, Projection] = {}
# What each declared field's resolver (the function strawberry wraps) reads.
_DECLARED: dict[object, "Projected | Root | Listing"] = {}
ROOTS: dict[str, Root] = {}
# The projected types by name, to make the objects a related field or a page leads to.
# (`Any`: each its own class, with the `of` that `projected` gives it at run time.)
TYPES: dict[str, Any] = {}


# Declarations: each returns a field whose resolver carries its projection (`projected`).


def _declared(resolver: F, declared: "Projected | Root | Listing") -> F:
    _DECLARED[resolver] = declared
    return resolver


def computed(declared: Projected, resolver: Callable[..., object], **options: Any) -> Any:
    """A field whose resolver is written by hand, declared with the SQL that gives the same
    value (a value the policy in memory or the request's rights decide in Python); `options`
    are `strawberry.field`'s."""
    return strawberry.field(resolver=_declared(resolver, declared), **options)


def found(declared: "Root") -> Callable[[F], F]:
    """A root field that finds one object: its resolver and its compiled read both call
    `declared.find`'s function."""
    return lambda resolver: _declared(resolver, declared)


def _named(labels: type[Labelled] | Named) -> Named:
    if isinstance(labels, type):
        return tuple((v.value, v.zh, v.en) for v in labels)
    return labels


def label(column: str, labels: type[Labelled] | Named, *, description: str | None = "") -> Any:
    """A `...Label` field: `column`'s value in the reader's language, from a vocabulary or
    `(value, zh, en)` triples; `description` "" says so, None says nothing."""
    declared = Label(column, _named(labels))
    names = {value: (zh, en) for value, zh, en in declared.labels}
    held = attribute(column)

    def resolve(root: object, info: Info) -> str | None:
        value = getattr(root, held)
        if value is None:
            return None
        zh, en = names[value]
        return en if info.context.language == "en" else zh

    if description == "":
        description = f"`{column}` in the reader's language"
    return strawberry.field(resolver=_declared(resolve, declared), description=description)


def labels(column: str, vocabulary: type[Labelled]) -> Any:
    """An array column's values each in the reader's language, in their order."""
    declared = Labels(column, _named(vocabulary))
    names = {value: (zh, en) for value, zh, en in declared.labels}

    def resolve(root: object, info: Info) -> list[str]:
        named = (names[value] for value in getattr(root, column))
        if info.context.language == "en":
            return [en for _, en in named]
        return [zh for zh, _ in named]

    return strawberry.field(resolver=_declared(resolve, declared))


def in_language(zh: str, en: str) -> Any:
    """Text kept in both languages, in two columns: the reader's."""
    declared = Expression(lambda row, language, bind: row.c[en if language == "en" else zh])

    def resolve(root: object, info: Info) -> str:
        text: str = getattr(root, en if info.context.language == "en" else zh)
        return text

    return strawberry.field(resolver=_declared(resolve, declared))


def per_row(
    value: Callable[..., ColumnElement[Any]],
    *,
    key: str | tuple[str, ...] = "id",
    scope: str | None = None,
    description: str | None = None,
    **params: tuple[Callable[[], object], SQLType],
) -> Any:
    """A value `value(*key_columns, **params)` works out in SQL for each row (`PerRow`);
    `key` one column or several."""
    columns = (key,) if isinstance(key, str) else key
    declared = PerRow(value, columns, tuple((n, now, t) for n, (now, t) in params.items()), scope)

    def resolve(root: object, info: Info) -> object:
        return info.context.loaders.ready(declared, declared.key_of(root))

    return strawberry.field(resolver=_declared(resolve, declared), description=description)


def related(
    type_name: str, key: str, *, same_community: bool = False, description: str | None = None
) -> Any:
    """The object of `type_name` whose id is the row's `key` column, or null, through the
    request's loader of its rows."""
    declared = Related(type_name, key, same_community=same_community)
    held = attribute(key)

    def resolve(root: object, info: Info) -> object:
        value = getattr(root, held)
        if value is None:
            return None
        target = PROJECTIONS[type_name]
        loaded = info.context.loaders.ready(info.context.loaders.rows_of(target.own_table()), value)
        return _then(loaded, TYPES[type_name].of)

    return strawberry.field(resolver=_declared(resolve, declared), description=description)


def _then(loaded: object, of: Callable[[Any], object]) -> object:
    """`of(row)` of a loaded row, or null; awaited if the loader has yet to read it."""
    if isinstance(loaded, asyncio.Future):

        async def later() -> object:
            row = await loaded
            return None if row is None else of(row)

        return later()
    return None if loaded is None else of(loaded)


def page(
    type_name: str,
    builder: Callable[..., Rows],
    *,
    key: str = "id",
    parent: dict[str, str | list[str]] | None = None,
    fixed: dict[str, object] | None = None,
    newest_first: bool = False,
    most: int | None = None,
    scope: str | None = None,
    same_community: bool = False,
    rights: dict[str, "Right"] | None = None,
    given: dict[str, Given] | None = None,
    reads: tuple[str, ...] = (),
) -> Callable[[F], F]:
    """A connection of `type_name`, over a resolver whose signature declares the field's
    arguments (its body is never run): `first` and `after` page, `newest_first` (if there)
    turns the order, every other one is a filter of `builder`'s unless `reads` names it (an
    argument only `given`'s functions read); `rights` (`Page.rights`) are the builder's
    arguments the reader's permissions give, `given` (`Page.given`) those the request
    gives."""

    def declare(resolver: F) -> F:
        signature = inspect.signature(resolver)
        parameters = list(signature.parameters)
        # The arguments' defaults, so a call is bound without inspect's work on each request.
        defaults = {
            n: p.default for n, p in signature.parameters.items() if p.default is not p.empty
        }
        names = [n for n in parameters if n not in ("self", "root", "info")]
        read_here = ("newest_first",) if "newest_first" in names else ()
        declared = Page(
            type_name,
            builder,
            key,
            tuple(n for n in names if n not in (*PAGING, *read_here, *reads)),
            parent or {},
            fixed or {},
            (lambda arguments: arguments["newest_first"]) if read_here else lambda _: newest_first,
            (*read_here, *reads),
            most,
            scope,
            same_community,
            rights or {},
            given or {},
        )

        @functools.wraps(resolver)
        # Called by strawberry with the resolver's own arguments, whatever they are.
        async def resolve(*args: Any, **kwargs: Any) -> Connection[object]:
            arguments = {**defaults, **dict(zip(parameters, args, strict=False)), **kwargs}
            source = arguments.pop("self", None)
            info = arguments.pop("info")
            return await read_page(declared, source, info, arguments)

        # functools.wraps gives strawberry the resolver's signature; mypy sees a new function.
        return _declared(resolve, declared)  # type: ignore[return-value]

    return declare


async def read_page(
    # `source`: a strawberry type's object, whose definition strawberry adds at run time.
    declared: Page,
    source: Any,
    info: Info,
    arguments: dict[str, Any],
) -> Connection[object]:
    """The page a `page` field's resolver gives: the statement the compiled read pages, read
    under the same scope, its rows' related objects and values primed in the loaders."""
    values = {**declared.fixed, **{name: arguments[name] for name in declared.filters}}
    values.update(declared.parent_values(lambda column: getattr(source, attribute(column))))
    if declared.rights:
        guard = await info.context.guard()
        community = PROJECTIONS[type(source).__strawberry_definition__.name].community
        community_id = getattr(source, attribute(community or "community_id"))
        for name, right in declared.rights.items():
            values[name] = holds(guard, right, community_id)
    values.update(await supplied(declared.given, info.context, arguments))
    read_in: int | None = None
    if declared.scope == OWN:
        community = PROJECTIONS[type(source).__strawberry_definition__.name].community
        read_in = getattr(source, attribute(community or "community_id"))
    target = PROJECTIONS[declared.type_name]
    page = await paginate(
        info.context,
        Template(declared.builder, _types(declared.given), **values),
        getattr(target.table, declared.key),
        arguments.get("first"),
        arguments.get("after"),
        TYPES[declared.type_name].of,
        newest_first=declared.newest_first(arguments),
        most=declared.most or MAX_PAGE,
        community_id=read_in,
        all_communities=declared.scope == ALL,
    )
    await prime(info, declared.type_name, [edge.node for edge in page.edges])
    return page


async def supplied(
    given: dict[str, Given], context: Context, arguments: dict[str, Any]
) -> dict[str, object]:
    """What the request gives a page's or a listing's builder (`Given`)."""
    return {name: await value_of(context, arguments) for name, (value_of, _) in given.items()}


def _types(given: dict[str, Given]) -> dict[str, SQLType]:
    """Each given value's SQL type, as the statement binds it."""
    return {name: type_ for name, (_, type_) in given.items()}


def listing(
    type_name: str,
    builder: Callable[..., Rows],
    *,
    order: Callable[[Row], list[ColumnElement[Any]]],
    given: dict[str, Given] | None = None,
    scope: str | None = None,
) -> Callable[[F], F]:
    """A whole list of `type_name` at the top (`Listing`), over a resolver that takes no
    argument of the field's (its body is never run)."""

    def declare(resolver: F) -> F:
        declared = Listing(type_name, builder, order, given or {}, scope)

        @functools.wraps(resolver)
        async def resolve(self: object, info: Info) -> list[object]:
            return await read_listing(declared, info)

        # functools.wraps gives strawberry the resolver's signature; mypy sees a new function.
        return _declared(resolve, declared)  # type: ignore[return-value]

    return declare


async def read_listing(declared: Listing, info: Info) -> list[object]:
    """The list a `listing` field's resolver gives: the statement the compiled read lists,
    read under the same scope."""
    values = await supplied(declared.given, info.context, {})
    template = Template(declared.builder, _types(declared.given), **values)
    statement, bound = template.whole(declared.order)
    async with info.context.read(all_communities=declared.scope == ALL) as read:
        rows = await read.rows(statement, **bound)
    of = TYPES[declared.type_name].of
    return [of(row) for row in rows]


async def prime(info: Info, type_name: str, objects: Sequence[object]) -> None:
    """Loads, for a whole page at once, the related objects and per-row values its document
    asks of its rows, so that each row's resolver finds its value ready."""
    if not objects:
        return
    loaders = info.context.loaders
    batches: list[Awaitable[object]] = []
    rows_asked = asked(info, "edges", "node")
    for name, declared in PROJECTIONS[type_name].fields.items():
        if not isinstance(declared, PerRow | Related):
            continue
        if to_camel_case(name) not in rows_asked:
            continue
        if isinstance(declared, PerRow):
            source: Source = declared
            keys = {declared.key_of(o) for o in objects}
        else:
            source = loaders.rows_of(PROJECTIONS[declared.type_name].own_table())
            keys = {getattr(o, attribute(declared.key)) for o in objects}
        batches.append(loaders.of(source).load_many(list(keys - {None})))
    if batches:
        await asyncio.gather(*batches)


def projected(
    table: type[Base] | None,
    *,
    id: tuple[str, ...] | None = ("id",),
    community: str | None = None,
    held: dict[str, str] | None = None,
    programme: type[Base] | None = None,
) -> Callable[[type], type]:
    """Over a `@strawberry.type`: its projection from its fields (a plain field reads the
    column of its name, `id` the global id of the row's `id` keys, any other field as its
    declaration says) and, unless it writes its own, its `of(row)`, which fills each
    attribute from the column of its name (`db_id` from `id`, `held` names others).
    `community` names the column of the community its rows belong to (a page below it
    reads in that scope). `programme` is the table of the programme's own rows of the same
    type (an activity or a finding of no community): `of` takes those too, each attribute
    whose column they lack (the community's) None, the global id `<its model>:<id>`; the
    compiled reads read `table` only."""

    def declare(cls: type) -> type:
        definition = get_object_definition(cls, strict=True)
        name = definition.name
        columns = None if table is None else set(table.__table__.columns.keys())
        declared: dict[str, Projected] = {}
        for strawberry_field in definition.fields:
            python_name = strawberry_field.python_name
            resolver = strawberry_field.base_resolver
            if resolver is not None:
                found = _DECLARED.get(resolver.wrapped_func)
                if isinstance(found, Root | Listing):
                    raise TypeError(f"{name}.{python_name} is a root's read on an object type")
                if found is not None:
                    declared[python_name] = found
            elif python_name == "id" and id is not None:
                declared["id"] = GlobalId(name, id)
            elif columns is None or python_name in columns:
                declared[python_name] = Column(python_name)
            else:
                raise TypeError(f"{name}.{python_name} is no column of its type's table")
        PROJECTIONS[name] = Projection(name, table, declared, community)
        TYPES[name] = cls
        if table is not None and "of" not in cls.__dict__:
            # Made here, for a class that declares no `of` of its own to type-check against.
            made = _maker(name, id, cls, held or {}, programme)
            cls.of = classmethod(made)  # type: ignore[attr-defined]
        return cls

    return declare


def _maker(
    name: str,
    keys: tuple[str, ...] | None,
    cls: type,
    held: dict[str, str],
    programme: type[Base] | None,
) -> Callable[[type, Any], object]:
    """`of(row)`: each of the object's attributes from the row's column of its name (`db_id`
    from `id`, `held` names others), the global id from its keys; a row of `programme`'s
    with the attributes it has no column for at their declared default or None, and its own
    global id."""
    attributes = [f.name for f in fields(cls) if f.init and f.name != "id"]
    columns = [(a, held.get(a, "id" if a == "db_id" else a)) for a in attributes]
    # One call reads every column (a page makes an object of each of its rows).
    read = _reader([c for _, c in columns])
    read_keys = _reader(list(keys or ()))

    def of(cls: type, row: Any) -> object:
        values = dict(zip(attributes, read(row), strict=True))
        if keys is not None:
            values["id"] = strawberry.ID(ids.encode(name, *read_keys(row)))
        return cls(**values)

    if programme is None:
        return of
    own = set(programme.__table__.columns.keys())
    programme_attributes = [a for a, c in columns if c in own]
    read_programme = _reader([c for _, c in columns if c in own])
    # An attribute the programme's table has no column for takes its declared default (an
    # activity of the programme is on no sub-platform), else None.
    lacking = {a: _default_of(cls, a) for a, c in columns if c not in own}
    programme_name = programme.__name__

    def of_either(cls: type, row: Any) -> object:
        if entity_of(row) is not programme:
            return of(cls, row)
        values = dict(zip(programme_attributes, read_programme(row), strict=True))
        values.update(lacking)
        values["id"] = strawberry.ID(ids.encode(programme_name, row.id))
        return cls(**values)

    return of_either


def _default_of(cls: type, attribute: str) -> object:
    declared = next(f for f in fields(cls) if f.name == attribute)
    return None if declared.default is MISSING else declared.default


def _reader(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The attributes `names` of an object, as a tuple, whatever their number."""
    if not names:
        return lambda row: ()
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda row: (one(row),)
    return operator.attrgetter(*names)


def roots(cls: type) -> type:
    """Over a query type: its fields declared with `page`, `listing` or `found` are roots of
    the compiled reads."""
    for strawberry_field in get_object_definition(cls, strict=True).fields:
        resolver = strawberry_field.base_resolver
        declared = _DECLARED.get(resolver.wrapped_func) if resolver else None
        if isinstance(declared, Page):
            ROOTS[strawberry_field.python_name] = Root(declared.type_name, page=declared)
        elif isinstance(declared, Listing):
            ROOTS[strawberry_field.python_name] = Root(declared.type_name, listing=declared)
        elif isinstance(declared, Root):
            ROOTS[strawberry_field.python_name] = declared
    return cls


def sql_text(value: str) -> str:
    """A string constant of ours as an SQL literal (never text from a request)."""
    return "'" + value.replace("'", "''") + "'"


def base64url(raw: ColumnElement[Any]) -> ColumnElement[Any]:
    """`base64.urlsafe_b64encode(raw).rstrip("=")`: PostgreSQL's base64 breaks lines every
    76 characters, which `translate` drops with the padding's `=` trimmed after."""
    encoded = func.encode(
        func.convert_to(raw, literal_column("'UTF8'")), literal_column("'base64'")
    )
    translated = func.translate(encoded, literal_column("E'+/\\n'"), literal_column("'-_'"))
    return func.rtrim(translated, literal_column("'='"))


def iso_datetime(column: ColumnElement[Any]) -> ColumnElement[Any]:
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
