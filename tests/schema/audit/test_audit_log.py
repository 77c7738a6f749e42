import datetime as dt

from schema.core import ids
from tests.factories import bearer, make_community, make_user
from tests.graphql import error_codes, gql

GRANT = """
mutation ($input: GrantRoleInput!) { grantRole(input: $input) { errors { code } } }
"""
LOG = """
query ($slug: String, $actor: ID, $action: String, $since: DateTime) {
  auditLog(communitySlug: $slug, actorId: $actor, action: $action, since: $since) {
    totalCount
    edges { node { action targetType targetId before after at actorId } }
  }
}
"""


async def _grant(client, admin, user, slug):
    variables = {
        "input": {"userId": ids.encode("User", user.id), "role": "MEMBER", "communitySlug": slug}
    }
    body = await gql(client, GRANT, variables, headers=admin)
    assert body["data"]["grantRole"]["errors"] == []


async def test_each_change_is_logged_with_actor_target_and_values(client, runtime):
    await make_community(runtime, "yrd-a")
    admin_user, token = await make_user(runtime, "pg@caea.cn", ("PROJECT_GROUP", None))
    admin = bearer(token)
    user, _ = await make_user(runtime, "zhao@a.cn")
    await _grant(client, admin, user, "yrd-a")

    body = await gql(client, LOG, {"action": "role.grant"}, headers=admin)

    log = body["data"]["auditLog"]
    assert log["totalCount"] == 1
    entry = log["edges"][0]["node"]
    assert entry["targetType"] == "User"
    assert entry["targetId"] == str(user.id)
    assert entry["after"] == {"role": "MEMBER", "community": 1}
    assert entry["actorId"] == ids.encode("User", admin_user.id)
    assert dt.datetime.fromisoformat(entry["at"]).tzinfo is not None


async def test_the_log_filters_by_actor_and_time(client, runtime):
    await make_community(runtime, "yrd-a")
    admin_user, token = await make_user(runtime, "pg@caea.cn", ("PROJECT_GROUP", None))
    admin = bearer(token)
    other, _ = await make_user(runtime, "staff@caea.cn", ("PROJECT_GROUP", None))
    await _grant(client, admin, (await make_user(runtime, "zhao@a.cn"))[0], "yrd-a")

    mine = await gql(client, LOG, {"actor": ids.encode("User", admin_user.id)}, headers=admin)
    theirs = await gql(client, LOG, {"actor": ids.encode("User", other.id)}, headers=admin)
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    later = await gql(client, LOG, {"since": future}, headers=admin)

    assert mine["data"]["auditLog"]["totalCount"] == 1
    assert theirs["data"]["auditLog"]["totalCount"] == 0
    assert later["data"]["auditLog"]["totalCount"] == 0


async def test_a_leader_reads_its_communitys_log_and_nothing_national(client, runtime):
    a, _ = await make_community(runtime, "yrd-a")
    await make_community(runtime, "yrd-b")
    _, token = await make_user(runtime, "pg@caea.cn", ("PROJECT_GROUP", None))
    admin = bearer(token)
    _, leader = await make_user(runtime, "leader@a.cn", ("LEADER", a.id))
    await _grant(client, admin, (await make_user(runtime, "zhao@a.cn"))[0], "yrd-a")
    await _grant(client, admin, (await make_user(runtime, "qian@b.cn"))[0], "yrd-b")

    own = await gql(client, LOG, {"slug": "yrd-a"}, headers=bearer(leader))
    national = await gql(client, LOG, {}, headers=bearer(leader))
    other = await gql(client, LOG, {"slug": "yrd-b"}, headers=bearer(leader))

    assert own["data"]["auditLog"]["totalCount"] == 1
    assert error_codes(national) == ["FORBIDDEN"]
    assert error_codes(other) == ["FORBIDDEN"]
