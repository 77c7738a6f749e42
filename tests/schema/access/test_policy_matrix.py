"""Every role (and nobody) × every operation of the schema → allowed or refused.

A new operation without a row here fails `test_every_operation_has_a_row`."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from schema.api import SCHEMA
from schema.core import ids
from tests.factories import bearer, make_community, make_user
from tests.graphql import error_codes, gql

ROLES = ("anonymous", "applicant", "member", "deputy", "leader", "expert", "project_group")
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
IN_COMMUNITY = {"member", "deputy", "leader", "expert", "project_group"}
PROJECT_GROUP = {"project_group"}


@dataclass
class World:
    slug: str
    community_id: str
    target_user: str  # a plain user, the object of account and role operations
    target_member: str  # holds MEMBER in the community
    free_expert: str  # an EXPERT not yet assigned
    n: int  # unique per case, for emails


Call = Callable[[World], tuple[str, dict[str, Any]]]


def _q(query: str, **variables: Any) -> Call:
    return lambda w: (query, {k: v(w) if callable(v) else v for k, v in variables.items()})


OPERATIONS: dict[str, tuple[Call, set[str]]] = {
    "Query.me": (_q("{ me { email } }"), EVERYONE),
    "Query.node": (
        _q("query ($id: ID!) { node(id: $id) { id } }", id=lambda w: w.community_id),
        EVERYONE,
    ),
    "Query.community": (
        _q("query ($s: String!) { community(slug: $s) { name } }", s=lambda w: w.slug),
        EVERYONE,
    ),
    "Query.communities": (_q("{ communities { totalCount } }"), EVERYONE),
    "Query.units": (_q("{ units { totalCount } }"), EVERYONE),
    "Query.auditLog": (
        _q(
            "query ($s: String) { auditLog(communitySlug: $s) { totalCount } }",
            s=lambda w: w.slug,
        ),
        {"leader", "project_group"},
    ),
    "Membership.leftReason": (
        _q(
            "query ($s: String!) { community(slug: $s) { members { edges { node { leftReason } } } } }",
            s=lambda w: w.slug,
        ),
        IN_COMMUNITY,
    ),
    "Mutation.register": (
        _q(
            'mutation ($e: String!) { register(input: {email: $e, password: "long-enough-pw",'
            ' displayName: "新用户"}) { token errors { code } } }',
            e=lambda w: f"new{w.n}@example.cn",
        ),
        EVERYONE,
    ),
    "Mutation.login": (
        _q(
            'mutation { login(input: {email: "target@example.cn", password: "wrong-password"})'
            " { token errors { code } } }"
        ),
        EVERYONE,
    ),
    "Mutation.logout": (_q("mutation { logout { ok } }"), SIGNED_IN),
    "Mutation.createUser": (
        _q(
            'mutation ($e: String!) { createUser(input: {email: $e, password: "long-enough-pw",'
            ' displayName: "新用户"}) { errors { code } } }',
            e=lambda w: f"made{w.n}@example.cn",
        ),
        PROJECT_GROUP,
    ),
    "Mutation.deactivateUser": (
        _q(
            "mutation ($u: ID!) { deactivateUser(input: {userId: $u}) { errors { code } } }",
            u=lambda w: w.target_user,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.grantRole": (
        _q(
            "mutation ($u: ID!, $s: String) { grantRole(input: {userId: $u, role: DEPUTY,"
            " communitySlug: $s}) { errors { code } } }",
            u=lambda w: w.target_user,
            s=lambda w: w.slug,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.revokeRole": (
        _q(
            "mutation ($u: ID!, $s: String) { revokeRole(input: {userId: $u, role: MEMBER,"
            " communitySlug: $s}) { errors { code } } }",
            u=lambda w: w.target_member,
            s=lambda w: w.slug,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.assignExpert": (
        _q(
            "mutation ($u: ID!, $s: String!) { assignExpert(input: {userId: $u,"
            " communitySlug: $s}) { errors { code } } }",
            u=lambda w: w.free_expert,
            s=lambda w: w.slug,
        ),
        PROJECT_GROUP,
    ),
}

_counter = itertools.count()


async def _world(runtime) -> tuple[World, dict[str, dict[str, str]]]:
    community, _ = await make_community(runtime, "yrd-a")
    await make_community(runtime, "yrd-b")
    cid = community.id
    grants = {
        "applicant": (),
        "member": (("MEMBER", cid),),
        "deputy": (("DEPUTY", cid),),
        "leader": (("LEADER", cid),),
        "expert": (("EXPERT", None), ("EXPERT_ASSIGNED", cid)),
        "project_group": (("PROJECT_GROUP", None),),
    }
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role, held in grants.items():
        _, token = await make_user(runtime, f"{role}@example.cn", *held)
        headers[role] = bearer(token)
    target, _ = await make_user(runtime, "target@example.cn")
    member, _ = await make_user(runtime, "member2@example.cn", ("MEMBER", cid))
    expert, _ = await make_user(runtime, "expert2@example.cn", ("EXPERT", None))
    world = World(
        slug="yrd-a",
        community_id=ids.encode("Community", cid),
        target_user=ids.encode("User", target.id),
        target_member=ids.encode("User", member.id),
        free_expert=ids.encode("User", expert.id),
        n=next(_counter),
    )
    return world, headers


CASES = [(op, role) for op in OPERATIONS for role in ROLES]


@pytest.mark.parametrize(("operation", "role"), CASES, ids=[f"{o}-{r}" for o, r in CASES])
async def test_policy_matrix(client, runtime, operation, role):
    world, headers = await _world(runtime)
    call, allowed = OPERATIONS[operation]
    query, variables = call(world)

    body = await gql(client, query, variables, headers=headers[role])

    refusals = {"UNAUTHENTICATED", "FORBIDDEN"} & set(error_codes(body))
    if role in allowed:
        assert not refusals, body
    else:
        expected = "UNAUTHENTICATED" if role == "anonymous" else "FORBIDDEN"
        assert refusals == {expected}, body


def test_every_operation_has_a_row():
    schema = SCHEMA._schema
    operations = {f"Query.{name}" for name in schema.query_type.fields}
    operations |= {f"Mutation.{name}" for name in schema.mutation_type.fields}
    root_rows = {op for op in OPERATIONS if op.split(".")[0] in ("Query", "Mutation")}
    assert operations == root_rows
