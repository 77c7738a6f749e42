"""Query documents answered by one SQL statement that PostgreSQL turns into the response's
JSON.

A page resolved field by field costs a read per list (each `BEGIN` with the tenant, the
query, `COMMIT`: three round trips), Python objects for every row and graphql-core's work
for every field, several times what the one query that answers it costs (measured:
`bench/RESULTS.md`, "Measurements behind design decisions"). When every field a document
selects has a projection
(`schema/core/projection.py`), the document is compiled once (per operation and language)
into one statement, its arguments bound at each run, its tenant set inside it
(`tenants.rls.statement_scope`): one round trip, no objects, no per-field work.

The usual execution stays the authority. Anything it would answer with an error goes its
way: a document that selects a field without a projection, uses a directive, or is not a
query (executed field by field, `schema/core/direct.py`), one that does not parse or
validate (strawberry's view answers it); and a request whose variables or arguments are
wrong, whose permission checks refuse, or whose community does not exist. The checks are
the fields' own (`schema/core/permissions.py`), decided before the statement runs; the
lists' filters are the domains' own statements. `tests/schema/test_compiled.py` runs the
documents both ways."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from inspect import iscoroutinefunction
from typing import Any, Protocol

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    parse,
    specified_rules,
)
from graphql.error import GraphQLError
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.language import Visitor, visit
from sqlalchemy import (
    BindParameter,
    Boolean,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement
from strawberry.permission import PermissionExtension
from strawberry.schema.schema import validate_document
from strawberry.types.field import StrawberryField

from policies.permissions import Permission
from schema.core.context import Context
from schema.core.limits import check_arguments
from schema.core.pagination import MAX_PAGE, page_asked
from schema.core.permissions import Requires
from schema.core.projection import (
    ALL,
    OWN,
    PAGING,
    PROJECTIONS,
    ROOTS,
    Listed,
    Listing,
    Page,
    Projection,
    Related,
    Right,
    Root,
    Row,
    SQLType,
    Valued,
    base64url,
    holds,
    sql_text,
    supplied,
)
from schema.core.strawberry_private import field_of
from server.errors import GongxueError
from server.logs import traceback_text
from server.outages import is_outage
from server.reads import Fixed
from tenants.rls import statement_scope, statement_scope_values

log = logging.getLogger(__name__)
# Documents kept planned (or known not to compile), as the parser and validation caches.
PLANS_KEPT = 512
# Statements kept per plan: a page's filters and cursor, given or not, and its size make its
# shapes, and a client varying which variables are null could otherwise make a plan hold
# thousands.
SHAPES_KEPT = 64
# A page this large scans enough rows for PostgreSQL to scan in parallel, which a statement
# that sets its own tenant forbids (set_config is parallel-unsafe): it runs in a read-only
# transaction scoped first: two round trips more, which a parallel scan of that many rows
# repays (bench/RESULTS.md).
PARALLEL_PAGE = 500
# json_build_object takes at most 100 arguments: 50 fields an object.
MOST_FIELDS = 50
# The scope a statement runs under: the tenant's (the community the document asks for).
TENANT = "tenant"


class Unplanned(Exception):
    """This document, or this request of it, goes the usual way."""


@dataclass(frozen=True)
class Check:
    """A field's permission check; `community` the root whose community it is asked in."""

    permission: Permission
    community: int | None


# `Any` here: `ColumnElement[Any]` and `BindParameter[Any]` are SQL of whichever column type
# (SQLAlchemy types one by its Python value, which differs from field to field); a field's
# arguments and a request's variables are as graphql-core coerced them from its JSON.

# How each parameter of a statement is valued at a run: a value, or an awaitable for those kept
# apart as `awaited` (told apart by `iscoroutinefunction`, which the checker cannot follow).
Binders = dict[str, Callable[["Run"], Any]]
# A page's shape: which of its filters (then of its given values) are absent, whether it has a
# cursor, which way it runs, its size (a constant of the statement, as PostgreSQL best plans
# it: `server.reads.constants_written`).
PageShape = tuple[tuple[bool, ...], bool, bool, int]
# A plan's statement for the shapes of its pages, and whether its tenant is set first.
StatementKey = tuple[tuple[tuple[int, PageShape], ...], bool]


