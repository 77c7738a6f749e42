"""How many SQL statements each hot operation costs, pinned: the same however many rows it
returns (no query per item), and small."""

import datetime as dt

from schema.core import ids
from server.news.models import News
from server.vocabulary import ActivityKind, NewsStatus
from tests.factories import bearer, make_community, make_user
from tests.graphql import the_usual_way
from tests.schema.documents import COMMUNITY_PAGE
from tests.server.compliance.helpers import hold

LISTING = """
{ communities(region: YANGTZE_RIVER_DELTA, level: COUNTY, first: 50) {
  edges { node { slug name memberCount lastActivityOn } } } }"""


async def statements(client, query: str, variables=None, headers=None, path="/graphql") -> int:
    response = await client.post(
        path, json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    body = response.json()
    assert "errors" not in body, body
    return int(response.headers["x-sql-statements"])


async def test_the_national_listing_costs_the_same_for_5_or_50_communities(counted):
    runtime, client = counted
    for n in range(5):
        community, _ = await make_community(runtime, f"yrd-{n}")
        await hold(runtime, community, ActivityKind.SEMINAR, dt.date(2026, 3, 1))
    few = await statements(client, the_usual_way(LISTING))
    for n in range(5, 50):
        await make_community(runtime, f"yrd-{n}")
    many = await statements(client, the_usual_way(LISTING))
    compiled = await statements(client, LISTING)

    assert few == many <= 4
    assert compiled == 1


async def test_a_community_page_costs_a_fixed_handful(counted):
    runtime, client = counted
    community, _ = await make_community(runtime, "yrd-page", size=12)
    other, _ = await make_community(runtime, "yrd-other", size=12)
    _, token = await make_user(
        runtime, "leader@example.cn", ("LEADER", community.id), ("LEADER", other.id)
    )
    await hold(runtime, community, ActivityKind.SEMINAR, dt.date(2026, 3, 1))
    await hold(runtime, other, ActivityKind.SEMINAR, dt.date(2026, 3, 1))
    usual = the_usual_way(COMMUNITY_PAGE)
    # Field by field, the first page of a community: its lookup reads the row the page shows.
    first = await statements(client, usual, {"slug": "yrd-other"}, bearer(token))
    compiled = [
        await statements(client, COMMUNITY_PAGE, {"slug": "yrd-page"}, bearer(token))
        for _ in range(2)
    ]
    few = await statements(client, usual, {"slug": "yrd-page"}, bearer(token))
    await hold(
        runtime, community, ActivityKind.SEMINAR, *[dt.date(2026, 4, d) for d in range(1, 25)]
    )
    many = await statements(client, usual, {"slug": "yrd-page"}, bearer(token))

    # Compiled: the community looked up once per process (by either way), then one statement
    # with its tenant.
    assert compiled == [2, 1]
    assert first == few == many <= 10  # five lists, each a tenant setting and its page


async def test_me_with_tenant_and_roles_costs_one_once_the_door_is_known(counted):
    runtime, client = counted
    community, _ = await make_community(runtime, "yrd-me")
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))

    async def cost(query: str) -> int:
        return await statements(client, query, headers=bearer(token), path="/c/yrd-me/graphql")

    me = "{ me { email roles { role community { slug } } } }"
    first, later = await cost(me), await cost(me)
    usual = await cost(the_usual_way(me))

    assert first <= 2  # the door's community is looked up once per process
    assert later == 1
    assert usual <= 2


async def test_recording_attendance_does_not_grow_with_the_units(counted):
    runtime, client = counted

    async def record(size: int) -> int:
        community, units = await make_community(runtime, f"yrd-rec-{size}", size=size)
        _, token = await make_user(runtime, f"l{size}@example.cn", ("LEADER", community.id))
        (activity,) = await hold(runtime, community, ActivityKind.SEMINAR, dt.date(2026, 3, 1))
        return await statements(
            client,
            "mutation ($a: ID!, $e: [AttendanceEntryInput!]!) { recordAttendance(input: "
            "{activityId: $a, entries: $e}) { activity { attendedCount } errors { code } } }",
            {
                "a": ids.encode("Activity", community.id, activity),
                "e": [{"unitId": ids.encode("Unit", u.id), "status": "ATTENDED"} for u in units],
            },
            bearer(token),
        )

    # The tenant and the lock in the round trip that begins the transaction, then one
    # statement that marks, recounts and logs.
    assert await record(3) == await record(15) == 3


