"""Every list a signed-in user of community A reads holds A's rows and none of B's: as A's
leader, member and assigned expert, through the API. Each runs twice: as the application
role (row-level security in force) and on an app whose connections are the tables' owner
(row-level security out of the way), where only the code's own scoping, compiled reads and
the usual execution alike, keeps B's rows out."""

from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from schema.asgi import build
from schema.core import ids
from server import channels
from server.access.policy import Policy
from server.accounts.revocations import Revocations
from server.communities.models import Membership
from server.db import Database, create_engine
from server.runtime import Runtime
from tests.graphql import gql, the_usual_way
from tests.schema.documents import COMMUNITY_PAGE
from tests.two_communities import seed

A_PAGE = """query ($slug: String!) { community(slug: $slug) {
  members(first: 50) { totalCount edges { node { unit { id } community { slug } } } }
  activities(first: 50) { totalCount edges { node { title community { slug } } } }
  reports(first: 50) { totalCount edges { node { title body } } }
  findings(first: 50) { totalCount edges { node { message community { slug } } } }
  compliance { errors }
} }"""
REPORTS_DUE = """query ($slug: String!) { community(slug: $slug) {
  reportsDue(until: "2027-12-31") { unit { id } report { title } } } }"""
FINDINGS = """query ($slug: String) { findings(communitySlug: $slug, first: 50) {
  totalCount edges { node { message community { slug } } } } }"""
NOTIFICATIONS = "{ notifications(first: 50) { totalCount edges { node { title } } } }"
APPLICATIONS = "{ applications(first: 50) { totalCount edges { node { unitName } } } }"
EXITS = """query ($slug: String) { exits(communitySlug: $slug, first: 50) {
  totalCount edges { node { unit { id } community { slug } } } } }"""
AUDIT_LOG = """query ($slug: String) { auditLog(communitySlug: $slug, first: 50) {
  totalCount edges { node { action } } } }"""
AUDIT_RUN = "query ($id: ID!) { auditRun(id: $id) { community { slug } } }"
ME = "{ me { roles { role community { slug } } } }"
LISTING = """{ communities(first: 10) { edges { node { slug memberCount lastActivityOn
  members(first: 10) { totalCount edges { node { unit { id } community { slug } } } } } } } }"""
REGION = """{ activities(region: YANGTZE_RIVER_DELTA, first: 50) {
  edges { node { title community { slug } } } } }"""


def _owner_runtime(runtime: Runtime) -> Runtime:
    """The application as it is, but connected as the tables' owner: row-level security does
    not apply to it."""
    redis = Redis.from_url(runtime.services.redis_url)
    database = Database(create_engine(runtime.services.database_url))
    return Runtime(
        runtime.settings,
        runtime.services,
        database,
        redis,
        Policy(database, redis),
        Revocations(redis),
        channels.Topics(redis),
    )


@pytest.fixture(params=["under RLS", "RLS bypassed"])
async def two(request, runtime, owner) -> AsyncIterator:
    """The seeded communities and a client of the app as the application role or the owner."""
    seeded = await seed(runtime, owner)
    app_runtime = runtime if request.param == "under RLS" else _owner_runtime(runtime)
    if app_runtime is not runtime:
        await app_runtime.start()
    transport = httpx.ASGITransport(app=build(app_runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as client:
        seeded.client = client
        yield seeded
    if app_runtime is not runtime:
        await app_runtime.close()


async def _data(two, query, headers, variables=None, path="/graphql"):
    body = await gql(two.client, query, variables, headers=headers, path=path)
    assert "errors" not in body, body
    return body["data"]


def _nodes(connection):
    return [edge["node"] for edge in connection["edges"]]


def _viewers(two):
    return {"leader": two.a.leader, "member": two.a.member, "expert": two.expert}


@pytest.mark.parametrize("viewer", ["leader", "member", "expert"])
@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "usual"])
async def test_the_community_page_lists_only_its_own(two, viewer, compiled):
    query = A_PAGE if compiled else the_usual_way(A_PAGE)
    page = (await _data(two, query, _viewers(two)[viewer], {"slug": "scope-a"}))["community"]

    members = _nodes(page["members"])
    assert sorted(m["unit"]["id"] for m in members) == sorted(
        ids.encode("Unit", u.id) for u in two.a.units
    )
    assert page["members"]["totalCount"] == 3
    assert {m["community"]["slug"] for m in members} == {"scope-a"}
    assert [a["title"] for a in _nodes(page["activities"])] == ["scope-a 研讨会"]
    assert page["activities"]["totalCount"] == 1
    assert [r["title"] for r in _nodes(page["reports"])] == ["scope-a 半年报"]
    assert page["reports"]["totalCount"] == 1
    assert [f["message"] for f in _nodes(page["findings"])] == ["scope-a 问题"]
    assert page["findings"]["totalCount"] == 1
    assert page["compliance"]["errors"] == 1  # A's one open finding, not B's too


async def test_the_benchmarked_community_page_shows_none_of_the_other(two):
    for query in (COMMUNITY_PAGE, the_usual_way(COMMUNITY_PAGE)):
        body = await gql(two.client, query, {"slug": "scope-a"}, headers=two.a.leader)

        assert "scope-a 研讨会" in str(body)
        assert "scope-b" not in str(body)


