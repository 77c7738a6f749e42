"""Posting GraphQL the way clients do, and reading the answer."""

from typing import Any

import httpx


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
