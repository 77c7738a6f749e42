from server.vocabulary import Level
from tests.factories import make_units
from tests.graphql import gql

UNITS = """
query ($level: Level, $province: String, $search: String, $first: Int, $after: String) {
  units(level: $level, province: $province, search: $search, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { name level levelLabel province provinceLabel divisionCode siteStatus
                   siteStatusLabel } }
  }
}
"""


async def test_units_filter_by_level_and_province(client, runtime):
    await make_units(runtime, 3, level=Level.COUNTY, province="33")
    await make_units(runtime, 2, level=Level.TOWNSHIP, province="33")
    await make_units(runtime, 4, level=Level.COUNTY, province="51")

    body = await gql(client, UNITS, {"level": "COUNTY", "province": "51"})

    units = body["data"]["units"]
    assert units["totalCount"] == 4
    assert {e["node"]["provinceLabel"] for e in units["edges"]} == {"四川省"}
    assert {e["node"]["levelLabel"] for e in units["edges"]} == {"区县级"}
    assert {e["node"]["siteStatusLabel"] for e in units["edges"]} == {"在册"}


async def test_units_search_by_name_or_division_code(client, runtime):
    units = await make_units(runtime, 3)

    by_name = await gql(client, UNITS, {"search": units[1].name[2:]})
    by_code = await gql(client, UNITS, {"search": units[2].division_code})

    assert [e["node"]["name"] for e in by_name["data"]["units"]["edges"]] == [units[1].name]
    assert [e["node"]["divisionCode"] for e in by_code["data"]["units"]["edges"]] == [
        units[2].division_code
    ]


async def test_a_search_with_like_wildcards_matches_them_literally(client, runtime):
    await make_units(runtime, 3)

    body = await gql(client, UNITS, {"search": "%"})

    assert body["data"]["units"]["totalCount"] == 0


async def test_unit_pages_walk_the_whole_list_once(client, runtime):
    made = await make_units(runtime, 7)

    seen, after = [], None
    while True:
        body = await gql(client, UNITS, {"first": 3, "after": after})
        page = body["data"]["units"]
        seen += [e["node"]["divisionCode"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == [u.division_code for u in made]
