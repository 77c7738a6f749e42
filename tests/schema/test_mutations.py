"""What every mutation gets from `@mutation` (`schema/core/mutations.py`)."""

import pytest
from starlette.requests import Request

from policies.permissions import Permission
from schema.core.context import Context
from schema.core.mutations import Attempt, DeclaredGuard, Undeclared
from server.access.guard import Actor
from server.accounts import tokens
from tests.factories import bearer, make_community, make_user
from tests.graphql import gql

ADD_MEMBER = """
mutation ($s: String!) {
  addMember(input: {communitySlug: $s, unitId: "VW5pdDox", role: MEMBER}) { errors { code } }
}"""


async def test_nobody_signed_in_is_refused_before_the_input_is_read(client, runtime):
    await make_community(runtime, "yrd-a")

    body = await gql(client, ADD_MEMBER, {"s": "no-such-community"})

    # Not NOT_FOUND: someone not signed in learns nothing of which communities exist.
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert body["data"] is None


async def test_a_member_is_forbidden_at_the_top_level_not_in_the_payload(client, runtime):
    community, _ = await make_community(runtime, "yrd-a")
    _, token = await make_user(runtime, "member@example.cn", ("MEMBER", community.id))

    body = await gql(client, ADD_MEMBER, {"s": "yrd-a"}, headers=bearer(token))

    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_a_check_the_mutation_does_not_declare_fails_loudly(runtime):
    user, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    claims = tokens.read(runtime.settings.secret_key.get_secret_value(), token)
    guard = DeclaredGuard(
        runtime.policy, Actor(user.id, claims), frozenset({Permission.MEMBERSHIP_MANAGE})
    )

    assert guard.allows(Permission.MEMBERSHIP_MANAGE, 1)
    with pytest.raises(Undeclared, match="COMMUNITY_CREATE"):
        guard.require(Permission.COMMUNITY_CREATE)


async def test_a_mutation_runs_in_one_transaction(runtime):
    # A second would commit the first half of the work before the second half is refused.
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    attempt = Attempt(Context(runtime, request, None), DeclaredGuard(runtime.policy, None))

    async with attempt.transaction():
        pass
    with pytest.raises(RuntimeError, match="one transaction"):
        attempt.transaction()
