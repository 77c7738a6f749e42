"""Why a unit left is not published: the exit list (Art. 8(2)) names the unit, the community,
how and when; the written reason is read by the project group, the community's leader and
deputies and the unit's own staff, and is null for everyone else, on every way to it."""

import io

import openpyxl
import pytest

from schema.core import ids
from tests.factories import bearer, make_community, make_user
from tests.graphql import gql, mutate, the_usual_way
from tests.schema.lifecycle.operations import LEAVE_COMMUNITY

REASON = "机构调整，内部人事变动"
EXITS = "{ exits { edges { node { id reason unit { name } community { slug } } } } }"
MEMBERS = """
query ($slug: String!) { community(slug: $slug) {
  members(status: WITHDRAWN) { edges { node { id leftReason unit { name } } } } } }"""
EXIT_NODE = "query ($id: ID!) { node(id: $id) { ... on Exit { reason } } }"
MEMBERSHIP_NODE = "query ($id: ID!) { node(id: $id) { ... on Membership { leftReason } } }"

READERS = {"project_group", "leader", "deputy", "own_staff"}
OTHERS = {
    "anonymous",
    "signed_in",
    "member",
    "expert",
    "other_leader",
    "other_unit_staff",
}


@pytest.fixture
async def left(counted):
    """Unit 4 of community yrd-a left it in writing; one reader of each kind."""
    runtime, client = counted
    a, units = await make_community(runtime, "yrd-a", size=4)
    b, _ = await make_community(runtime, "yrd-b")
    grants = {
        "project_group": (("PROJECT_GROUP", None),),
        "leader": (("LEADER", a.id),),
        "deputy": (("DEPUTY", a.id),),
        "member": (("MEMBER", a.id),),
        "expert": (("EXPERT", None), ("EXPERT_ASSIGNED", a.id)),
        "other_leader": (("LEADER", b.id),),
        "signed_in": (),
    }
    headers = {"anonymous": {}}
    for role, held in grants.items():
        _, token = await make_user(runtime, f"{role}@example.cn", *held)
        headers[role] = bearer(token)
    _, own = await make_user(runtime, "own@example.cn", unit_id=units[3].id)
    _, other = await make_user(runtime, "other@example.cn", unit_id=units[1].id)
    headers["own_staff"], headers["other_unit_staff"] = bearer(own), bearer(other)
    await mutate(
        client,
        LEAVE_COMMUNITY,
        {
            "input": {
                "communitySlug": "yrd-a",
                "unitId": ids.encode("Unit", units[3].id),
                "reason": REASON,
            }
        },
        headers=headers["own_staff"],
    )
    return client, headers


async def _reasons(client, headers) -> list:
    """The reason as each way to it shows it to one reader."""
    exits = (await gql(client, EXITS, headers=headers))["data"]["exits"]["edges"]
    (exit_,) = [e["node"] for e in exits]
    compiled = await client.post(
        "/graphql", json={"query": MEMBERS, "variables": {"slug": "yrd-a"}}, headers=headers
    )
    assert compiled.headers["x-sql-statements"] == "1"  # answered by the one statement
    (membership,) = [e["node"] for e in compiled.json()["data"]["community"]["members"]["edges"]]
    usual = await gql(client, the_usual_way(MEMBERS), {"slug": "yrd-a"}, headers=headers)
    (usual_membership,) = [e["node"] for e in usual["data"]["community"]["members"]["edges"]]
    exit_node = await gql(client, EXIT_NODE, {"id": exit_["id"]}, headers=headers)
    membership_node = await gql(client, MEMBERSHIP_NODE, {"id": membership["id"]}, headers=headers)
    for body in (usual, exit_node, membership_node):
        assert "errors" not in body, body
    return [
        exit_["reason"],
        membership["leftReason"],
        usual_membership["leftReason"],
        exit_node["data"]["node"]["reason"],
        membership_node["data"]["node"]["leftReason"],
    ]


@pytest.mark.parametrize("reader", sorted(READERS))
async def test_the_reason_is_shown_to_its_readers(left, reader):
    client, headers = left

    assert await _reasons(client, headers[reader]) == [REASON] * 5


@pytest.mark.parametrize("reader", sorted(OTHERS))
async def test_anyone_else_sees_the_exit_but_not_why(left, reader):
    client, headers = left

    assert await _reasons(client, headers[reader]) == [None] * 5
    exits = await gql(client, EXITS, headers=headers[reader])
    (exit_,) = [e["node"] for e in exits["data"]["exits"]["edges"]]
    assert exit_["community"] == {"slug": "yrd-a"} and exit_["unit"]["name"]


async def test_the_published_exit_list_has_no_reason(left):
    client, _ = left

    download = await client.get("/exports/exits.xlsx")

    rows = list(openpyxl.load_workbook(io.BytesIO(download.content)).active.values)
    assert rows[0] == (
        "单位名称",
        "行政区划代码",
        "退出范围",
        "共同体",
        "退出方式",
        "退出日期",
        "恢复日期",
    )
    assert len(rows) == 2
    assert all(REASON not in str(value) for row in rows for value in row)
