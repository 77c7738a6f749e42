"""Posting GraphQL the way clients do, and reading the answer."""

from typing import Any

import httpx

from tests.httpx_private import app_of


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    path: str = "/graphql",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        path, json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert response.status_code in (200, 404, 400), response.text
    return response.json()


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def _payload(client, query, variables, headers) -> dict[str, Any]:
    body = await gql(client, query, variables, headers=headers)
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    return payload


async def mutate(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The payload of a mutation that must succeed (its one root field)."""
    payload = await _payload(client, query, variables, headers)
    assert payload["errors"] == [], payload
    return payload


async def refusal(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The one `UserError` of a mutation that must be refused."""
    payload = await _payload(client, query, variables, headers)
    assert len(payload["errors"]) == 1, payload
    return payload["errors"][0]


def the_usual_way(query: str) -> str:
    """The same document, answered field by field: a directive is one thing the compiled
    reads (`schema/core/compiled.py`) leave to the usual execution, and `@include(if: true)`
    changes nothing else. The operation's selection goes inside the fragment."""
    start = query.index("{")
    depth, end = 0, start
    while True:
        depth += {"{": 1, "}": -1}.get(query[end], 0)
        if depth == 0:
            break
        end += 1
    return f"{query[:start]}{{ ... @include(if: true) {query[start : end + 1]} }}{query[end + 1 :]}"


def graphql_view(client: httpx.AsyncClient) -> Any:
    """The app's GraphQL view: one endpoint serves /graphql over HTTP and WebSocket."""
    (view,) = {r.endpoint for r in app_of(client).routes if getattr(r, "path", None) == "/graphql"}
    return view


async def both_ways(client, query, variables, headers, language="zh", path="/graphql"):
    """A document answered by its compiled statement and field by field: (the compiled answer, the usual answer, what the compiled one cost in statements)"""
    headers = {**headers, "Accept-Language": language}
    compiled = await client.post(
        path, json={"query": query, "variables": variables}, headers=headers
    )
    usual = await client.post(
        path, json={"query": the_usual_way(query), "variables": variables}, headers=headers
    )
    return compiled.json(), usual.json(), int(compiled.headers["x-sql-statements"])