async def test_the_listings_counts_come_per_page_through_fragments_too(counted):
    runtime, client = counted
    for size, day in ((3, 2), (4, 9), (5, 16)):
        community, _ = await make_community(runtime, f"yrd-{size}", size=size)
        await hold(runtime, community, ActivityKind.SEMINAR, dt.date(2026, 3, day))
    plain = "{ communities(first: 50) { edges { node { slug memberCount lastActivityOn } } } }"
    fragments = """
    { communities(first: 50) { ...page } }
    fragment page on CommunityConnection { edges { ... on CommunityEdge { node { ...row } } } }
    fragment row on Community { slug memberCount lastActivityOn }"""

    answers, costs = [], []
    for query in (plain, fragments):
        response = await client.post("/graphql", json={"query": the_usual_way(query)})
        answers.append(response.json()["data"]["communities"]["edges"])
        costs.append(int(response.headers["x-sql-statements"]))

    assert (
        answers[0]
        == answers[1]
        == [
            {"node": {"slug": "yrd-3", "memberCount": 3, "lastActivityOn": "2026-03-02"}},
            {"node": {"slug": "yrd-4", "memberCount": 4, "lastActivityOn": "2026-03-09"}},
            {"node": {"slug": "yrd-5", "memberCount": 5, "lastActivityOn": "2026-03-16"}},
        ]
    )
    assert costs[0] == costs[1] <= 4


SUB_PLATFORM_NEWS = """
query ($slug: String!) {
  community(slug: $slug) {
    name colour logoUrl
    news(first: 20) { totalCount edges { node { title publishedAt author coverUrl } } }
    publicActivities(first: 5) { edges { node { title heldOn } } }
  }
}"""
MAIN_PLATFORM_NEWS = """
{ programmeNews(first: 20) {
  edges { node { title author coverUrl community { slug name } } } } }"""


async def _news(runtime, community, titles: list[str], author_id: int) -> None:
    async with runtime.database.transaction(community.id) as session:
        for title in titles:
            session.add(
                News(
                    community_id=community.id,
                    title=title,
                    body="正文",
                    body_html="<p>正文</p>",
                    status=NewsStatus.PUBLISHED,
                    published_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
                    author_user_id=author_id,
                )
            )


async def test_a_sub_platforms_news_costs_the_same_for_2_or_20_items(counted):
    runtime, client = counted
    community, _ = await make_community(runtime, "yrd-news")
    author, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    await _news(runtime, community, ["一", "二"], author.id)
    usual = the_usual_way(SUB_PLATFORM_NEWS)
    few = await statements(client, usual, {"slug": "yrd-news"})
    await _news(runtime, community, [f"第{n}条" for n in range(18)], author.id)
    many = await statements(client, usual, {"slug": "yrd-news"})
    compiled = [
        await statements(client, SUB_PLATFORM_NEWS, {"slug": "yrd-news"}, headers)
        for headers in ({}, {}, bearer(token))  # a draft reader's page is one too
    ]

    assert few == many <= 8  # the community, two pages, the total, authors: each a read
    # Compiled: one statement with its tenant, the door known from the pages read above.
    assert compiled == [1, 1, 1]


async def test_the_main_platforms_news_costs_the_same_for_2_or_20_items(counted):
    runtime, client = counted
    a, _ = await make_community(runtime, "yrd-news-a")
    b, _ = await make_community(runtime, "yrd-news-b")
    author, _ = await make_user(runtime, "leader@example.cn", ("LEADER", a.id))
    await _news(runtime, a, ["一"], author.id)
    await _news(runtime, b, ["二"], author.id)
    usual = the_usual_way(MAIN_PLATFORM_NEWS)
    few = await statements(client, usual)
    for community in (a, b):
        await _news(runtime, community, [f"第{n}条" for n in range(9)], author.id)
    many = await statements(client, usual)
    compiled = await statements(client, MAIN_PLATFORM_NEWS)

    assert few == many <= 4  # the page, the authors, the communities
    assert compiled == 1


MAIN_PLATFORM_SEARCH = """
{ programmeNews(search: "老年", first: 20) {
  totalCount edges { node { title community { name } } } } }"""


async def test_a_main_platform_search_is_one_statement_for_2_or_20_matches(counted):
    runtime, client = counted
    a, _ = await make_community(runtime, "yrd-news-a")
    author, _ = await make_user(runtime, "leader@example.cn", ("LEADER", a.id))
    await _news(runtime, a, ["老年教育一", "家庭教育"], author.id)
    few = await statements(client, MAIN_PLATFORM_SEARCH)
    await _news(runtime, a, [f"老年教育第{n}期" for n in range(19)], author.id)
    many = await statements(client, MAIN_PLATFORM_SEARCH)

    # The matches read from the index, ordered and counted: one compiled statement.
    assert few == many == 1
