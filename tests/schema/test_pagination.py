"""A list read through a `Template` (its statement built once per shape, the values bound at
each run) pages exactly as the statement built for each request does."""

import datetime as dt

import pytest

from schema.core.pagination import Template, paginate
from server.activities.models import Activity
from server.activities.queries import activities_statement, region_activities_statement
from server.communities.models import Community
from server.communities.queries import communities_statement
from server.vocabulary import ActivityKind, CommunityStatus, Region
from tests.factories import make_community
from tests.server.compliance.helpers import hold

DAYS = [dt.date(2026, 3, d) for d in (2, 5, 9, 12, 16, 19, 23)]


async def _pages(database, statement, key, *, first, newest_first=False, **scope):
    """Every page's node ids, following the end cursors, and the total."""
    pages, after = [], None
    while True:
        page = await paginate(
            database, statement, key, first, after, lambda row: row.id,
            newest_first=newest_first, **scope,
        )  # fmt: skip
        pages.append([edge.node for edge in page.edges])
        if not page.page_info.has_next_page:
            return pages, await page.count()
        after = page.page_info.end_cursor


@pytest.mark.parametrize("newest_first", [False, True])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"kind": ActivityKind.SEMINAR},
        {"since": DAYS[2], "until": DAYS[5]},
        {"kind": ActivityKind.TRAINING, "since": DAYS[1]},
    ],
)
async def test_a_templated_list_pages_as_the_built_statement_does(runtime, filters, newest_first):
    a, _ = await make_community(runtime, "tpl-a")
    b, _ = await make_community(runtime, "tpl-b")
    await hold(runtime, a, ActivityKind.SEMINAR, *DAYS[:5])
    await hold(runtime, a, ActivityKind.TRAINING, *DAYS[1:4])
    await hold(runtime, b, ActivityKind.SEMINAR, *DAYS)
    values = {"kind": None, "since": None, "until": None, **filters}

    for community in (a, b):  # one shape, bound to each community in turn
        built = activities_statement(community.id, **values)
        templated = Template(activities_statement, community_id=community.id, **values)
        expected = await _pages(
            runtime.database, built, Activity.id, first=2, newest_first=newest_first,
            community_id=community.id,
        )  # fmt: skip
        found = await _pages(
            runtime.database, templated, Activity.id, first=2, newest_first=newest_first,
            community_id=community.id,
        )  # fmt: skip

        pages, total = found
        assert found == expected
        assert len([i for page in pages for i in page]) == total
        if not filters:
            assert total == {a.id: 8, b.id: 7}[community.id]


async def test_the_national_lists_bind_regions_and_statuses(runtime):
    east, _ = await make_community(runtime, "tpl-east", region=Region.YANGTZE_RIVER_DELTA)
    north, _ = await make_community(runtime, "tpl-north", region=Region.BEIJING_TIANJIN_HEBEI)
    await hold(runtime, east, ActivityKind.SEMINAR, *DAYS[:3])
    await hold(runtime, north, ActivityKind.SEMINAR, *DAYS[:4])

    by_region = {}
    for region in (Region.YANGTZE_RIVER_DELTA, Region.BEIJING_TIANJIN_HEBEI):
        templated = Template(
            region_activities_statement, region=region, kind=None, since=None, until=None
        )
        by_region[region] = await _pages(
            runtime.database, templated, Activity.id, first=2, newest_first=True,
            all_communities=True,
        )  # fmt: skip
    listing = await _pages(
        runtime.database,
        Template(communities_statement, region=None, level=None, status=CommunityStatus.ACTIVE),
        Community.id,
        first=1,
    )

    assert by_region[Region.YANGTZE_RIVER_DELTA][1] == 3
    assert by_region[Region.BEIJING_TIANJIN_HEBEI][1] == 4
    assert by_region[Region.YANGTZE_RIVER_DELTA] == await _pages(
        runtime.database,
        region_activities_statement(Region.YANGTZE_RIVER_DELTA),
        Activity.id,
        first=2,
        newest_first=True,
        all_communities=True,
    )
    assert listing == ([[east.id], [north.id]], 2)
