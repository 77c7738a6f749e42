"""Documents answered by one compiled statement (`schema/core/compiled.py`) give exactly what
the usual execution gives, field by field, in both languages, page after page; and requests
the compiled path cannot answer as the usual execution would (a refused check, an unknown
community, a bad cursor) get the usual execution's own answer."""

import dataclasses

import pytest
from sqlalchemy import update

from schema.core import compiled, ids
from schema.core.projection import PROJECTIONS
from server.accounts.models import User
from server.web.kept_answers import ANSWER_SECONDS
from tests.factories import bearer, make_community, make_user
from tests.graphql import both_ways, error_codes, graphql_view
from tests.schema.documents import COMMUNITY_PAGE as PAGE

UNIT = """id name level levelLabel divisionCode province provinceLabel siteStatus
  siteStatusLabel plaqueNumber admittedOn __typename"""
EVERY_FIELD = f"""
query ($slug: String!, $after: String) {{ community(slug: $slug) {{
  __typename id slug name region regionLabel level levelLabel themes themeLabels status statusLabel
  cycleStart cycleEnd agreementSignedOn memberCount lastActivityOn officeUnit {{ {UNIT} }}
  members(first: 20) {{
    __typename totalCount
    pageInfo {{ __typename hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ __typename cursor node {{
      __typename id role roleLabel status statusLabel joinedOn leftOn leftReason
      unit {{ {UNIT} }} community {{ slug name }} }} }} }}
  activities(first: 7, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ id kind kindLabel title heldOn expectedCount attendedCount
      absentCount excusedCount community {{ slug }} }} }} }}
  reports(first: 10) {{ totalCount edges {{ node {{
    id kind kindLabel year half title body dueOn submittedOn late reviewComment reviewedAt
    unit {{ name }} }} }} }}
  findings(first: 30) {{ totalCount edges {{ node {{
    id rule article severity severityLabel status statusLabel period evidence firstSeenAt
    lastSeenAt resolvedAt waivedReason waivedAt message title remedy unit {{ name }}
    community {{ slug }} }} }} }}
}} }}"""

LISTING = """
query ($region: Region, $level: Level, $status: CommunityStatus, $after: String) {
  communities(region: $region, level: $level, status: $status, first: 3, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug name memberCount lastActivityOn regionLabel
      members(first: 2, status: ACTIVE) { edges { node { role unit { name } } } } } } } }"""

REGION = """
query ($region: Region!, $kind: ActivityKind, $after: String) {
  activities(region: $region, kind: $kind, first: 10, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id kind title heldOn } } } }"""

SHAPES = """
query Page($slug: String!) { community(slug: $slug) {
  ... on Community { label: name }
  ...counts
  newest: activities(first: 3, newestFirst: true, kind: SEMINAR) { edges { node { title } } }
  oldest: activities(first: 3, since: "2026-01-01", until: "2026-06-30") {
    edges { node { heldOn } } }
  left: members(status: WITHDRAWN) { edges { node { leftReason } } }
} }
fragment counts on Community { memberCount members { totalCount } }"""


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_a_community_page_reads_as_the_usual_execution_reads_it(national, language):
    _, client, communities, leader, _ = national
    slug = communities[0].slug
    for query in (PAGE, EVERY_FIELD, SHAPES):
        compiled, usual, cost = await both_ways(client, query, {"slug": slug}, leader, language)

        assert "errors" not in usual, usual
        assert compiled == usual
        assert cost == 1


