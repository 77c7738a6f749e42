"""Search over news that works for Chinese, which has no spaces between words: two Hanzi find
the text holding them side by side, in that order; one Hanzi finds any text holding it;
Latin words are whole words; a query of several words needs all of them. The same search on
a community's news and on the main platform's."""

import pytest

from tests.graphql import gql, mutate
from tests.schema.news.conftest import UNPUBLISH, UPDATE, programme_titles, published, titles

ITEMS = [
    ("老年教育进社区", "银龄学员走进课堂"),
    ("关爱年老体弱居民", "志愿者上门送学"),
    ("AI 赋能社区学习", "智能助手答疑"),
    ("Python workshop", "面向教师的编程培训"),
    ("家庭教育讲座", "老师讲授亲子沟通"),
]


@pytest.fixture
async def news(client, sub) -> None:
    for title, body in ITEMS:
        await published(client, sub.leader, sub.a, title, body)


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("老年", ["老年教育进社区"]),  # two Hanzi: not 年老
        ("年老", ["关爱年老体弱居民"]),
        ("老年教育", ["老年教育进社区"]),
        ("教育", ["家庭教育讲座", "老年教育进社区"]),
        ("老", ["家庭教育讲座", "关爱年老体弱居民", "老年教育进社区"]),  # one Hanzi, body too
        ("银龄学员", ["老年教育进社区"]),  # the body
        ("ai", ["AI 赋能社区学习"]),  # a Latin word, whatever its case
        ("WORKSHOP", ["Python workshop"]),
        ("work", []),  # whole words, not parts of them
        ("AI 社区", ["AI 赋能社区学习"]),  # mixed: every word
        ("python 社区", []),
        ("教育老年", []),  # both pairs are there, not side by side in this order
        ("！？", []),  # nothing to search for finds nothing
    ],
)
async def test_a_search_finds_the_news_holding_each_of_its_words(client, sub, news, search, found):
    assert await titles(client, {}, sub.a, search=search) == found
    assert await programme_titles(client, search=search) == found


async def test_a_search_keeps_to_what_the_reader_may_see(client, sub, news):
    await published(client, sub.other_leader, sub.b, "老年教育研讨会")

    assert await titles(client, {}, sub.b, search="老年") == ["老年教育研讨会"]
    assert await programme_titles(client, search="老年") == ["老年教育研讨会", "老年教育进社区"]


async def test_the_main_platform_finds_an_item_as_it_reads_now(client, sub):
    """The main platform searches an index of what is published (`published_news_search`),
    kept as items are published, edited and unpublished."""
    item = await published(client, sub.leader, sub.a, "老年教育进社区", "银龄学员走进课堂")
    assert await programme_titles(client, search="银龄") == ["老年教育进社区"]

    edit = {"input": {"id": item["id"], "title": "家庭教育讲座", "body": "亲子沟通"}}
    await mutate(client, UPDATE, edit, headers=sub.leader)
    assert await programme_titles(client, search="老年") == []
    assert await programme_titles(client, search="银龄") == []
    assert await programme_titles(client, search="亲子") == ["家庭教育讲座"]

    await mutate(client, UNPUBLISH, {"id": item["id"]}, headers=sub.leader)
    assert await programme_titles(client, search="亲子") == []
    assert await titles(client, sub.leader, sub.a, search="亲子") == ["家庭教育讲座"]  # a draft


TWO_SEARCHES = """{
  elderly: programmeNews(search: "老年") { totalCount edges { node { title } } }
  family: programmeNews(search: "家庭") { totalCount edges { node { title } } }
}"""


async def test_one_document_may_ask_the_main_platform_two_searches(client, sub, news):
    body = await gql(client, TWO_SEARCHES)

    assert "errors" not in body, body
    assert body["data"]["elderly"] == {
        "totalCount": 1,
        "edges": [{"node": {"title": "老年教育进社区"}}],
    }
    assert body["data"]["family"] == {
        "totalCount": 1,
        "edges": [{"node": {"title": "家庭教育讲座"}}],
    }
