"""The execution fast path (`schema/core/execution.py`) answers exactly as graphql-core's own
execution does: the same data, the same errors at the same paths, the same nulls carried up
to the nearest nullable parent."""

import datetime as dt
import enum
import gc
import warnings

import pytest
import strawberry
from strawberry.permission import BasePermission, PermissionExtension

from schema.core.execution import Execution


@strawberry.enum
class Kind(enum.Enum):
    SEMINAR = "SEMINAR"
    FORUM = "FORUM"


class OnlyTitled(BasePermission):
    message = "only rows with a title"

    async def has_permission(self, source, info, **kwargs) -> bool:
        return source.title == "a"


@strawberry.type
class Row:
    # No resolver, but a permission check: not a plain field.
    guarded: str = strawberry.field(
        default="g", extensions=[PermissionExtension(permissions=[OnlyTitled()])]
    )
    title: str
    held_on: dt.date
    kind: Kind
    note: str | None
    count: int

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.title.upper() * times

    @strawberry.field
    async def later(self) -> str:
        return self.title + "!"


@strawberry.type
class Other:
    title: str = "not a row"


@strawberry.type
class Holder:
    rows: list[Row]
    first: Row | None
    main: Row  # a plain object field that may not be null
    odd: Row | None = None  # holds something that is not a Row
    none: Row | None = None


def _rows() -> list[Row]:
    return [
        Row(title="a", held_on=dt.date(2026, 3, 2), kind=Kind.SEMINAR, note=None, count=3),
        Row(title="b", held_on=dt.date(2026, 3, 9), kind=Kind.FORUM, note="n", count=0),
    ]


def _broken() -> list[Row]:
    rows = _rows()
    rows[1].title = None  # type: ignore[assignment]  # null where the schema says String!
    rows[0].kind = "NOT_A_KIND"  # type: ignore[assignment]  # a value the enum refuses
    return rows


@strawberry.type
class Query:
    @strawberry.field
    def holder(self) -> Holder:
        rows = _rows()
        return Holder(rows=rows, first=rows[0], main=rows[1], odd=Other())  # type: ignore[arg-type]

    @strawberry.field
    def broken(self) -> Holder | None:
        rows = _broken()
        return Holder(rows=rows, first=rows[1], main=rows[1])

    @strawberry.field
    def missing(self) -> Holder | None:
        return Holder(rows=[], first=None, main=None)  # type: ignore[arg-type]

    @strawberry.field
    def rows(self) -> list[Row]:
        return _broken()


FAST = strawberry.Schema(query=Query, execution_context_class=Execution)
PLAIN = strawberry.Schema(query=Query)

DOCUMENTS = [
    "{ holder { rows { title heldOn kind note count } first { title } } }",
    "{ holder { rows { t: title title n: note __typename shout(times: 2) later } } }",
    "{ holder { rows { ...R ... on Row { count } } } } fragment R on Row { kind heldOn }",
    "{ holder { rows { title @include(if: false) note @skip(if: false) } } }",
    "{ broken { rows { title kind count } first { title } } }",
    "{ broken { first { title kind } } }",
    "{ rows { title } }",
    "{ rows { note kind } }",
    "{ holder { rows { title guarded } } }",
    "{ holder { first { title later guarded } main { kind } none { title } } }",
    "{ holder { odd { title } } }",
    "{ broken { main { title } } }",
    "{ broken { first { later title } } }",
    "{ missing { main { title } } }",
]


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_the_fast_path_answers_as_graphql_core_does(document):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast = await FAST.execute(document)
        gc.collect()
    plain = await PLAIN.execute(document)

    # A field that needs awaiting is never read as if it were plain (and then dropped).
    assert not [w for w in caught if "never awaited" in str(w.message)]

    assert fast.data == plain.data
    assert [(e.message, e.path) for e in fast.errors or []] == [
        (e.message, e.path) for e in plain.errors or []
    ]


@pytest.mark.parametrize(
    ("field", "path", "message"),
    [
        ("kind", ["broken", "rows", 0, "kind"], "Enum 'Kind' cannot represent value"),
        ("title", ["broken", "rows", 1, "title"], "Cannot return null for non-nullable field"),
    ],
)
async def test_a_bad_value_is_an_error_at_its_field_not_passed_on(field, path, message):
    result = await FAST.execute(f"{{ broken {{ rows {{ {field} }} }} }}")

    # The bad row is nulled, and with it the non-null list and its holder, up to the
    # nullable `broken`; the error names the field where it happened.
    assert result.data == {"broken": None}
    assert [e.path for e in result.errors] == [path]
    assert result.errors[0].message.startswith(message)
