from sqlalchemy import select

from schema.core import ids
from server.audit.models import AuditEntry
from tests.factories import bearer, make_community, make_user
from tests.graphql import error_codes, gql

GRANT = """
mutation ($input: GrantRoleInput!) {
  grantRole(input: $input) {
    user { roles { role roleLabel community { slug } } }
    errors { code field message }
  }
}
"""
REVOKE = """
mutation ($input: RevokeRoleInput!) {
  revokeRole(input: $input) { user { roles { role community { slug } } } errors { code field } }
}
"""
ASSIGN = """
mutation ($input: AssignExpertInput!) {
  assignExpert(input: $input) { user { roles { role community { slug } } } errors { code field } }
}
"""
ME = "{ me { roles { role community { slug } } } }"


async def _project_group(runtime):
    _, token = await make_user(runtime, "pg@caea.cn", ("PROJECT_GROUP", None))
    return bearer(token)


async def test_a_leader_role_is_granted_in_a_community(client, runtime):
    await make_community(runtime, "yrd-a")
    admin = await _project_group(runtime)
    user, token = await make_user(runtime, "zhao@a.cn")

    body = await gql(
        client,
        GRANT,
        {
            "input": {
                "userId": ids.encode("User", user.id),
                "role": "LEADER",
                "communitySlug": "yrd-a",
            }
        },
        headers=admin,
    )

    granted = body["data"]["grantRole"]
    assert granted["errors"] == []
    assert granted["user"]["roles"] == [
        {"role": "LEADER", "roleLabel": "组长", "community": {"slug": "yrd-a"}}
    ]
    me = await gql(client, ME, headers=bearer(token))
    assert me["data"]["me"]["roles"] == [{"role": "LEADER", "community": {"slug": "yrd-a"}}]
    async with runtime.database.transaction(all_communities=True) as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "role.grant"))
    assert entry.after == {"role": "LEADER", "community": 1}
    assert entry.target_id == str(user.id)


async def test_granting_in_a_community_that_does_not_exist_is_not_found(client, runtime):
    admin = await _project_group(runtime)
    user, _ = await make_user(runtime, "zhao@a.cn")

    body = await gql(
        client,
        GRANT,
        {
            "input": {
                "userId": ids.encode("User", user.id),
                "role": "LEADER",
                "communitySlug": "nowhere",
            }
        },
        headers=admin,
    )

    assert [e["code"] for e in body["data"]["grantRole"]["errors"]] == ["NOT_FOUND"]
    assert runtime.policy.roles_of(f"user:{user.id}") == set()


async def test_granting_to_a_user_that_does_not_exist_is_not_found(client, runtime):
    await make_community(runtime, "yrd-a")
    admin = await _project_group(runtime)

    body = await gql(
        client,
        GRANT,
        {"input": {"userId": ids.encode("User", 999), "role": "MEMBER", "communitySlug": "yrd-a"}},
        headers=admin,
    )

    assert [e["code"] for e in body["data"]["grantRole"]["errors"]] == ["NOT_FOUND"]


async def test_a_national_role_takes_no_community_and_a_community_role_needs_one(client, runtime):
    await make_community(runtime, "yrd-a")
    admin = await _project_group(runtime)
    user, _ = await make_user(runtime, "zhao@a.cn")
    uid = ids.encode("User", user.id)

    national = await gql(
        client,
        GRANT,
        {"input": {"userId": uid, "role": "EXPERT", "communitySlug": "yrd-a"}},
        headers=admin,
    )
    local = await gql(client, GRANT, {"input": {"userId": uid, "role": "DEPUTY"}}, headers=admin)

    assert [e["field"] for e in national["data"]["grantRole"]["errors"]] == ["communitySlug"]
    assert [e["code"] for e in local["data"]["grantRole"]["errors"]] == ["INVALID_INPUT"]


