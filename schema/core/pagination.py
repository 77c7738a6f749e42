"""Relay connections with keyset pagination: a page is `WHERE key > :after ORDER BY key
LIMIT first + 1`, whatever its depth, and `totalCount` costs a query only when asked for."""

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import strawberry
from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.selectable import FromClause
from sqlalchemy.types import TypeEngine

from schema.core.ids import BIGINT
from server.errors import AccessError, ErrorCode
from server.reads import Fixed

if TYPE_CHECKING:
    from schema.core.context import Context

T = TypeVar("T")
# A list's statement, whatever it selects (`Any`: the columns differ from list to list). A
# page's rows are the domain's mapped objects, read by their columns' names (`Any` too).
Rows = Select[*tuple[Any, ...]]
DEFAULT_PAGE = 20
MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def _edge_cursor(root: "Edge[object]") -> str:
    return encode_cursor(root.key)


@strawberry.type
class Edge(Generic[T]):
    # Worked out only when asked for: most clients read just the page's end cursor, and a
    # 2,000-row page would otherwise encode 2,000 of them.
    cursor: str = strawberry.field(resolver=_edge_cursor)
    node: T
    key: strawberry.Private[int]


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many match the filters, over all pages.")
    async def total_count(self) -> int:
        return await self.count()


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([key]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        (key,) = json.loads(base64.urlsafe_b64decode(padded.encode()))
        # The key is a bigint; a bool is an int to Python, not to the database.
        if not isinstance(key, int) or isinstance(key, bool) or abs(key) > BIGINT:
            raise ValueError
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise AccessError(
            ErrorCode.INVALID_INPUT, "分页游标无效", "the `after` cursor is not valid", "after"
        ) from None
    return key


def page_size(first: int | None, most: int = MAX_PAGE) -> int:
    if first is None:
        return DEFAULT_PAGE
    if not 0 <= first <= most:
        raise AccessError(
            ErrorCode.INVALID_INPUT,
            f"每页数量须在 0 到 {most} 之间",
            f"`first` must be between 0 and {most}",
            "first",
        )
    return first


def page_asked(
    first: int | None, after: str | None, most: int = MAX_PAGE
) -> tuple[int, int | None]:
    """The page a client asks for: its size, and the key it starts after (None: the first)."""
    return page_size(first, most), None if after is None else decode_cursor(after)


def keyset(
    statement: Rows,
    key: InstrumentedAttribute[int],
    first: int | None,
    after: str | None,
    *,
    newest_first: bool = False,
    most: int = MAX_PAGE,
) -> tuple[Rows, int]:
    """The statement for one page (one row more than asked, to know if another follows);
    `newest_first` pages down the key instead of up."""
    size, cursor = page_asked(first, after, most)
    return _page_of(statement, key, cursor, size + 1, newest_first), size


def _page_of(
    statement: Rows,
    key: InstrumentedAttribute[int],
    after: int | BindParameter[Any] | None,
    limit: int | BindParameter[int],
    newest_first: bool,
) -> Rows:
    if after is not None:
        statement = statement.where(key < after if newest_first else key > after)
    return statement.order_by(key.desc() if newest_first else key).limit(limit)


def counting(statement: Rows) -> Rows:
    """`SELECT count(*)` over the filtered statement, before keyset and limit."""
    return select(func.count()).select_from(statement.order_by(None).subquery())


# Which builder, and which of its values are given: one statement per shape.
Shape = tuple[Callable[..., Rows], tuple[tuple[str, bool], ...]]


class Template:
    """A domain's statement builder and the values to call it with, for the lists a page reads
    on every request: the statement is built once per shape (which values are given, with the
    page's cursor and size) with each given value as a bind parameter, instead of being built
    and keyed again each time, which cost more than running it (bench/RESULTS.md). The builder
    may only compare its values in SQL, never compute with them; a list becomes an IN list,
    unless `types` gives the value's type (an array compared with `= ANY`)."""

    __slots__ = ("builder", "types", "values")

    def __init__(
        self,
        builder: Callable[..., Rows],
        types: dict[str, TypeEngine[Any] | type[TypeEngine[Any]]] | None = None,
        **values: object,
    ) -> None:
        self.builder = builder
        self.types = types or {}
        self.values = values

    def page(
        self,
        key: InstrumentedAttribute[int],
        first: int | None,
        after: str | None,
        newest_first: bool,
        most: int,
    ) -> tuple[Fixed, dict[str, object], int]:
        """The page's statement, its values, and the page size."""
        size, cursor = page_asked(first, after, most)
        # The page size is the statement's own constant, as PostgreSQL best plans it.
        shape = (self._shape(), key, cursor is None, newest_first, size)
        statement = _PAGES.get(shape)
        if statement is None:
            after_bound: BindParameter[Any] | None = None  # `bindparam` types an untyped one so
            if cursor is not None:
                after_bound = bindparam("page_after")
            built = _page_of(self._build(), key, after_bound, size + 1, newest_first)
            statement = _PAGES[shape] = Fixed(built)
        values = self._given()
        if cursor is not None:
            values["page_after"] = cursor
        return statement, values, size

    def whole(
        self, order: Callable[[FromClause], list[ColumnElement[Any]]]
    ) -> tuple[Fixed, dict[str, object]]:
        """Every row, in `order(rows)`'s order (a list too short to page), and its values."""
        shape = (self._shape(), order)
        statement = _WHOLE.get(shape)
        if statement is None:
            rows = self._build().subquery()
            statement = _WHOLE[shape] = Fixed(select(rows).order_by(*order(rows)))
        return statement, self._given()

    def counting(self) -> tuple[Fixed, dict[str, object]]:
        shape = self._shape()
        statement = _COUNTS.get(shape)
        if statement is None:
            statement = _COUNTS[shape] = Fixed(counting(self._build()))
        return statement, self._given()

    def _shape(self) -> Shape:
        return (self.builder, tuple((name, value is None) for name, value in self.values.items()))

    def _build(self) -> Rows:
        return self.builder(
            **{
                name: None if value is None else self._parameter(name, value)
                for name, value in self.values.items()
            }
        )

    def _parameter(self, name: str, value: object) -> BindParameter[Any]:
        if name in self.types:
            return bindparam(name, type_=self.types[name])
        return bindparam(name, expanding=isinstance(value, list))

    def _given(self) -> dict[str, object]:
        return {name: value for name, value in self.values.items() if value is not None}


# Built page and count statements by shape: a few per list and page size, made as requests
# first need them.
_PAGES: dict[tuple[Shape, InstrumentedAttribute[int], bool, bool, int], Fixed] = {}
_COUNTS: dict[Shape, Fixed] = {}
_WHOLE: dict[tuple[Shape, object], Fixed] = {}


def connection(
    rows: Sequence[Any],
    size: int,
    key_of: Callable[[Any], int],
    count: Callable[[], Awaitable[int]],
    after: str | None,
    node_of: Callable[[Any], T] = lambda row: row,
) -> Connection[T]:
    """`rows` as one page of edges (`node_of` turns a row into its node)."""
    page = list(rows[:size])
    edges = [Edge(node=node_of(row), key=key_of(row)) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size,
            has_previous_page=after is not None,
            start_cursor=encode_cursor(edges[0].key) if edges else None,
            end_cursor=encode_cursor(edges[-1].key) if edges else None,
        ),
        count=count,
    )