@dataclass
class Run:
    """One request of a plan: what it was asked with and what was found before the SQL."""

    context: Context
    arguments: dict[int, dict[str, Any]] = field(default_factory=dict)
    found: dict[int, int | None] = field(default_factory=dict)
    pages: dict[int, tuple[int, int | None, bool]] = field(default_factory=dict)
    # What the request gives each page's builder (`Page.given`), by the page's index.
    given: dict[int, dict[str, object]] = field(default_factory=dict)


class Build:
    """The statement being built for one shape: its language and its parameters, each with
    how a run values it."""

    def __init__(self, language: str, shape: dict[int, PageShape], gate: ColumnElement[Any] | None):
        self.language = language
        self.shape = shape
        self.gate = gate
        self.binders: Binders = {}
        # Those that give an awaitable (the reader's rights): known here, not asked per run.
        self.awaited: Binders = {}

    def bind(
        self, name: str, value_of: Callable[[Run], object], type_: SQLType | None = None
    ) -> BindParameter[Any]:
        (self.awaited if iscoroutinefunction(value_of) else self.binders)[name] = value_of
        return bindparam(name, type_=type_)

    def value(
        self, value_of: Callable[[Run], object], type_: SQLType | None = None
    ) -> BindParameter[Any]:
        """A parameter for a projection's expression (`projection.Bind`)."""
        return self.bind(f"v{len(self.binders) + len(self.awaited)}", value_of, type_)


def _literal(name: str) -> ColumnElement[Any]:
    return literal_column(sql_text(name))