async def test_every_projected_field_has_values_to_compare(national):
    """The comparison means something only if the rows fill the fields: nulls and values,
    labels, evidence, timestamps with and without microseconds."""
    _, client, communities, leader, _ = national
    compiled, _, _ = await both_ways(client, EVERY_FIELD, {"slug": communities[0].slug}, leader)
    community = compiled["data"]["community"]
    members = [e["node"] for e in community["members"]["edges"]]
    findings = [e["node"] for e in community["findings"]["edges"]]
    reports = [e["node"] for e in community["reports"]["edges"]]

    assert {m["status"] for m in members} == {"ACTIVE", "WITHDRAWN"}
    assert any(m["leftReason"] == "书面申请退出" for m in members)
    assert community["activities"]["pageInfo"]["hasNextPage"] is True
    assert findings and any(f["evidence"] for f in findings)
    assert any(f["unit"] for f in findings) and any(f["unit"] is None for f in findings)
    assert reports and reports[0]["reviewedAt"] == "2026-07-20T09:30:15.120000+00:00"
    assert "2026-11-03T03:00:00+00:00" in {f["waivedAt"] for f in findings}
    assert {f["status"] for f in findings} >= {"OPEN", "WAIVED"}


async def test_pages_follow_each_other_as_the_usual_execution_pages(national):
    _, client, communities, leader, admin = national
    slug = communities[0].slug
    for query, variables, headers in (
        (EVERY_FIELD, {"slug": slug}, leader),
        (LISTING, {"status": "ACTIVE"}, admin),
        (LISTING, {"level": "TOWNSHIP"}, {}),  # anyone may list the communities
        (REGION, {"region": communities[0].region}, admin),
        (REGION, {"region": communities[0].region, "kind": "SEMINAR"}, admin),
    ):
        pages = 0
        while True:
            compiled, usual, cost = await both_ways(client, query, variables, headers)
            assert "errors" not in usual, usual
            assert compiled == usual
            assert cost == 1
            (connection,) = compiled["data"].values()
            if "community" in compiled["data"]:
                connection = connection["activities"]
            pages += 1
            if not connection["pageInfo"]["hasNextPage"]:
                break
            variables = {**variables, "after": connection["pageInfo"]["endCursor"]}
        assert pages > 1, query


async def test_a_large_page_is_scoped_first_and_reads_the_same(national, monkeypatch):
    """A page large enough to scan in parallel runs in a transaction scoped before it (its
    statement cannot set its own tenant): the same answers, its own community's rows only."""
    _, client, communities, leader, admin = national
    monkeypatch.setattr(compiled, "PARALLEL_PAGE", 2)
    first = communities[0]
    for query, variables, headers in (
        (EVERY_FIELD, {"slug": first.slug}, leader),
        (REGION, {"region": first.region}, admin),
    ):
        answer, usual, cost = await both_ways(client, query, variables, headers)

        assert "errors" not in usual, usual
        assert answer == usual
        assert cost == 2  # the BEGIN with the tenant, then the statement
    answer, _, _ = await both_ways(client, EVERY_FIELD, {"slug": communities[1].slug}, admin)
    nodes = [e["node"] for e in answer["data"]["community"]["activities"]["edges"]]
    assert nodes and {ids.decode(n["id"])[1][0] for n in nodes} == {communities[1].id}


async def test_a_community_page_holds_its_own_rows_only(national):
    _, client, communities, _, admin = national
    first, second = communities[0], communities[1]
    compiled, _, _ = await both_ways(client, EVERY_FIELD, {"slug": second.slug}, admin)
    community = compiled["data"]["community"]

    for listed in ("members", "activities", "reports", "findings"):
        nodes = [e["node"] for e in community[listed]["edges"]]
        owners = {ids.decode(n["id"])[1][0] for n in nodes}
        assert owners == {second.id}, listed
    assert first.id != second.id


async def test_what_the_usual_execution_refuses_is_refused_the_same(national):
    runtime, client, communities, leader, admin = national
    other = communities[1]
    _, outsider = await make_user(runtime, "outsider@example.cn", ("LEADER", other.id))
    slug = communities[0].slug
    cases = [
        (PAGE, {"slug": slug}, bearer(outsider), "FORBIDDEN"),  # another community's page
        (PAGE, {"slug": slug}, {}, "UNAUTHENTICATED"),
        (PAGE, {"slug": slug}, {"Authorization": "Bearer not-a-token"}, "UNAUTHENTICATED"),
        (PAGE, {"slug": "no-such-community"}, leader, "NOT_FOUND"),
        (EVERY_FIELD, {"slug": slug, "after": "not-a-cursor"}, leader, "INVALID_INPUT"),
        (REGION, {"region": "YANGTZE_RIVER_DELTA"}, leader, "FORBIDDEN"),
        (LISTING, {"region": "ATLANTIS"}, admin, None),  # a variable its enum refuses
    ]
    for query, variables, headers, code in cases:
        compiled, usual, _ = await both_ways(client, query, variables, headers)

        assert compiled["data"] == usual["data"]
        assert error_codes(compiled) == error_codes(usual)
        assert [e.get("path") for e in compiled["errors"]] == [
            e.get("path") for e in usual["errors"]
        ]
        if code is not None:
            assert code in error_codes(compiled), (variables, compiled)