async def test_reports_due_are_matched_with_the_communitys_own_reports(two):
    for side in (two.a, two.b):
        page = await _data(two, REPORTS_DUE, side.leader, {"slug": side.slug})
        due = page["community"]["reportsDue"]
        submitted = [d["report"]["title"] for d in due if d["report"]]
        members = {ids.encode("Unit", u.id) for u in side.units}

        assert submitted == [f"{side.slug} 半年报"]
        assert {d["unit"]["id"] for d in due if d["unit"]} <= members
        assert any(d["unit"] for d in due)  # the members' own summaries are owed too


@pytest.mark.parametrize("viewer", ["leader", "member", "expert"])
@pytest.mark.parametrize("slug", ["scope-a", None], ids=["one community", "all one may"])
async def test_findings_are_the_readers_own_communitys(two, viewer, slug):
    page = await _data(two, FINDINGS, _viewers(two)[viewer], {"slug": slug})

    assert [(f["message"], f["community"]["slug"]) for f in _nodes(page["findings"])] == [
        ("scope-a 问题", "scope-a")
    ]


@pytest.mark.parametrize("viewer", ["leader", "member"])
async def test_notifications_are_ones_own(two, viewer):
    page = await _data(two, NOTIFICATIONS, _viewers(two)[viewer])

    assert [n["title"] for n in _nodes(page["notifications"])] == ["scope-a 通知"]
    assert page["notifications"]["totalCount"] == 1


async def test_an_applicant_lists_only_their_own_applications(two):
    page = await _data(two, APPLICATIONS, two.a.leader)

    assert [a["unitName"] for a in _nodes(page["applications"])] == ["scope-a 申报单位"]


@pytest.mark.parametrize("door", ["slug", "sub-platform"])
async def test_a_communitys_exits_are_its_own(two, door):
    if door == "slug":
        page = await _data(two, EXITS, two.a.member, {"slug": "scope-a"})
    else:
        page = await _data(two, EXITS, two.a.member, path="/c/scope-a/graphql")

    assert [(e["unit"]["id"], e["community"]["slug"]) for e in _nodes(page["exits"])] == [
        (ids.encode("Unit", two.a.units[-1].id), "scope-a")
    ]


async def test_a_leader_reads_the_audit_log_of_their_own_community(two):
    page = await _data(two, AUDIT_LOG, two.a.leader, {"slug": "scope-a"})

    assert [e["action"] for e in _nodes(page["auditLog"])] == ["scope-a.action"]


async def test_a_leader_reads_their_communitys_audit_run(two):
    run = ids.encode("AuditRun", two.a.run_id)
    page = await _data(two, AUDIT_RUN, two.a.leader, {"id": run})

    assert page["auditRun"]["community"]["slug"] == "scope-a"


@pytest.mark.parametrize("viewer", ["leader", "member"])
async def test_me_lists_only_ones_own_roles(two, viewer):
    page = await _data(two, ME, _viewers(two)[viewer])

    assert [(r["role"], r["community"]["slug"]) for r in page["me"]["roles"]] == [
        (viewer.upper(), "scope-a")
    ]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "usual"])
async def test_each_listed_community_counts_and_lists_its_own_members(two, compiled):
    page = await _data(two, LISTING if compiled else the_usual_way(LISTING), {})
    listed = {c["slug"]: c for c in _nodes(page["communities"])}

    for side, size, held_on in ((two.a, 3, "2026-05-01"), (two.b, 4, "2026-06-01")):
        community = listed[side.slug]
        members = _nodes(community["members"])
        assert community["memberCount"] == size
        assert community["lastActivityOn"] == held_on
        assert community["members"]["totalCount"] == size
        assert {m["community"]["slug"] for m in members} == {side.slug}
        assert sorted(m["unit"]["id"] for m in members) == sorted(
            ids.encode("Unit", u.id) for u in side.units
        )


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "usual"])
async def test_a_regions_activities_are_its_communities(two, compiled):
    page = await _data(two, REGION if compiled else the_usual_way(REGION), two.project_group)

    assert [(a["title"], a["community"]["slug"]) for a in _nodes(page["activities"])] == [
        ("scope-a 研讨会", "scope-a")
    ]


NODE = """query ($id: ID!) { node(id: $id) { __typename
  ... on Activity { title } ... on Report { title body } ... on Finding { message }
  ... on Membership { unit { id } } } }"""


@pytest.mark.parametrize("kind", ["Activity", "Report", "Finding", "Membership"])
async def test_an_id_naming_a_but_holding_bs_row_finds_nothing(two, owner, kind):
    """A's community in the id, B's row number: the lookup is by both, so it finds no row,
    though the reader may read A."""
    if kind == "Membership":
        async with owner.connect() as conn:
            row = (
                await conn.execute(
                    select(Membership.id).where(Membership.community_id == two.b.id).limit(1)
                )
            ).scalar_one()
    else:
        row = {"Activity": two.b.activity_id, "Report": two.b.report_id}.get(kind, two.b.finding_id)
    body = await gql(
        two.client, NODE, {"id": ids.encode(kind, two.a.id, row)}, headers=two.a.leader
    )

    assert (body.get("data") or {}).get("node") is None, body
    assert "scope-b" not in str(body)