async def test_a_role_is_granted_once(client, runtime):
    community, _ = await make_community(runtime, "yrd-a")
    admin = await _project_group(runtime)
    user, _ = await make_user(runtime, "zhao@a.cn", ("MEMBER", community.id))

    body = await gql(
        client,
        GRANT,
        {
            "input": {
                "userId": ids.encode("User", user.id),
                "role": "MEMBER",
                "communitySlug": "yrd-a",
            }
        },
        headers=admin,
    )

    assert [e["code"] for e in body["data"]["grantRole"]["errors"]] == ["DUPLICATE"]


async def test_a_leader_cannot_grant_roles(client, runtime):
    community, _ = await make_community(runtime, "yrd-a")
    _, leader = await make_user(runtime, "leader@a.cn", ("LEADER", community.id))
    user, _ = await make_user(runtime, "zhao@a.cn")

    body = await gql(
        client,
        GRANT,
        {
            "input": {
                "userId": ids.encode("User", user.id),
                "role": "LEADER",
                "communitySlug": "yrd-a",
            }
        },
        headers=bearer(leader),
    )

    assert error_codes(body) == ["FORBIDDEN"]
    assert runtime.policy.roles_of(f"user:{user.id}") == set()


async def test_revoking_a_role_ends_it_everywhere_at_once(client, runtime):
    community, _ = await make_community(runtime, "yrd-a")
    admin = await _project_group(runtime)
    user, token = await make_user(runtime, "zhao@a.cn", ("DEPUTY", community.id))

    body = await gql(
        client,
        REVOKE,
        {
            "input": {
                "userId": ids.encode("User", user.id),
                "role": "DEPUTY",
                "communitySlug": "yrd-a",
            }
        },
        headers=admin,
    )

    assert body["data"]["revokeRole"] == {"user": {"roles": []}, "errors": []}
    assert (await gql(client, ME, headers=bearer(token)))["data"]["me"]["roles"] == []


async def test_the_last_project_group_account_cannot_be_revoked(client, runtime):
    user, token = await make_user(runtime, "pg@caea.cn", ("PROJECT_GROUP", None))
    variables = {"input": {"userId": ids.encode("User", user.id), "role": "PROJECT_GROUP"}}

    alone = await gql(client, REVOKE, variables, headers=bearer(token))
    await make_user(runtime, "pg2@caea.cn", ("PROJECT_GROUP", None))
    with_a_colleague = await gql(client, REVOKE, variables, headers=bearer(token))

    assert [e["code"] for e in alone["data"]["revokeRole"]["errors"]] == ["INVALID_TRANSITION"]
    assert with_a_colleague["data"]["revokeRole"]["errors"] == []


async def test_an_expert_is_assigned_to_communities(client, runtime):
    await make_community(runtime, "yrd-a")
    admin = await _project_group(runtime)
    expert, _ = await make_user(runtime, "expert@caea.cn", ("EXPERT", None))
    plain, _ = await make_user(runtime, "zhao@a.cn")

    assigned = await gql(
        client,
        ASSIGN,
        {"input": {"userId": ids.encode("User", expert.id), "communitySlug": "yrd-a"}},
        headers=admin,
    )
    not_an_expert = await gql(
        client,
        ASSIGN,
        {"input": {"userId": ids.encode("User", plain.id), "communitySlug": "yrd-a"}},
        headers=admin,
    )

    assert assigned["data"]["assignExpert"]["user"]["roles"] == [
        {"role": "EXPERT", "community": None},
        {"role": "EXPERT", "community": {"slug": "yrd-a"}},
    ]
    assert [e["field"] for e in not_an_expert["data"]["assignExpert"]["errors"]] == ["userId"]


async def test_revoking_the_expert_role_ends_its_assignments(client, runtime):
    community, _ = await make_community(runtime, "yrd-a")
    admin = await _project_group(runtime)
    expert, _ = await make_user(
        runtime, "expert@caea.cn", ("EXPERT", None), ("EXPERT_ASSIGNED", community.id)
    )

    body = await gql(
        client,
        REVOKE,
        {"input": {"userId": ids.encode("User", expert.id), "role": "EXPERT"}},
        headers=admin,
    )

    assert body["data"]["revokeRole"] == {"user": {"roles": []}, "errors": []}
    assert not runtime.policy.allows(f"user:{expert.id}", str(community.id), "tenant", "read")
