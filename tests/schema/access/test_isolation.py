"""Two communities. A's leader calls every id-taking operation with B's ids and slugs,
through /graphql, /c/A/graphql and the X-Community header: refused every time, and nothing
of B's own business (nor, through A's door, even B's name) anywhere in the response."""

import datetime as dt

import pytest
from sqlalchemy import update

from schema.core import ids
from server.audit.service import record
from server.communities.models import Membership
from server.vocabulary import MembershipStatus
from tests.factories import bearer, make_community, make_user

B_NAME = "乙地区老年教育共同体"
B_SECRET_REASON = "乙方内部：经费未落实"
B_SECRET_ACTION = "b.secret-action"
REFUSED = {"FORBIDDEN", "TENANT_MISMATCH", "NOT_FOUND", "UNAUTHENTICATED"}

DOORS = {
    "main": {"path": "/graphql", "headers": {}},
    "sub-platform": {"path": "/c/yrd-a/graphql", "headers": {}},
    "header": {"path": "/graphql", "headers": {"X-Community": "yrd-a"}},
}


async def _two_communities(runtime):
    a, _ = await make_community(runtime, "yrd-a", name="甲地区老年教育共同体")
    b, b_units = await make_community(runtime, "yrd-b", name=B_NAME, size=4)
    async with runtime.database.transaction(b.id) as session:
        left = await session.scalar(
            update(Membership)
            .where(Membership.community_id == b.id, Membership.unit_id == b_units[3].id)
            .values(
                status=MembershipStatus.WITHDRAWN,
                left_on=dt.date(2026, 6, 1),
                left_reason=B_SECRET_REASON,
            )
            .returning(Membership.id)
        )
        await record(
            session,
            actor_user_id=None,
            action=B_SECRET_ACTION,
            target_type="Community",
            target_id=b.id,
            community_id=b.id,
        )
    async with runtime.database.transaction(a.id) as session:
        await record(
            session,
            actor_user_id=None,
            action="a.visible-action",
            target_type="Community",
            target_id=a.id,
            community_id=a.id,
        )
    _, leader = await make_user(runtime, "leader@a.cn", ("LEADER", a.id))
    b_user, _ = await make_user(runtime, "member@b.cn", ("MEMBER", b.id))
    return a, b, bearer(leader), b_user, left


OPERATIONS = {
    "community": (
        '{ community(slug: "yrd-b") { name members { edges { node { leftReason } } } } }',
    ),
    "membership-node": ("query ($m: ID!) { node(id: $m) { ... on Membership { leftReason } } }",),
    "community-node": (
        "query ($c: ID!) { node(id: $c) { ... on Community { members { edges { node { leftReason } } } } } }",
    ),
    "auditLog": ('{ auditLog(communitySlug: "yrd-b") { edges { node { action } } } }',),
    "grantRole": (
        'mutation ($u: ID!) { grantRole(input: {userId: $u, role: LEADER, communitySlug: "yrd-b"}) { user { email } errors { code } } }',
    ),
    "revokeRole": (
        'mutation ($u: ID!) { revokeRole(input: {userId: $u, role: MEMBER, communitySlug: "yrd-b"}) { user { email } errors { code } } }',
    ),
    "assignExpert": (
        'mutation ($u: ID!) { assignExpert(input: {userId: $u, communitySlug: "yrd-b"}) { user { email } errors { code } } }',
    ),
    "deactivateUser": (
        "mutation ($u: ID!) { deactivateUser(input: {userId: $u}) { user { email } errors { code } } }",
    ),
    "user-node": ("query ($u: ID!) { node(id: $u) { ... on User { email } } }",),
}


def _codes(body: dict) -> set[str]:
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict):
            codes |= {e["code"] for e in payload.get("errors") or []}
    return codes


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("operation", OPERATIONS)
async def test_another_communitys_ids_are_refused(client, runtime, door, operation):
    _, b, leader, b_user, left = await _two_communities(runtime)
    roles_before = runtime.policy.roles_of(f"user:{b_user.id}")
    (query,) = OPERATIONS[operation]
    variables = {
        "m": ids.encode("Membership", b.id, left),
        "c": ids.encode("Community", b.id),
        "u": ids.encode("User", b_user.id),
    }
    used = {k: v for k, v in variables.items() if f"${k}" in query}

    response = await client.post(
        DOORS[door]["path"],
        json={"query": query, "variables": used},
        headers={**leader, **DOORS[door]["headers"]},
    )
    body = response.json()

    assert _codes(body) & REFUSED, body
    text = response.text
    assert B_SECRET_REASON not in text
    assert B_SECRET_ACTION not in text
    assert "member@b.cn" not in text
    if door != "main":
        assert B_NAME not in text  # through A's door, not even B's public name
    assert runtime.policy.roles_of(f"user:{b_user.id}") == roles_before


@pytest.mark.parametrize("door", ["sub-platform", "header"])
async def test_through_its_door_a_leader_reads_only_its_own_log(client, runtime, door):
    _, _, leader, _, _ = await _two_communities(runtime)

    response = await client.post(
        DOORS[door]["path"],
        json={"query": "{ auditLog { edges { node { action } } } }"},
        headers={**leader, **DOORS[door]["headers"]},
    )

    actions = [e["node"]["action"] for e in response.json()["data"]["auditLog"]["edges"]]
    assert actions == ["a.visible-action"]