def _object(pairs: list[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    return func.json_build_object(*[part for name, sql in pairs for part in (_literal(name), sql)])


def _cursor(key: ColumnElement[Any]) -> ColumnElement[Any]:
    """`pagination.encode_cursor`: base64url of `[key]`."""
    return base64url(literal_column("'['").op("||")(key).op("||")(literal_column("']'")))


# The planned selection: each part turns into SQL for a row of its object (none for a root).


class Part(Protocol):
    def sql(self, row: Row, build: Build) -> ColumnElement[Any]:
        """The part's SQL for a row of its object."""


class Top(Protocol):
    def sql(self, row: Row | None, build: Build) -> ColumnElement[Any]:
        """The part's SQL at the top of the statement (no row above it)."""


@dataclass
class Value:
    projected: Valued

    def sql(self, row: Row, build: Build) -> ColumnElement[Any]:
        return self.projected.sql(row, build.language, build.value)


@dataclass
class Constant:
    text: str

    def sql(self, row: Row | None, build: Build) -> ColumnElement[Any]:
        return _literal(self.text)


@dataclass
class Object:
    projection: Projection
    fields: list[tuple[str, Part]]

    def sql(self, row: Row, build: Build) -> ColumnElement[Any]:
        return _object([(name, part.sql(row, build)) for name, part in self.fields])


@dataclass
class One:
    related: Related
    target: Object

    def sql(self, row: Row, build: Build) -> ColumnElement[Any]:
        other = self.target.projection.aliased()
        return (
            select(self.target.sql(other, build))
            .select_from(other)
            .where(other.c.id == row.c[self.related.key])
            .scalar_subquery()
        )


@dataclass
class Many:
    listed: Listed
    target: Object

    def sql(self, row: Row, build: Build) -> ColumnElement[Any]:
        rows = self.listed.rows(row).correlate(row).subquery()
        return _json_list(rows, self.listed.order, self.target, build, None)


@dataclass
class Gathered:
    """A whole list at the top (`Listing`), its builder given the request's values."""

    index: int
    listing: Listing
    target: Object

    def sql(self, row: Row | None, build: Build) -> ColumnElement[Any]:
        i = self.index
        absent = build.shape[i][0]
        values = {
            # As a page's given values: the statement's text says only which were given.
            name: None if missing else build.bind(f"n{i}_{name}", _given_of(i, name), type_)
            for (name, (_, type_)), missing in zip(self.listing.given.items(), absent, strict=True)
        }
        rows = self.listing.builder(**values).subquery()
        return _json_list(rows, self.listing.order, self.target, build, build.gate)


def _json_list(
    rows: Row,
    order: Callable[[Row], list[ColumnElement[Any]]],
    target: Object,
    build: Build,
    gate: ColumnElement[Any] | None,
) -> ColumnElement[Any]:
    """`rows` as a JSON array of `target`'s objects in `order(rows)`'s order ([] for none)."""
    number = func.row_number().over(order_by=order(rows)).label("gx_row")
    numbered = select(rows, number).subquery()
    ordered = aggregate_order_by(target.sql(numbered, build), numbered.c.gx_row)
    listed = select(func.json_agg(ordered)).select_from(numbered)
    if gate is not None:
        listed = listed.where(gate)
    return func.coalesce(listed.scalar_subquery(), literal_column("'[]'::json"))


@dataclass
class Connection:
    """A page of a list and what the document asks of it: edges (cursor, node), pageInfo,
    totalCount, in the document's order."""

    index: int
    spec: Page
    target: Object | None
    parts: list[tuple[str, str | Constant]]  # "edges", "pageInfo", "totalCount" or a Constant
    edge_parts: list[tuple[str, str | Constant]]  # "cursor", "node" or a Constant
    info_parts: list[tuple[str, str | Constant]]  # pageInfo's field names or a Constant
    # The root whose community the page's `rights` are asked in.
    community: int | None = None

    def sql(self, row: Row | None, build: Build) -> ColumnElement[Any]:
        spec, i = self.spec, self.index
        missing, has_cursor, newest, size = build.shape[i]
        values = dict(spec.fixed)
        if row is not None:
            columns = row.c
            values.update(spec.parent_values(lambda column: columns[column]))
        filters, given = missing[: len(spec.filters)], missing[len(spec.filters) :]
        for name, absent in zip(spec.filters, filters, strict=True):
            values[name] = None if absent else build.bind(f"n{i}_{name}", _argument_of(i, name))
        for (name, (_, type_)), absent in zip(spec.given.items(), given, strict=True):
            # A parameter valued at each run, whoever reads: the statement's text says only
            # whether the request gave it.
            values[name] = None if absent else build.bind(f"n{i}_{name}", _given_of(i, name), type_)
        for name, right in spec.rights.items():
            # The planner plans a page with rights only below a root that found its community.
            assert self.community is not None
            held = _holds(right, self.community)
            values[name] = build.bind(f"n{i}_{name}", held, Boolean)
        filtered = spec.builder(**values)
        if row is not None:
            # A list below an object reads that object's row from the enclosing query.
            filtered = filtered.correlate(row)
        key = getattr(self.target_table(), spec.key)
        statement = filtered
        if has_cursor:
            after = build.bind(f"n{i}_after", lambda run: run.pages[i][1])
            statement = statement.where(key < after if newest else key > after)
        page = statement.order_by(key.desc() if newest else key).limit(size + 1).subquery()
        page_key = page.c[spec.key]
        order = page_key.desc() if newest else page_key
        number = func.row_number().over(order_by=order).label("gx_row")
        rows = select(page, number).subquery()
        within = rows.c.gx_row <= size
        first, last = (func.max, func.min) if newest else (func.min, func.max)
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for name, part in self.parts:
            sql: ColumnElement[Any]
            if isinstance(part, Constant):
                sql = part.sql(rows, build)
            elif part == "totalCount":
                counted = filtered.order_by(None).subquery()
                sql = select(func.count()).select_from(counted).scalar_subquery()
            elif part == "edges":
                edge = _object([(n, self._edge_part(p, rows, build)) for n, p in self.edge_parts])
                agg = func.json_agg(aggregate_order_by(edge, rows.c.gx_row)).filter(within)
                sql = func.coalesce(agg, literal_column("'[]'::json"))
            else:  # pageInfo
                info = {
                    "hasNextPage": func.count() > size,
                    "hasPreviousPage": true() if has_cursor else literal_column("false"),
                    "startCursor": _cursor(first(rows.c[spec.key]).filter(within)),
                    "endCursor": _cursor(last(rows.c[spec.key]).filter(within)),
                }
                sql = _object(
                    [
                        (n, p.sql(rows, build) if isinstance(p, Constant) else info[p])
                        for n, p in self.info_parts
                    ]
                )
            pairs.append((name, sql))
        query = select(_object(pairs))
        if any(part in ("edges", "pageInfo") for _, part in self.parts):
            query = query.select_from(rows)  # aggregated: one row, however many it pages
        if row is None and build.gate is not None:
            query = query.where(build.gate)
        return query.scalar_subquery()

    def _edge_part(self, part: str | Constant, rows: Row, build: Build) -> ColumnElement[Any]:
        if isinstance(part, Constant):
            return part.sql(rows, build)
        if part == "cursor":
            return _cursor(rows.c[self.spec.key])
        assert self.target is not None  # a node is planned with its target
        return self.target.sql(rows, build)

    def target_table(self) -> Any:
        # a model class: its columns are attributes of SQLAlchemy's own declarative typing
        return PROJECTIONS[self.spec.type_name].table


def _argument_of(index: int, name: str) -> Callable[[Run], object]:
    return lambda run: run.arguments[index][name]


def _given_of(index: int, name: str) -> Callable[[Run], object]:
    return lambda run: run.given[index][name]


def _holds(right: Right, community: int) -> Callable[[Run], Awaitable[bool]]:
    """Whether the reader has `right` in the community the root `community` found."""

    async def held(run: Run) -> bool:
        guard = await run.context.guard()
        return holds(guard, right, run.found[community])

    return held


@dataclass
class RootObject:
    index: int
    root: Root
    target: Object

    def sql(self, row: Row | None, build: Build) -> ColumnElement[Any]:
        table = self.target.projection.aliased()
        found = build.bind(f"n{self.index}_id", lambda run: run.found[self.index])
        query = select(self.target.sql(table, build)).select_from(table).where(table.c.id == found)
        if self.root.only is not None:
            query = query.where(self.root.only(table))
        if build.gate is not None:
            query = query.where(build.gate)
        return query.scalar_subquery()


@dataclass
class Argued:
    """A planned field with arguments, valued at each run."""

    index: int
    definition: GraphQLField
    node: FieldNode
    python_names: dict[str, str]
    root: Root | None = None
    page: Page | None = None
    # Arguments written in the document itself, coerced once (by the Python names).
    constant: dict[str, Any] | None = None

    def arguments(self, variables: VariableValues | None) -> dict[str, Any]:
        if self.constant is not None:
            return self.constant
        given = get_argument_values(self.definition, self.node, variables)
        check_arguments(self.definition, given)
        return {self.python_names[name]: value for name, value in given.items()}


class Plan:
    """One operation of one document in one language, planned: its roots, the fields with
    arguments, the checks, the scope; a statement per shape (which filters are given, whether
    a page has a cursor, which way it runs), made the first time a run needs it."""

    def __init__(self, schema: GraphQLSchema, operation: OperationDefinitionNode, language: str):
        self.schema = schema
        self.operation = operation
        self.language = language
        self.roots: list[tuple[str, Top]] = []
        self.argued: list[Argued] = []
        self.checks: list[Check] = []
        self.scopes: set[str] = set()
        self.community_root: int | None = None
        self._statements: dict[StatementKey, tuple[Fixed, Binders, Binders]] = {}

    async def run(self, context: Context, variables: dict[str, Any] | None) -> bytes:
        """The response's JSON; Unplanned (or what a resolver would raise) to go the usual
        way."""
        coerced: VariableValues | None = None
        if self.operation.variable_definitions:
            given = get_variable_values(
                self.schema, self.operation.variable_definitions, variables or {}
            )
            if isinstance(given, list):
                raise Unplanned  # the usual execution reports the variables' errors
            coerced = given
        run = Run(context)
        shape: dict[int, PageShape] = {}
        for argued in self.argued:
            arguments = run.arguments[argued.index] = argued.arguments(coerced)
            if argued.root is not None and argued.root.find is not None:
                found = await argued.root.find(run, arguments)
                if found is None and not argued.root.absent_is_null:
                    raise Unplanned  # the field is null: the usual way says so
                run.found[argued.index] = found
            if argued.page is not None:
                spec = argued.page
                size, cursor = page_asked(
                    arguments.get("first"), arguments.get("after"), spec.most or MAX_PAGE
                )
                newest = spec.newest_first(arguments)
                run.pages[argued.index] = (size, cursor, newest)
                from_request = run.given[argued.index] = await supplied(
                    spec.given, context, arguments
                )
                missing = tuple(
                    value is None
                    for value in (
                        *(arguments.get(name) for name in spec.filters),
                        *from_request.values(),
                    )
                )
                shape[argued.index] = (missing, cursor is not None, newest, size)
                if any(isinstance(arguments.get(name), list) for name in spec.filters):
                    raise Unplanned
            if argued.root is not None and argued.root.listing is not None:
                listed = argued.root.listing.given
                from_request = run.given[argued.index] = await supplied(listed, context, arguments)
                missing = tuple(value is None for value in from_request.values())
                shape[argued.index] = (missing, False, False, 0)
        if self.checks:
            guard = await context.guard()
            for check in self.checks:
                community = None if check.community is None else run.found[check.community]
                guard.require(check.permission, community)
        scoped_first = bool(self.scopes) and any(
            size > PARALLEL_PAGE for size, _, _ in run.pages.values()
        )
        statement, binders, awaited = self._statement(shape, scoped_first)
        values = {name: value_of(run) for name, value_of in binders.items()}
        for name, value_of in awaited.items():
            values[name] = await value_of(run)
        read_in: int | None = None
        all_communities = False
        if self.scopes:
            tenant = None
            if TENANT in self.scopes and self.community_root is not None:
                tenant = run.found[self.community_root]
            if scoped_first:
                read_in, all_communities = tenant, ALL in self.scopes
            else:
                values.update(statement_scope_values(tenant, ALL in self.scopes))
        async with context.read(read_in, all_communities=all_communities) as read:
            answer: str = await read.scalar(statement, **values)
        return b'{"data":' + answer.encode() + b"}"

    def _statement(
        self, shape: dict[int, PageShape], scoped_first: bool
    ) -> tuple[Fixed, Binders, Binders]:
        key = (tuple(sorted(shape.items())), scoped_first)
        made = self._statements.get(key)
        if made is None:
            if len(self._statements) >= SHAPES_KEPT:
                self._statements.clear()
            scope = statement_scope() if self.scopes and not scoped_first else None
            gate = None if scope is None else scope.c.community.is_not(None)
            build = Build(self.language, shape, gate)
            answer = _object([(name, part.sql(None, build)) for name, part in self.roots])
            query = select(cast(answer, Text))
            if scope is not None:
                query = query.select_from(scope)
            made = self._statements[key] = (Fixed(query), build.binders, build.awaited)
        return made


class Planner:
    """Walks one operation into a Plan, or raises Unplanned."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        language: str,
    ):
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.plan = Plan(schema, operation, language)

    def planned(self) -> Plan:
        plan = self.plan
        query_type = self.schema.query_type
        assert query_type is not None
        for name, nodes in self._collect(query_type, [self.plan.operation.selection_set]):
            plan.roots.append((name, self._root(query_type, nodes)))
        if TENANT in plan.scopes and ALL in plan.scopes:
            raise Unplanned  # one statement sees one scope
        if TENANT in plan.scopes and plan.community_root is None:
            raise Unplanned
        return plan

    def _root(self, query_type: GraphQLObjectType, nodes: list[FieldNode]) -> Top:
        if nodes[0].name.value == "__typename":
            return Constant(query_type.name)
        definition, python_name = self._field(query_type, nodes[0])
        declared = ROOTS.get(python_name)
        if declared is None:
            raise Unplanned
        self._checks(definition, community=None)
        if declared.page is not None:
            self._scope(declared.page.scope, community=None)
        if declared.listing is not None:
            self._scope(declared.listing.scope, community=None)
        index = self._argued(definition, nodes[0], declared, declared.page)
        target_type = get_named_type(definition.type)
        if declared.page is not None:
            return self._connection(index, declared.page, target_type, nodes, community=None)
        if declared.listing is not None:
            projection = PROJECTIONS.get(declared.type_name)
            target = self._object(projection, target_type, nodes, community=None)
            return Gathered(index, declared.listing, target)
        community = None
        if declared.is_community:
            if self.plan.community_root is not None:
                raise Unplanned  # two communities: two scopes
            self.plan.community_root = community = index
        target = self._object(PROJECTIONS.get(declared.type_name), target_type, nodes, community)
        return RootObject(index, declared, target)

    def _argued(
        self, definition: GraphQLField, node: FieldNode, root: Root | None, page: Page | None
    ) -> int:
        # strawberry makes the GraphQL arguments from its own, in their order.
        python_names = [a.python_name for a in _strawberry_field(definition).arguments]
        names = dict(zip(definition.args, python_names, strict=True))
        known = set(root.reads) if root is not None else set()
        if page is not None:
            known |= {*PAGING, *page.filters, *page.reads}
        if not set(python_names) <= known:
            raise Unplanned  # an argument the projection does not know would be ignored
        index = len(self.plan.argued)
        argued = Argued(index, definition, node, names, root, page)
        if not _uses_variables(node):
            try:
                argued.constant = argued.arguments(None)
            except (GraphQLError, GongxueError):
                raise Unplanned from None  # the usual execution reports it, located
        self.plan.argued.append(argued)
        return index

    def _object(
        self,
        projection: Projection | None,
        object_type: GraphQLNamedType,
        nodes: list[FieldNode],
        community: int | None,
    ) -> Object:
        if projection is None or not isinstance(object_type, GraphQLObjectType):
            raise Unplanned
        if projection.type_name != object_type.name:
            raise Unplanned
        parts: list[tuple[str, Part]] = []
        for name, field_nodes in self._collect(object_type, [n.selection_set for n in nodes]):
            if field_nodes[0].name.value == "__typename":
                parts.append((name, Constant(object_type.name)))
                continue
            definition, python_name = self._field(object_type, field_nodes[0])
            projected = projection.fields.get(python_name)
            if projected is None:
                raise Unplanned
            self._checks(definition, community)
            self._scope(getattr(projected, "scope", None), community)
            target_type = get_named_type(definition.type)
            if isinstance(projected, Page):
                index = self._argued(definition, field_nodes[0], None, projected)
                below = community if projected.same_community else None
                parts.append(
                    (name, self._connection(index, projected, target_type, field_nodes, below))
                )
            elif isinstance(projected, Listed):
                if definition.args:
                    raise Unplanned
                target = self._object(
                    PROJECTIONS.get(projected.type_name), target_type, field_nodes, None
                )
                parts.append((name, Many(projected, target)))
            elif isinstance(projected, Related):
                if definition.args:
                    raise Unplanned
                below = community if projected.same_community else None
                target = self._object(
                    PROJECTIONS.get(projected.type_name), target_type, field_nodes, below
                )
                parts.append((name, One(projected, target)))
            else:
                if definition.args or any(n.selection_set for n in field_nodes):
                    raise Unplanned
                parts.append((name, Value(projected)))
        if len(parts) > MOST_FIELDS:
            raise Unplanned
        return Object(projection, parts)

    def _connection(
        self,
        index: int,
        spec: Page,
        connection_type: GraphQLNamedType,
        nodes: list[FieldNode],
        community: int | None,
    ) -> Connection:
        if not isinstance(connection_type, GraphQLObjectType):
            raise Unplanned
        if spec.rights and community is None:
            raise Unplanned  # the community the rights are asked in is known only once read
        parts: list[tuple[str, str | Constant]] = []
        edge_parts: list[tuple[str, str | Constant]] = []
        info_parts: list[tuple[str, str | Constant]] = []
        target: Object | None = None
        selection = [n.selection_set for n in nodes]
        for name, field_nodes in self._collect(connection_type, selection):
            field_name = field_nodes[0].name.value
            if field_name == "__typename":
                parts.append((name, Constant(connection_type.name)))
            elif field_name == "totalCount":
                parts.append((name, "totalCount"))
            elif field_name in ("edges", "pageInfo"):
                if parts and any(p == field_name for _, p in parts):
                    raise Unplanned  # the same list under two names
                parts.append((name, field_name))
                inner = connection_type.fields[field_name]
                inner_type = get_named_type(inner.type)
                assert isinstance(inner_type, GraphQLObjectType)  # a connection's edge, page info
                inner_selection = [n.selection_set for n in field_nodes]
                for inner_name, inner_nodes in self._collect(inner_type, inner_selection):
                    inner_field = inner_nodes[0].name.value
                    if inner_field == "__typename":
                        part: str | Constant = Constant(inner_type.name)
                    elif field_name == "pageInfo":
                        part = inner_field
                    elif inner_field == "cursor":
                        part = "cursor"
                    else:  # node
                        if target is not None:
                            raise Unplanned  # the node under two names
                        node_type = get_named_type(inner_type.fields["node"].type)
                        target = self._object(
                            PROJECTIONS.get(spec.type_name), node_type, inner_nodes, community
                        )
                        part = "node"
                    (info_parts if field_name == "pageInfo" else edge_parts).append(
                        (inner_name, part)
                    )
            else:
                raise Unplanned
        return Connection(index, spec, target, parts, edge_parts, info_parts, community)

    def _scope(self, scope: str | None, community: int | None) -> None:
        if scope == OWN:
            scope = ALL if community is None else TENANT
        if scope is not None:
            self.plan.scopes.add(scope)

    def _checks(self, definition: GraphQLField, community: int | None) -> None:
        for extension in _strawberry_field(definition).extensions:
            if not isinstance(extension, PermissionExtension):
                raise Unplanned  # it runs with the resolver: only the usual way has one
            for permission in extension.permissions:
                if not isinstance(permission, Requires):
                    raise Unplanned
                if permission.in_community is not None and community is None:
                    raise Unplanned  # the object's community is known only once read
                in_community = None if permission.in_community is None else community
                self.plan.checks.append(Check(permission.permission, in_community))

    def _field(self, parent: GraphQLObjectType, node: FieldNode) -> tuple[GraphQLField, str]:
        name = node.name.value
        if name.startswith("__"):
            raise Unplanned  # introspection
        definition = parent.fields.get(name)
        if definition is None:
            raise Unplanned
        return definition, _strawberry_field(definition).python_name

    def _collect(
        self, parent: GraphQLObjectType, selection_sets: list[SelectionSetNode | None]
    ) -> list[tuple[str, list[FieldNode]]]:
        """The fields selected on `parent`, by response name in first-seen order, through
        fragments (a valid document's same-named fields are the same field)."""
        grouped: dict[str, list[FieldNode]] = {}

        def walk(selection_set: SelectionSetNode | None) -> None:
            if selection_set is None:
                return
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    name = selection.alias.value if selection.alias else selection.name.value
                    grouped.setdefault(name, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if not self._applies(selection.type_condition, parent):
                        raise Unplanned
                    walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments[selection.name.value]
                    if not self._applies(fragment.type_condition, parent):
                        raise Unplanned
                    walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        return list(grouped.items())

    def _applies(self, condition: NamedTypeNode | None, parent: GraphQLObjectType) -> bool:
        """A fragment on the object's own type or on none; one on an interface it implements
        (`Node`) or another type goes the usual way."""
        return condition is None or condition.name.value == parent.name


def _strawberry_field(definition: GraphQLField) -> StrawberryField:
    """The strawberry field a GraphQL field was made from; a field strawberry did not make
    goes the usual way."""
    made = field_of(definition)
    if made is None:
        raise Unplanned
    return made


class _Finds(Visitor):
    """Whether a node holds a directive or a variable, anywhere below it."""

    def __init__(self) -> None:
        super().__init__()
        self.directive = self.variable = False

    def enter_directive(self, *_: object) -> None:
        self.directive = True

    def enter_variable(self, *_: object) -> None:
        self.variable = True


def _uses_variables(node: FieldNode) -> bool:
    found = _Finds()
    for argument in node.arguments or ():
        visit(argument, found)
    return found.variable


@dataclass(frozen=True)
class Checked:
    """A document that parsed and validated with the schema's rules, its one operation a query
    or a mutation: answered by its plan where there is one, else executed directly
    (`schema/core/direct.py`)."""

    document: DocumentNode
    operation_name: str | None
    plan: Plan | None


class CompiledReads:
    """The plans of one schema: a document seen for the first time is parsed, validated with
    the schema's rules and planned where it can be, and remembered."""

    def __init__(
        self, schema: GraphQLSchema, rules: tuple[type[ASTValidationRule], ...], max_tokens: int
    ) -> None:
        self._schema = schema
        self._rules = (*specified_rules, *rules)
        self._max_tokens = max_tokens
        self._checked: dict[tuple[str, str | None, str], Checked | None] = {}

    def check(self, query: str, operation_name: str | None, language: str) -> Checked | None:
        """None for a document strawberry's own view must answer: one that does not parse or
        validate, names no single operation, or is a subscription."""
        key = (query, operation_name, language)
        try:
            return self._checked[key]
        except KeyError:
            pass
        if len(self._checked) >= PLANS_KEPT:
            self._checked.clear()
        checked = self._checked[key] = self._check(query, operation_name, language)
        return checked

    def _check(self, query: str, operation_name: str | None, language: str) -> Checked | None:
        try:
            document = parse(query, max_tokens=self._max_tokens)
        except GraphQLError:
            return None
        if validate_document(self._schema, document, self._rules):
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [o for o in operations if o.name and o.name.value == operation_name]
        if len(operations) != 1 or operations[0].operation is OperationType.SUBSCRIPTION:
            return None
        return Checked(document, operation_name, self._plan(document, operations[0], language))

    def _plan(
        self, document: DocumentNode, operation: OperationDefinitionNode, language: str
    ) -> Plan | None:
        if operation.operation is not OperationType.QUERY:
            return None
        found = _Finds()
        visit(document, found)
        if found.directive:
            return None
        try:
            return Planner(self._schema, document, operation, language).planned()
        except Unplanned:
            return None


async def answer(plan: Plan, context: Context, variables: dict[str, Any] | None) -> bytes | None:
    """The compiled answer, or None for the usual execution to give it (with its errors)."""
    try:
        return await plan.run(context, variables)
    except (Unplanned, GongxueError, GraphQLError):
        return None
    except Exception as error:
        # Never a client's fault (the usual way would answer it): a bug to see in the logs,
        # without the data a database error quotes. An outage is not one: the usual way
        # meets it too and answers SERVICE_UNAVAILABLE, logged once there.
        if not is_outage(error):
            log.error("compiled read failed; answered the usual way\n%s", traceback_text(error))
        return None
