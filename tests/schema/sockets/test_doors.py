"""A websocket is a door like HTTP: every operation on it is checked as a request is (the
token, its revocation, expiry and cut-off, the community's door, the size and shape limits),
and every error it sends carries a code."""

import asyncio
import datetime as dt

import httpx
from sqlalchemy import func, select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from schema.asgi import build
from schema.core import ids
from server.accounts import tokens
from server.compliance.models import AuditRun
from server.runtime import open_runtime
from tests.factories import bearer, make_community, make_user
from tests.graphql import gql
from tests.socket_client import socket

ME = "{ me { email } }"
RUN_AUDIT = "mutation { runAudit(input: {}) { auditRun { id } errors { code } } }"
LOGOUT = "mutation { logout { ok } }"
FINDINGS = "{ findings { edges { node { id } } } }"


def codes(message: dict) -> list[str]:
    """The codes of an operation's errors: an `error` message or a `next` with errors."""
    payload = message["payload"]
    errors = payload if message["type"] == "error" else payload.get("errors", [])
    return [e.get("extensions", {}).get("code") for e in errors]


async def runs(runtime) -> int:
    async with runtime.database.transaction(all_communities=True) as session:
        return await session.scalar(select(func.count()).select_from(AuditRun))


async def test_the_token_can_come_in_connection_init_or_the_upgrade_headers(served, runtime):
    await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    _, token = await make_user(runtime, "li@example.cn")

    async with socket(served) as ws:
        await ws.init({"authorization": f"Bearer {token}"})
        by_authorization = await ws.result("1", ME)
    async with socket(served) as ws:
        await ws.init({"token": token})
        by_token = await ws.result("1", ME)
    async with socket(served, headers=bearer(token)) as ws:
        await ws.init()
        by_header = await ws.result("1", ME)

    expected = {"data": {"me": {"email": "li@example.cn"}}}
    assert by_authorization["payload"] == by_token["payload"] == by_header["payload"] == expected


async def test_a_logged_out_token_is_refused_on_the_next_operation(served, client, runtime):
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))

    async with socket(served) as ws:
        await ws.init({"token": token})
        assert (await ws.result("1", ME))["payload"]["data"]["me"] is not None
        await gql(client, LOGOUT, headers=bearer(token))
        refused = await ws.result("2", RUN_AUDIT)
        closed = await ws.closed(within=3)

    assert codes(refused) == ["UNAUTHENTICATED"]
    assert closed[0] == 4401
    assert await runs(runtime) == 0


async def test_a_deactivated_user_is_refused_and_their_socket_closed(served, client, runtime):
    _, admin = await make_user(runtime, "admin@example.cn", ("PROJECT_GROUP", None))
    deputy, token = await make_user(runtime, "deputy@example.cn", ("PROJECT_GROUP", None))

    async with socket(served) as ws:
        await ws.init({"token": token})
        assert (await ws.result("1", ME))["payload"]["data"]["me"] is not None
        out = await gql(
            client,
            "mutation ($u: ID!) { deactivateUser(input: {userId: $u}) { errors { code } } }",
            {"u": ids.encode("User", deputy.id)},
            headers=bearer(admin),
        )
        assert out["data"]["deactivateUser"]["errors"] == []
        refused = await ws.result("2", RUN_AUDIT)
        closed = await ws.closed(within=3)

    assert codes(refused) == ["UNAUTHENTICATED"]
    assert closed[0] == 4401
    assert await runs(runtime) == 0


async def test_an_expired_token_is_refused_at_connection(served, runtime):
    user, _ = await make_user(runtime, "li@example.cn")
    secret = runtime.settings.secret_key.get_secret_value()
    old, _ = tokens.issue(secret, user.id, dt.datetime.now(dt.UTC) - dt.timedelta(hours=13))

    async with socket(served) as ws:
        await ws.send({"type": "connection_init", "payload": {"token": old}})
        closed = await ws.closed()

    assert closed == (4401, "UNAUTHENTICATED")


async def test_a_token_that_expires_while_the_socket_is_open_closes_it(served, runtime):
    user, _ = await make_user(runtime, "li@example.cn")
    secret = runtime.settings.secret_key.get_secret_value()
    # Issued 12 h minus 1 s ago: it expires one second from now.
    issued = dt.datetime.now(dt.UTC) - dt.timedelta(hours=12) + dt.timedelta(seconds=1)
    ending, _ = tokens.issue(secret, user.id, issued)

    async with socket(served) as ws:
        assert (await ws.init({"token": ending}))["type"] == "connection_ack"
        closed = await ws.closed(within=4)

    assert closed == (4401, "UNAUTHENTICATED")


async def test_an_unknown_community_door_is_refused(served, runtime):
    async with socket(served, "/c/nowhere/graphql") as ws:
        await ws.send({"type": "connection_init", "payload": {}})
        closed = await ws.closed()

    assert closed == (4404, "NOT_FOUND")