async def test_a_door_that_names_another_community_is_a_mismatch(national):
    _, client, communities, _, admin = national
    first, second = communities[0], communities[1]
    compiled, usual, _ = await both_ways(
        client, PAGE, {"slug": second.slug}, admin, path=f"/c/{first.slug}/graphql"
    )

    assert error_codes(compiled) == error_codes(usual) == ["TENANT_MISMATCH"]


async def test_documents_it_cannot_compile_are_answered_the_usual_way(counted):
    runtime, client = counted
    community, _ = await make_community(runtime, "yrd-usual", size=4)
    _, token = await make_user(runtime, "l@example.cn", ("LEADER", community.id))
    for query in (
        '{ community(slug: "yrd-usual") { compliance { errors } } }',
        '{ community(slug: "yrd-usual") { ... on Node { id } } }',
        "{ me { email } notifications { totalCount } }",
        '{ community(slug: "yrd-usual") { name __schema: __typename } }',
    ):
        response = await client.post("/graphql", json={"query": query}, headers=bearer(token))
        body = response.json()

        assert "errors" not in body, body
        assert body["data"]


ME = """{ me { __typename id email displayName isActive unit { name provinceLabel }
  roles { __typename role roleLabel community { slug name memberCount } } } }"""


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_me_reads_as_the_usual_execution_reads_it(counted, language):
    runtime, client = counted
    a, units = await make_community(runtime, "yrd-a")
    b, _ = await make_community(runtime, "yrd-b")
    _, token = await make_user(
        runtime,
        "many@example.cn",
        ("MEMBER", b.id),
        ("EXPERT", None),
        ("EXPERT_ASSIGNED", a.id),
        ("LEADER", a.id),
        ("PROJECT_GROUP", None),
        unit_id=units[0].id,
    )
    _, plain = await make_user(runtime, "plain@example.cn")

    for headers, path in (
        (bearer(token), "/graphql"),
        (bearer(token), "/c/yrd-b/graphql"),
        (bearer(plain), "/graphql"),
        ({}, "/graphql"),  # nobody signed in: null
    ):
        compiled, usual, _ = await both_ways(client, ME, {}, headers, language, path)

        assert "errors" not in usual, usual
        assert compiled == usual
    compiled, _, cost = await both_ways(client, ME, {}, bearer(token), language)
    roles = compiled["data"]["me"]["roles"]

    assert [(r["role"], (r["community"] or {}).get("slug")) for r in roles] == [
        ("PROJECT_GROUP", None),
        ("EXPERT", None),
        ("EXPERT", "yrd-a"),
        ("LEADER", "yrd-a"),
        ("MEMBER", "yrd-b"),
    ]
    assert cost == 1


async def test_a_deactivated_user_is_nobody_as_the_usual_execution_says(counted):
    runtime, client = counted
    user, token = await make_user(runtime, "gone@example.cn")
    async with runtime.database.transaction() as session:
        await session.execute(update(User).where(User.id == user.id).values(is_active=False))

    compiled, usual, _ = await both_ways(client, ME, {}, bearer(token))

    assert compiled == usual == {"data": {"me": None}}