async def paginate(
    context: "Context",
    statement: Rows | Template,
    key: InstrumentedAttribute[int],
    first: int | None,
    after: str | None,
    node_of: Callable[[Any], T],
    *,
    community_id: int | None = None,
    all_communities: bool = False,
    newest_first: bool = False,
    most: int = MAX_PAGE,
) -> Connection[T]:
    """One page of `statement`'s rows as nodes, read under the given tenant scope; the total
    is counted (in its own transaction) only when the client asks for it."""
    page: Rows | Fixed
    total: Callable[[], tuple[Rows | Fixed, dict[str, object]]]
    if isinstance(statement, Template):
        page, values, size = statement.page(key, first, after, newest_first, most)
        total = statement.counting
    else:
        page, size = keyset(statement, key, first, after, newest_first=newest_first, most=most)
        values = {}
        plain = statement

        def total() -> tuple[Rows | Fixed, dict[str, object]]:
            return counting(plain), {}

    scope = {"all_communities": all_communities}
    async with context.read(community_id, **scope) as read:
        rows = await read.scalars(page, **values)

    async def count() -> int:
        counted, counted_values = total()  # built only when the total is asked for
        async with context.read(community_id, **scope) as read:
            return await read.scalar(counted, **counted_values) or 0

    return connection(rows, size, lambda row: getattr(row, key.key), count, after, node_of)
