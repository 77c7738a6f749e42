from sqlalchemy import func, select

from schema.core import ids
from server.accounts.models import User
from tests.factories import PASSWORD, bearer, make_community, make_user
from tests.graphql import error_codes, gql

CREATE = """
mutation ($input: CreateUserInput!) {
  createUser(input: $input) { user { email displayName unit { name } } errors { code field } }
}
"""
DEACTIVATE = """
mutation ($id: ID!) {
  deactivateUser(input: {userId: $id}) { user { isActive } errors { code } }
}
"""
ME = "{ me { email } }"
LOGIN = """
mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token errors { code } }
}
"""


async def _users(runtime) -> int:
    async with runtime.database.transaction() as session:
        return await session.scalar(select(func.count()).select_from(User))


async def test_the_project_group_creates_accounts(client, runtime):
    _, units = await make_community(runtime, "yrd-a")
    _, token = await make_user(runtime, "pg@caea.cn", ("PROJECT_GROUP", None))
    unit_id = ids.encode("Unit", units[0].id)

    body = await gql(
        client,
        CREATE,
        {
            "input": {
                "email": "leader@a.cn",
                "password": "long-enough-pw",
                "displayName": "组长",
                "unitId": unit_id,
            }
        },
        headers=bearer(token),
    )

    created = body["data"]["createUser"]
    assert created["errors"] == []
    assert created["user"] == {
        "email": "leader@a.cn",
        "displayName": "组长",
        "unit": {"name": units[0].name},
    }


async def test_the_project_group_cannot_give_a_weak_password(client, runtime):
    _, token = await make_user(runtime, "pg@caea.cn", ("PROJECT_GROUP", None))
    weak = {"input": {"email": "x@a.cn", "password": "aaaaaaaaaa", "displayName": "X"}}

    body = await gql(client, CREATE, weak, headers=bearer(token))

    assert body["data"]["createUser"] == {
        "user": None,
        "errors": [{"code": "INVALID_INPUT", "field": "password"}],
    }
    assert await _users(runtime) == 1


async def test_nobody_else_creates_accounts(client, runtime):
    community, _ = await make_community(runtime, "yrd-a")
    _, leader = await make_user(runtime, "leader@a.cn", ("LEADER", community.id))
    variables = {"input": {"email": "x@a.cn", "password": "long-enough-pw", "displayName": "X"}}

    anonymous = await gql(client, CREATE, variables)
    as_leader = await gql(client, CREATE, variables, headers=bearer(leader))

    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert error_codes(as_leader) == ["FORBIDDEN"]
    assert await _users(runtime) == 1


async def test_deactivating_a_user_ends_their_sign_ins_at_once(client, runtime):
    _, admin = await make_user(runtime, "pg@caea.cn", ("PROJECT_GROUP", None))
    user, token = await make_user(runtime, "zhao@example.cn")

    body = await gql(client, DEACTIVATE, {"id": ids.encode("User", user.id)}, headers=bearer(admin))

    assert body["data"]["deactivateUser"] == {"user": {"isActive": False}, "errors": []}
    assert error_codes(await gql(client, ME, headers=bearer(token))) == ["UNAUTHENTICATED"]
    login = await gql(client, LOGIN, {"email": "zhao@example.cn", "password": PASSWORD})
    assert [e["code"] for e in login["data"]["login"]["errors"]] == ["INVALID_CREDENTIALS"]


async def test_nobody_deactivates_their_own_account(client, runtime):
    user, admin = await make_user(runtime, "pg@caea.cn", ("PROJECT_GROUP", None))
    await make_user(runtime, "pg2@caea.cn", ("PROJECT_GROUP", None))

    body = await gql(client, DEACTIVATE, {"id": ids.encode("User", user.id)}, headers=bearer(admin))

    assert [e["code"] for e in body["data"]["deactivateUser"]["errors"]] == ["INVALID_TRANSITION"]
    assert (await gql(client, ME, headers=bearer(admin)))["data"]["me"] is not None