async def test_a_plan_keeps_a_bounded_number_of_statements(national, monkeypatch):
    """Which filters are given shapes the statement: a client varying them cannot make one
    plan hold a statement for every combination, and every combination still answers."""
    _, client, communities, leader, _ = national
    monkeypatch.setattr(compiled, "SHAPES_KEPT", 2)
    query = """query ($slug: String!, $kind: ActivityKind, $since: Date) {
      community(slug: $slug) { activities(kind: $kind, since: $since, first: 3) {
        edges { node { kind heldOn } } } } }"""
    shapes = [{}, {"kind": "SEMINAR"}, {"since": "2026-01-01"}, {"kind": "TRAINING"}]

    for given in [*shapes, shapes[0]]:
        variables = {"slug": communities[0].slug, **given}
        answer, usual, cost = await both_ways(client, query, variables, leader)
        assert answer == usual and cost == 1
    plan = graphql_view(client)._compiled.check(query, None, "zh").plan

    assert 1 <= len(plan._statements) <= 2


async def test_a_list_whose_projection_misses_an_argument_goes_the_usual_way(counted, monkeypatch):
    """Were the projection of `members` to forget its `status` filter, the compiled answer
    would list every member: a list with an argument its projection does not name is never
    compiled."""
    runtime, client = counted
    await make_community(runtime, "yrd-members", size=4)
    members = PROJECTIONS["Community"].fields["members"]
    monkeypatch.setitem(
        PROJECTIONS["Community"].fields, "members", dataclasses.replace(members, filters=())
    )
    query = """{ community(slug: "yrd-members") { members(status: WITHDRAWN) {
      edges { node { role } } } } }"""

    response = await client.post("/graphql", json={"query": query})

    assert response.json() == {"data": {"community": {"members": {"edges": []}}}}
    assert int(response.headers["x-sql-statements"]) > 1  # field by field


UNITS = """
query ($level: Level, $province: String, $status: SiteStatus, $search: String, $after: String) {
  units(level: $level, province: $province, status: $status, search: $search, first: 7,
        after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { __UNIT__ } } } }
""".replace("__UNIT__", UNIT)


async def test_the_list_of_sites_reads_as_the_usual_execution_reads_it(national):
    _, client, _, _, _ = national
    for variables in (
        {},
        {"level": "TOWNSHIP", "status": "ACTIVE"},
        {"search": "社区"},
        {"search": ""},  # an empty search is no filter
        {"search": "%"},  # wildcards match themselves: no unit's name holds one
        {"search": "_1"},
        {"province": "11", "search": "1101"},  # a division code's beginning
    ):
        pages = 0
        while True:
            compiled, usual, cost = await both_ways(client, UNITS, variables, {})
            assert "errors" not in usual, usual
            assert compiled == usual, variables
            assert cost == 1
            connection = compiled["data"]["units"]
            pages += 1
            if not connection["pageInfo"]["hasNextPage"] or pages == 3:
                break
            variables = {**variables, "after": connection["pageInfo"]["endCursor"]}
        if variables.get("search") in (None, "", "社区"):
            assert connection["totalCount"] > 7, variables  # a list long enough to page
        if variables.get("search") == "%":
            assert connection["totalCount"] == 0
        if variables.get("search") == "1101":
            assert connection["totalCount"] > 0


async def test_an_anonymous_sub_platform_page_is_one_statement(counted, monkeypatch):
    # Its document asks for `me`, null for a visitor nobody signed in as: the statement
    # answers the null itself rather than reading the page field by field.
    runtime, client = counted
    community, _ = await make_community(runtime, "yrd-a")
    now = 1_000_000.0
    monkeypatch.setattr(runtime, "clock", lambda: now)
    await client.get(f"/c/{community.slug}/")  # the first looks the slug up, once a process
    now += ANSWER_SECONDS  # the answer kept from that visit has run out

    page = await client.get(f"/c/{community.slug}/")
    burst = [await client.get(f"/c/{community.slug}/") for _ in range(3)]

    assert page.status_code == 200
    assert "登录" in page.text
    assert page.headers["x-sql-statements"] == "1"
    # The visitors right after it are given the same answer, without reading it again.
    assert [p.headers["x-sql-statements"] for p in burst] == ["0", "0", "0"]
    assert all(p.content == page.content for p in burst)
