"""`asks_for`: a list resolver learns what its rows will be asked, through fragments too
(the listing fetches its per-row counts in one batch only when they are asked for)."""

import pytest
import strawberry

from schema.core.selection import asks_for

seen: list[bool] = []


@strawberry.type
class Row:
    name: str = "r"
    count: int = 1


@strawberry.type
class Edge:
    node: Row = strawberry.field(default_factory=Row)


@strawberry.type
class Page:
    edges: list[Edge] = strawberry.field(default_factory=lambda: [Edge()])


@strawberry.type
class Query:
    @strawberry.field
    def page(self, info: strawberry.Info) -> Page:
        seen.append(asks_for(info, "edges", "node", "count"))
        return Page()


SCHEMA = strawberry.Schema(query=Query)


@pytest.mark.parametrize(
    ("query", "asked"),
    [
        ("{ page { edges { node { name count } } } }", True),
        ("{ page { edges { node { name } } } }", False),
        ("{ page { edges { count: node { name } } } }", False),  # an alias is not the field
        (
            "{ page { ...p } } fragment p on Page { edges { node { ...r } } } "
            "fragment r on Row { count }",
            True,
        ),
        ("{ page { edges { ... on Edge { node { ... on Row { count } } } } } }", True),
        ("{ page { ...p } } fragment p on Page { edges { node { name } } }", False),
    ],
)
def test_asks_for_sees_through_fragments(query, asked):
    seen.clear()
    result = SCHEMA.execute_sync(query)
    assert result.errors is None
    assert seen == [asked]
