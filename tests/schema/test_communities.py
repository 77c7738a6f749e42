import pytest

from schema.core import ids
from server.vocabulary import Level, Region
from tests.factories import make_community
from tests.graphql import both_ways, error_codes, gql

COMMUNITY = """
query ($slug: String!) {
  community(slug: $slug) {
    id slug name region regionLabel level levelLabel themes themeLabels status statusLabel
    cycleStart cycleEnd memberCount
    officeUnit { name }
    members(first: 10) {
      totalCount
      edges { node { role roleLabel status leftOn unit { name level province provinceLabel } } }
    }
  }
}
"""

LISTING = """
query ($region: Region, $level: Level, $first: Int, $after: String) {
  communities(region: $region, level: $level, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { slug memberCount } }
  }
}
"""


async def test_a_community_profile_shows_its_members_and_labels(client, runtime):
    _, units = await make_community(runtime, "yrd-elderly", size=4, name="长三角老年教育共同体")

    body = await gql(client, COMMUNITY, {"slug": "yrd-elderly"})

    found = body["data"]["community"]
    assert found["name"] == "长三角老年教育共同体"
    assert found["regionLabel"] == "长三角"
    assert found["levelLabel"] == "区县级"
    assert found["themeLabels"] == ["老年教育赋能提质"]
    assert found["cycleStart"] == "2026-01-01"
    assert found["cycleEnd"] == "2028-12-31"
    assert found["memberCount"] == 4
    assert found["officeUnit"]["name"] == units[0].name
    members = found["members"]
    assert members["totalCount"] == 4
    roles = [e["node"]["role"] for e in members["edges"]]
    assert roles == ["LEADER", "MEMBER", "MEMBER", "MEMBER"]
    assert members["edges"][0]["node"]["roleLabel"] == "组长单位"
    assert members["edges"][0]["node"]["unit"]["provinceLabel"] == "浙江省"


async def test_labels_are_english_when_the_client_asks(client, runtime):
    await make_community(runtime, "yrd-elderly")

    body = await gql(
        client, COMMUNITY, {"slug": "yrd-elderly"}, headers={"Accept-Language": "en-US,en;q=0.9"}
    )

    found = body["data"]["community"]
    assert found["regionLabel"] == "Yangtze River Delta"
    assert found["levelLabel"] == "County"
    assert found["members"]["edges"][0]["node"]["unit"]["provinceLabel"] == "Zhejiang"


async def test_an_unknown_slug_is_not_found(client, runtime):
    body = await gql(client, COMMUNITY, {"slug": "no-such-community"})

    assert body["data"]["community"] is None
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["errors"][0]["message"] == "共同体不存在"


async def test_the_listing_filters_and_pages_by_keyset(client, runtime):
    for i in range(5):
        await make_community(runtime, f"yrd-{i}")
    await make_community(runtime, "sw-1", region=Region.SOUTHWEST, province="53")
    await make_community(runtime, "yrd-town", level=Level.TOWNSHIP)

    first = await gql(
        client, LISTING, {"region": "YANGTZE_RIVER_DELTA", "level": "COUNTY", "first": 2}
    )
    page = first["data"]["communities"]
    assert page["totalCount"] == 5
    assert [e["node"]["slug"] for e in page["edges"]] == ["yrd-0", "yrd-1"]
    assert page["pageInfo"]["hasNextPage"] is True

    slugs = [e["node"]["slug"] for e in page["edges"]]
    after = page["pageInfo"]["endCursor"]
    while after:
        body = await gql(
            client,
            LISTING,
            {"region": "YANGTZE_RIVER_DELTA", "level": "COUNTY", "first": 2, "after": after},
        )
        page = body["data"]["communities"]
        slugs += [e["node"]["slug"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None

    assert slugs == ["yrd-0", "yrd-1", "yrd-2", "yrd-3", "yrd-4"]
    assert all(e["node"]["memberCount"] == 3 for e in page["edges"])


async def test_page_size_is_capped_at_100(client, runtime):
    body = await gql(client, LISTING, {"first": 101})

    assert error_codes(body) == ["INVALID_INPUT"]


async def test_a_forged_cursor_is_refused(client, runtime):
    body = await gql(client, LISTING, {"after": "not-a-cursor"})

    assert error_codes(body) == ["INVALID_INPUT"]


NODE = """
query ($id: ID!) {
  node(id: $id) {
    id
    __typename
    ... on Community { slug }
    ... on Unit { name }
    ... on Membership { role unit { name } }
  }
}
"""


async def test_node_fetches_every_kind_by_its_global_id(client, runtime):
    _, units = await make_community(runtime, "yrd-elderly")
    body = await gql(client, COMMUNITY, {"slug": "yrd-elderly"})
    community_id = body["data"]["community"]["id"]

    found = (await gql(client, NODE, {"id": community_id}))["data"]["node"]
    assert found == {"id": community_id, "__typename": "Community", "slug": "yrd-elderly"}

    unit_id = ids.encode("Unit", units[1].id)
    found = (await gql(client, NODE, {"id": unit_id}))["data"]["node"]
    assert found["name"] == units[1].name

    membership_query = """query ($slug: String!) { community(slug: $slug) {
        members(first: 1) { edges { node { id } } } } }"""
    members = (await gql(client, membership_query, {"slug": "yrd-elderly"}))["data"]
    membership_id = members["community"]["members"]["edges"][0]["node"]["id"]
    found = (await gql(client, NODE, {"id": membership_id}))["data"]["node"]
    assert found["__typename"] == "Membership"
    assert found["role"] == "LEADER"
    assert found["unit"]["name"] == units[0].name


async def test_node_with_an_unknown_or_malformed_id_is_not_found(client, runtime):
    await make_community(runtime, "yrd-elderly")
    for bad in (ids.encode("Community", 999), ids.encode("Nothing", 1), "%%%", ids.encode("Unit")):
        body = await gql(client, NODE, {"id": bad})
        assert body["data"]["node"] is None, bad
        assert error_codes(body) == ["NOT_FOUND"], bad


# (door, slug asked) -> what `community(slug:)` answers, compiled and field by field alike.
LOOKUPS = [
    ("/graphql", "", "NOT_FOUND"),
    ("/graphql", "no-such-community", "NOT_FOUND"),
    ("/graphql", "yrd-b", "yrd-b"),
    ("/c/yrd-a/graphql", "yrd-b", "TENANT_MISMATCH"),  # another tenant's, from a door
    ("/c/yrd-a/graphql", "", "yrd-a"),  # a blank slug at a door is the door's community
    ("/c/yrd-a/graphql", "yrd-a", "yrd-a"),
]


@pytest.mark.parametrize(("door", "slug", "expected"), LOOKUPS)
async def test_the_compiled_lookup_and_the_resolver_find_the_same_community(
    counted, door, slug, expected
):
    runtime, client = counted
    await make_community(runtime, "yrd-a", size=3)
    await make_community(runtime, "yrd-b", size=4)
    query = "query ($slug: String!) { community(slug: $slug) { slug name memberCount } }"

    # Twice: the first lookup of a slug reads the community, the next one remembers it.
    for _ in range(2):
        compiled, usual, _ = await both_ways(client, query, {"slug": slug}, {}, path=door)

        assert compiled["data"] == usual["data"]
        assert error_codes(compiled) == error_codes(usual)
        if expected.isupper():
            assert compiled["data"] == {"community": None}
            assert error_codes(compiled) == [expected]
        else:
            assert compiled["data"]["community"]["slug"] == expected
            assert compiled["data"]["community"]["memberCount"] == (3 if expected == "yrd-a" else 4)
