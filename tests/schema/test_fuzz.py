"""Property-based fuzzing of the whole schema: every root query and mutation, with arguments
hypothesis-graphql draws from the schema (NUL bytes, ids out of range, any date, strings
over their limits), signed in as each role over a small seeded world. Whatever a client sends, it gets an
answer it can use: never a 500, never INTERNAL_SERVER_ERROR, and an operation that is refused
changes no row of any table.

Bounded for CI: derandomized (the same examples every run), a fixed number of examples per
role, no example database written into the repository."""

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries
from sqlalchemy import text

from schema.api import SCHEMA
from schema.core import ids
from schema.core.pagination import encode_cursor
from schema.core.strawberry_private import graphql_schema
from tests.factories import PASSWORD
from tests.schema.access.test_policy_matrix import ROLES, _world

GRAPHQL = graphql_schema(SCHEMA)
ROOTS = [("query", name) for name in GRAPHQL.query_type.fields] + [
    ("mutation", name) for name in GRAPHQL.mutation_type.fields
]
EXAMPLES_PER_ROLE = 350

# Ids of the seeded world's objects (small ids, both communities) and ones no row can have:
# out of bigint range, negative, malformed.
_TYPES = [
    "Community",
    "Unit",
    "User",
    "Membership",
    "Activity",
    "ProgrammeActivity",
    "Report",
    "Exit",
    "AuditRun",
    "Finding",
    "Application",
    "ApplicationCall",
    "Notification",
    "Upload",
    "ProgrammeFinding",
]
_KEYS = st.sampled_from([1, 2, 3, 0, -1, 2**31, 2**63 - 1, 2**63, 2**64 + 7, 10**30])
_IDS = st.one_of(
    st.builds(lambda t, k: ids.encode(t, k), st.sampled_from(_TYPES), _KEYS),
    st.builds(lambda t, c, k: ids.encode(t, c, k), st.sampled_from(_TYPES), _KEYS, _KEYS),
    st.text(max_size=20),
)
_CURSORS = st.builds(encode_cursor, _KEYS)
# The seeded world's slugs and accounts, any characters (NUL and controls among them), and
# strings at and over the limits.
_TEXT = st.one_of(
    st.sampled_from(["yrd-a", "yrd-b", "", "target@example.cn", PASSWORD]),
    st.text(max_size=30),
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["题", "a", "\x00"]),
        st.sampled_from([12, 40, 80, 120, 200, 201, 2001, 20001]),
    ),
)
SCALARS = {
    "String": _TEXT.map(nodes.String),
    "ID": st.one_of(_IDS, _CURSORS).map(nodes.String),
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes(timezones=st.sampled_from([None, dt.UTC])).map(
        lambda d: nodes.String(d.isoformat())
    ),
}


def documents() -> st.SearchStrategy[tuple[str, str]]:
    """One root field per document, so a refusal is the whole operation's."""

    def of(root: tuple[str, str]) -> st.SearchStrategy[tuple[str, str]]:
        kind, name = root
        make = queries if kind == "query" else mutations
        return make(GRAPHQL, fields=[name], custom_scalars=SCALARS).map(lambda d: (kind, d))

    return st.sampled_from(ROOTS).flatmap(of)


async def _row_counts(owner) -> dict[str, int]:
    async with owner.connect() as conn:
        tables = (
            await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        ).scalars()
        counts = ", ".join(f'(SELECT count(*) FROM "{t}") AS "{t}"' for t in tables)
        return dict((await conn.execute(text(f"SELECT {counts}"))).mappings().one())


def _refused(kind: str, body: dict[str, Any]) -> bool:
    """Whether the operation was refused: a payload's errors, or an error of the request or
    of a root field. An error deeper in a mutation's answer (a page of its community's news
    asked with `first: -1`) comes once the mutation has run: it refuses nothing."""
    errors = body.get("errors", [])
    if kind != "mutation" and errors:
        return True
    if any(len(e.get("path") or ()) <= 1 for e in errors):
        return True
    if kind == "mutation":
        return any(
            isinstance(payload, dict) and payload.get("errors")
            for payload in (body.get("data") or {}).values()
        )
    return False


@pytest.fixture
async def world(runtime):
    _, headers = await _world(runtime)
    return headers


@pytest.mark.parametrize("role", ROLES)
@settings(
    max_examples=EXAMPLES_PER_ROLE,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
async def test_no_input_gets_an_internal_error_or_a_half_write(client, owner, world, role, data):
    kind, document = data.draw(documents(), label="document")
    path = data.draw(st.sampled_from(["/graphql", "/c/yrd-a/graphql"]), label="path")
    before = await _row_counts(owner)
    response = await client.post(path, json={"query": document}, headers=world[role])

    assert response.status_code != 500, response.text
    body = response.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    assert "INTERNAL_SERVER_ERROR" not in codes, body
    if _refused(kind, body):
        assert await _row_counts(owner) == before, body
