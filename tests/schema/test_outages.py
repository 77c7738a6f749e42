"""With PostgreSQL or Redis unreachable, what a client is told: SERVICE_UNAVAILABLE (HTTP 503
when nothing could be answered), so it knows to retry, never the masked INTERNAL_SERVER_ERROR.
The servers are refused for real: nothing listens where the runtime looks."""

import logging

import httpx
import pytest

from schema.asgi import build
from server.embedded import ServiceUrls
from server.runtime import open_runtime
from tests.factories import PASSWORD, bearer, make_user

LOGIN = """
mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token errors { code } }
}
"""
ME = "{ me { email } }"
REGISTER = """
mutation { register(input: {email: "new@example.cn", password: "long-enough-pw",
  displayName: "新用户"}) { token errors { code } } }
"""
NOTHING_LISTENS_PG = "postgresql+asyncpg://postgres@127.0.0.1:1/gone"
NOTHING_LISTENS_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
async def without_database(settings, services):
    runtime = open_runtime(
        settings, ServiceUrls(NOTHING_LISTENS_PG, services.redis_url, False, False)
    )
    transport = httpx.ASGITransport(app=build(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as c:
        yield c
    await runtime.close()


@pytest.fixture
async def without_redis(settings, services):
    runtime = open_runtime(
        settings, ServiceUrls(services.database_url, NOTHING_LISTENS_REDIS, False, False)
    )
    transport = httpx.ASGITransport(app=build(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as c:
        yield c
    await runtime.close()


def _unavailable(response: httpx.Response) -> str:
    assert response.status_code == 503, response.text
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"], body
    return body["errors"][0]["message"]


async def test_sign_in_a_read_and_a_write_say_unavailable_without_the_database(
    without_database, runtime
):
    _, token = await make_user(runtime, "wang@example.cn")
    sign_in = {"query": LOGIN, "variables": {"email": "wang@example.cn", "password": PASSWORD}}

    signed_in = await without_database.post("/graphql", json=sign_in)
    read = await without_database.post("/graphql", json={"query": ME}, headers=bearer(token))
    written = await without_database.post("/graphql", json={"query": REGISTER})
    in_english = await without_database.post(
        "/graphql", json={"query": REGISTER}, headers={"Accept-Language": "en"}
    )

    assert _unavailable(signed_in) == "服务暂时不可用，请稍后重试"
    _unavailable(read)
    _unavailable(written)
    assert "temporarily unavailable" in _unavailable(in_english)


async def test_a_community_path_says_unavailable_without_the_database(without_database):
    response = await without_database.post("/c/yrd/graphql", json={"query": ME})

    _unavailable(response)


async def test_sign_in_says_unavailable_without_redis(without_redis, runtime):
    await make_user(runtime, "wang@example.cn")
    sign_in = {"query": LOGIN, "variables": {"email": "wang@example.cn", "password": PASSWORD}}

    response = await without_redis.post("/graphql", json=sign_in)

    _unavailable(response)


async def test_an_outage_is_logged_once_a_request_as_one_line(without_database, runtime, caplog):
    """`me` is a compiled read: it met the outage first and logged a traceback, then the
    usual way met it again; each request of an outage wrote some thirty lines."""
    _, token = await make_user(runtime, "wang@example.cn")

    with caplog.at_level(logging.INFO):
        read = await without_database.post("/graphql", json={"query": ME}, headers=bearer(token))

    _unavailable(read)
    logged = [r for r in caplog.records if r.name.startswith(("schema", "server"))]
    assert [(r.levelname, r.getMessage().count("\n")) for r in logged] == [("WARNING", 0)]