async def test_a_community_header_that_disagrees_with_the_door_is_refused(served, runtime):
    await make_community(runtime, "alpha")
    await make_community(runtime, "beta")

    async with socket(served, "/c/alpha/graphql", headers={"X-Community": "beta"}) as ws:
        await ws.send({"type": "connection_init", "payload": {}})
        closed = await ws.closed()

    assert closed == (4400, "TENANT_MISMATCH")


async def test_another_communitys_door_refuses_what_http_refuses(served, client, runtime):
    alpha, _ = await make_community(runtime, "alpha")
    await make_community(runtime, "beta")
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", alpha.id))
    over_http = await gql(client, FINDINGS, path="/c/beta/graphql", headers=bearer(token))

    async with socket(served, "/c/beta/graphql") as ws:
        await ws.init({"token": token})
        over_socket = await ws.result("1", FINDINGS)

    assert [e["extensions"]["code"] for e in over_http["errors"]] == ["FORBIDDEN"]
    assert codes(over_socket) == ["FORBIDDEN"]


async def test_a_message_over_one_mebibyte_closes_the_socket(served, runtime):
    padding = "#" + "x" * (5 * 1024 * 1024) + "\n"  # a 5 MiB comment: HTTP refuses over 1 MiB

    async with socket(served) as ws:
        await ws.init()
        await ws.subscribe("1", padding + ME)
        closed = await ws.closed()

    assert closed[0] == 1009


def nested(depth: int) -> str:
    """A query whose leaf is `depth` fields below its root field."""
    path = ["members", "edges", "node", "community"] * 3
    inner = "__typename"
    for name in reversed(path[: depth - 1]):
        inner = f"{name} {{ {inner} }}"
    return f'{{ community(slug: "x") {{ {inner} }} }}'


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


def tokens_long(count: int) -> str:
    """A mutation of `count` tokens: 17 of its own and a list of ids (commas are not tokens)."""
    listed = ", ".join(f'"{i}"' for i in range(count - 17))
    return (
        f"mutation {{ markNotificationsRead(input: {{notificationIds: [{listed}]}}) {{ marked }} }}"
    )


async def test_depth_aliases_and_tokens_are_limited_as_over_http(served, runtime):
    within = (nested(10), aliases(30), tokens_long(2000))
    beyond = (nested(11), aliases(31), tokens_long(2001))

    async with socket(served) as ws:
        await ws.init()
        allowed = [await ws.result(f"ok{i}", q) for i, q in enumerate(within)]
        refused = [await ws.result(f"no{i}", q) for i, q in enumerate(beyond)]

    # Past the limits' checks: answered (no such community; not signed in).
    assert [codes(a) for a in allowed] == [["NOT_FOUND"], [], ["UNAUTHENTICATED"]]
    assert [codes(r) for r in refused] == [
        ["GRAPHQL_VALIDATION_FAILED"],
        ["GRAPHQL_VALIDATION_FAILED"],
        ["GRAPHQL_PARSE_FAILED"],
    ]
    assert "depth" in refused[0]["payload"][0]["message"]
    assert "aliases" in refused[1]["payload"][0]["message"]


async def test_errors_carry_a_code_and_a_message_in_the_clients_language(served, runtime):
    async with socket(served, headers={"Accept-Language": "en"}) as ws:
        await ws.init()
        english = await ws.result("1", "{ notifications { edges { node { id } } } }")
    async with socket(served) as ws:
        await ws.init()
        chinese = await ws.result("1", "{ notifications { edges { node { id } } } }")

    (en,) = english["payload"] if english["type"] == "error" else english["payload"]["errors"]
    (zh,) = chinese["payload"] if chinese["type"] == "error" else chinese["payload"]["errors"]
    assert en["extensions"]["code"] == zh["extensions"]["code"] == "UNAUTHENTICATED"
    assert en["message"] == "sign in first"
    assert zh["message"] == "请先登录"


async def test_the_legacy_graphql_ws_protocol_is_not_served(served, runtime):
    async with connect(served + "/graphql", subprotocols=["graphql-ws"]) as ws:
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except ConnectionClosed as closed:
            code = closed.rcvd.code
    assert code == 4406


async def test_a_subscription_over_http_is_refused_with_a_code(client, runtime):
    _, token = await make_user(runtime, "li@example.cn")

    response = await client.post(
        "/graphql",
        json={"query": "subscription { notificationAdded { title } }"},
        headers=bearer(token),
    )

    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_REQUEST"]


async def test_a_logout_through_another_replica_closes_the_socket(
    served, runtime, settings, services
):
    _, token = await make_user(runtime, "li@example.cn")
    replica = open_runtime(settings, services)
    await replica.start()
    try:
        async with socket(served) as ws:
            await ws.init({"token": token})
            assert (await ws.result("1", ME))["payload"]["data"]["me"] is not None
            transport = httpx.ASGITransport(app=build(replica))
            async with httpx.AsyncClient(transport=transport, base_url="http://x.test") as other:
                await gql(other, LOGOUT, headers=bearer(token))
            # The revocation reaches this process by message (or the 1 s version poll),
            # then the socket's watcher within 0.5 s.
            closed = await ws.closed(within=3)
    finally:
        await replica.close()

    assert closed == (4401, "UNAUTHENTICATED")
