"""`programmeStatistics`: the national figures the main platform charts, public, counted over
every community (row-level security would show an anonymous reader none of their activities)."""

import datetime as dt

import httpx

from server.activities.models import Activity
from server.clock import today
from server.units.models import Unit
from server.vocabulary import ActivityKind, Level, Region, SiteStatus
from tests.factories import make_community

STATISTICS = """{ programmeStatistics {
  communitiesByRegion { key label count } communitiesByLevel { key label count }
  sitesByLevel { key label count } sitesByProvince { key label count }
  activitiesByMonth { key label count } } }"""


def _month_back(day: dt.date, back: int) -> str:
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12}-{index % 12 + 1:02d}"


async def _activity(runtime, community_id: int, held_on: dt.date) -> None:
    async with runtime.database.transaction(community_id) as session:
        session.add(
            Activity(
                community_id=community_id,
                kind=ActivityKind.CITIZEN_LEARNING,
                title="市民学习活动",
                held_on=held_on,
                expected_count=3,
            )
        )


async def test_anyone_reads_the_national_figures(client, runtime):
    a, _ = await make_community(runtime, "yangtze", size=3)
    b, b_units = await make_community(
        runtime, "southwest", size=4, region=Region.SOUTHWEST, level=Level.TOWNSHIP, province="51"
    )
    now = today()
    await _activity(runtime, a.id, now)
    await _activity(runtime, b.id, now)
    await _activity(runtime, b.id, now.replace(day=1) - dt.timedelta(days=1))  # last month
    await _activity(runtime, a.id, now - dt.timedelta(days=400))  # over a year ago
    async with runtime.database.transaction() as session:
        withdrawn = await session.get(Unit, b_units[0].id)
        withdrawn.site_status = SiteStatus.WITHDRAWN

    answer = (await client.post("/graphql", json={"query": STATISTICS})).json()

    assert "errors" not in answer
    figures = answer["data"]["programmeStatistics"]
    assert figures["communitiesByRegion"] == [
        {"key": "YANGTZE_RIVER_DELTA", "label": "长三角", "count": 1},
        {"key": "SOUTHWEST", "label": "西南", "count": 1},
    ]
    assert figures["communitiesByLevel"] == [
        {"key": "COUNTY", "label": "区县级", "count": 1},
        {"key": "TOWNSHIP", "label": "街镇级", "count": 1},
    ]
    # Active sites only: B's withdrawn unit is no longer counted.
    assert figures["sitesByLevel"] == [
        {"key": "COUNTY", "label": "区县级", "count": 3},
        {"key": "TOWNSHIP", "label": "街镇级", "count": 3},
    ]
    assert figures["sitesByProvince"] == [
        {"key": "33", "label": "浙江省", "count": 3},
        {"key": "51", "label": "四川省", "count": 3},
    ]
    months = figures["activitiesByMonth"]
    assert [m["key"] for m in months] == [_month_back(now, back) for back in range(11, -1, -1)]
    assert months[-1]["count"] == 2 and months[-2]["count"] == 1
    assert sum(m["count"] for m in months) == 3
    assert months[-1]["label"] == f"{now.year}年{now.month}月"


async def test_the_figures_are_labelled_in_english_when_asked(client, runtime):
    await make_community(runtime, "yangtze", size=3)

    answer = await client.post(
        "/graphql", json={"query": STATISTICS}, headers={"Accept-Language": "en"}
    )

    figures = answer.json()["data"]["programmeStatistics"]
    assert figures["communitiesByRegion"][0]["label"] == "Yangtze River Delta"
    assert figures["sitesByProvince"] == [{"key": "33", "label": "Zhejiang", "count": 3}]


async def test_the_figures_are_counted_again_once_a_minute(client, runtime, monkeypatch):
    # At national scale a count reads a year of activities: each figure stands a minute.
    community, _ = await make_community(runtime, "yangtze", size=3)
    now = 1_000_000.0
    monkeypatch.setattr(runtime, "clock", lambda: now)
    await _activity(runtime, community.id, today())

    def this_month(answer: httpx.Response) -> int:
        return answer.json()["data"]["programmeStatistics"]["activitiesByMonth"][-1]["count"]

    assert this_month(await client.post("/graphql", json={"query": STATISTICS})) == 1
    await _activity(runtime, community.id, today())
    await make_community(runtime, "southwest", size=3, region=Region.SOUTHWEST)

    now += 59
    kept = (await client.post("/graphql", json={"query": STATISTICS})).json()["data"]
    assert kept["programmeStatistics"]["activitiesByMonth"][-1]["count"] == 1
    assert len(kept["programmeStatistics"]["communitiesByRegion"]) == 1

    now += 1
    counted = (await client.post("/graphql", json={"query": STATISTICS})).json()["data"]
    assert counted["programmeStatistics"]["activitiesByMonth"][-1]["count"] == 2
    assert len(counted["programmeStatistics"]["communitiesByRegion"]) == 2
