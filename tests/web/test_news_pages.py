"""News on the public pages over HTTP (httpx against the app, real PostgreSQL and Redis): the
main platform and the sub-platforms show published items only, an article has its own page,
and both platforms have an Atom feed (Art. 5(6), 16(10), 17(5))."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from server.activities.models import Activity
from server.vocabulary import ActivityKind, Region
from server.web.kept_answers import ANSWER_SECONDS
from tests import files
from tests.factories import PASSWORD, bearer, make_community, make_user
from tests.graphql import gql, mutate, refusal
from tests.web.newsroom import PROFILE, UNPUBLISH, draft, feature, publish

pytestmark = pytest.mark.asyncio

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_TITLE = "<script>alert('标题')</script> & 学习周"
HOSTILE_BODY = 'Markdown 正文 <img src="x" onerror="alert(1)"> <script>alert(2)</script>'


@dataclass
class Newsroom:
    a: str
    b: str
    a_id: int
    leader: dict[str, str]
    other_leader: dict[str, str]
    project_group: dict[str, str]


@pytest.fixture
async def room(runtime) -> Newsroom:
    a, _ = await make_community(runtime, "yrd-elderly", size=3, name="长三角老年教育共同体")
    b, _ = await make_community(
        runtime, "chengyu", size=3, region=Region.SOUTHWEST, province="51", name="成渝社区共同体"
    )
    _, leader = await make_user(
        runtime, "leader@example.cn", ("LEADER", a.id), display_name="王组长"
    )
    _, other = await make_user(runtime, "other@example.cn", ("LEADER", b.id), display_name="李组长")
    _, admin = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    return Newsroom(a.slug, b.slug, a.id, bearer(leader), bearer(other), bearer(admin))


def article_path(slug: str, news_id: str) -> str:
    return f"/c/{slug}/news/{news_id}/"


def feed_entries(xml: bytes) -> list[ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def text_of(entry: ET.Element, name: str) -> str:
    found = entry.find(f"{ATOM}{name}")
    assert found is not None and found.text is not None, name
    return found.text


async def test_an_anonymous_visitor_never_sees_a_draft(client, room):
    published = await publish(client, room.leader, room.a, "老年大学春季开学典礼")
    hidden = await draft(client, room.leader, room.a, "尚未发布的学习周通知")

    for path in (f"/c/{room.a}/", "/", f"/c/{room.a}/feed.xml", "/feed.xml"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert "老年大学春季开学典礼" in page.text, path
        assert "尚未发布的学习周通知" not in page.text, path
        assert hidden not in page.text, path
    assert (await client.get(article_path(room.a, published))).status_code == 200
    draft_page = await client.get(article_path(room.a, hidden))
    assert draft_page.status_code == 404
    assert "尚未发布的学习周通知" not in draft_page.text


async def test_a_leader_sees_a_draft_marked_and_unlinked_and_never_in_a_feed(client, room):
    hidden = await draft(client, room.leader, room.a, "尚未发布的学习周通知")
    form = await client.get("/login")
    signed = await client.post(
        "/login",
        data={
            "email": "leader@example.cn",
            "password": PASSWORD,
            "next": f"/c/{room.a}/",
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1),
        },
    )
    assert signed.status_code == 303

    page = await client.get(f"/c/{room.a}/")
    feed = await client.get(f"/c/{room.a}/feed.xml")
    article = await client.get(article_path(room.a, hidden))

    assert (
        '<span class="news-title">尚未发布的学习周通知</span> <span class="tag draft">草稿</span>'
        in page.text
    )
    assert article_path(room.a, hidden) not in page.text
    assert page.headers["cache-control"] == "private, no-store"
    assert feed_entries(feed.content) == []
    assert feed.headers["cache-control"] == "private, no-store"
    assert article.status_code == 404


async def test_the_sub_platform_lists_its_published_news_linked_to_each_article(client, room):
    news_id = await publish(client, room.leader, room.a, "社区教育进万家")
    await publish(client, room.other_leader, room.b, "成渝研讨会召开")

    page = await client.get(f"/c/{room.a}/")

    assert f'href="{article_path(room.a, news_id)}"' in page.text
    news = page.text[page.text.index('id="news"') :]
    assert "社区教育进万家" in news
    assert "成渝研讨会召开" not in page.text
    assert '<link rel="alternate" type="application/atom+xml"' in page.text
    assert f'href="/c/{room.a}/feed.xml"' in page.text


async def test_an_anonymous_page_shows_every_change_at_the_next_visit(client, room):
    # A page with the same answer is served as rendered before; any change shows at once.
    path = f"/c/{room.a}/"
    first = await client.get(path)
    again = await client.get(path)
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]

    main = await client.get("/")
    assert (await client.get("/")).content == main.content

    news_id = await publish(client, room.leader, room.a, "社区教育进万家")
    published = await client.get(path)
    assert "社区教育进万家" in published.text
    assert published.headers["etag"] != first.headers["etag"]
    main_after = await client.get("/")
    assert "社区教育进万家" in main_after.text
    assert main_after.headers["etag"] != main.headers["etag"]

    await mutate(
        client,
        PROFILE,
        {"input": {"communitySlug": room.a, "intro": "**十五个成员单位**携手办学"}},
        headers=room.leader,
    )
    introduced = await client.get(path)
    assert "<strong>十五个成员单位</strong>携手办学" in introduced.text
    assert "社区教育进万家" in introduced.text

    await mutate(client, UNPUBLISH, {"id": news_id}, headers=room.leader)
    withdrawn = await client.get(path)
    assert "社区教育进万家" not in withdrawn.text
    assert "<strong>十五个成员单位</strong>携手办学" in withdrawn.text


async def test_a_change_made_elsewhere_shows_on_an_anonymous_page_within_seconds(
    client, room, runtime, owner, monkeypatch
):
    # A burst of visitors is answered from one read; a change this process did not make
    # (another worker, the command line) shows once that answer is ANSWER_SECONDS old.
    now = 1_000_000.0
    monkeypatch.setattr(runtime, "clock", lambda: now)
    path = f"/c/{room.a}/"
    assert "长三角学习共同体" not in (await client.get(path)).text
    async with owner.begin() as conn:
        await conn.execute(
            text("UPDATE communities SET name = '长三角学习共同体' WHERE slug = :slug"),
            {"slug": room.a},
        )

    now += ANSWER_SECONDS - 1
    assert "长三角学习共同体" not in (await client.get(path)).text
    now += 1
    assert "长三角学习共同体" in (await client.get(path)).text


async def test_two_searches_that_find_nothing_each_show_their_own_words(client, room):
    await publish(client, room.leader, room.a, "社区教育进万家")

    for word in ("乡村振兴", "家庭教育"):
        page = await client.get(f"/c/{room.a}/", params={"q": word})
        assert f"“{word}”的查找结果，共 0 条。" in page.text
        assert f'value="{word}"' in page.text


async def test_the_main_platform_shows_featured_news_first_then_the_latest(client, room):
    older = await publish(client, room.other_leader, room.b, "成渝社区治理经验交流")
    await publish(client, room.leader, room.a, "长三角老年学习周开幕")
    await feature(client, room.project_group, older)

    page = (await client.get("/")).text

    featured = page.index('id="featured-title"')
    latest = page.index('id="latest-title"')
    assert featured < latest
    assert page.index("成渝社区治理经验交流") < latest  # the featured item leads
    latest_list = page[latest:]
    # Newest first below: the leader's item published after the featured one.
    assert latest_list.index("长三角老年学习周开幕") < latest_list.index("成渝社区治理经验交流")
    assert f'href="{article_path(room.b, older)}"' in page


async def test_the_main_platform_searches_news_across_communities(client, room):
    await publish(client, room.leader, room.a, "老年教育课程展示")
    await publish(client, room.other_leader, room.b, "社区治理培训班结业")

    page = (await client.get("/", params={"q": "老年"})).text
    empty = await client.get("/", params={"q": ""})

    latest = page[page.index('id="latest-title"') :]
    assert "老年教育课程展示" in latest
    assert "社区治理培训班结业" not in latest
    assert empty.status_code == 200
    assert "社区治理培训班结业" in empty.text


async def test_a_two_hanzi_search_on_the_sub_platform_finds_its_news(client, room):
    await publish(client, room.leader, room.a, "老年教育志愿者表彰")
    await publish(client, room.leader, room.a, "市民学习周开幕")
    await publish(client, room.other_leader, room.b, "老年大学联盟成立")

    page = (await client.get(f"/c/{room.a}/", params={"q": "老年"})).text

    news = page[page.index('id="news"') :]
    assert "老年教育志愿者表彰" in news
    assert "市民学习周开幕" not in news
    assert "老年大学联盟成立" not in page  # another community's, though it matches
    assert "共 1 条" in news


async def test_more_shows_the_next_ten_items(client, room):
    for number in range(1, 13):
        await publish(client, room.leader, room.a, f"第{number}期学习简报")

    first = (await client.get(f"/c/{room.a}/")).text
    more = re.search(r'href="(/c/[^"]+\?after=[^"#]+)#news">更多<', first)
    assert more, "no 更多 link after ten items"
    second = (await client.get(more.group(1).replace("&amp;", "&"))).text

    assert "第12期学习简报" in first and "第3期学习简报" in first
    assert "第2期学习简报" not in first
    assert "第2期学习简报" in second and "第1期学习简报" in second
    assert "第3期学习简报" not in second
    assert ">更多<" not in second


async def test_the_article_page_shows_the_article_in_chinese_with_its_metadata(client, room):
    body = "各成员单位**共同举办**老年教育成果展。"
    news_id = await publish(client, room.leader, room.a, "老年教育成果展开幕", body)
    path = article_path(room.a, news_id)

    page = await client.get(path)

    assert page.status_code == 200
    html = page.text
    assert '<h1 id="article-title">老年教育成果展开幕</h1>' in html
    assert "长三角老年教育共同体" in html
    assert "作者：王组长" in html
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert f"{today.year}年{today.month}月{today.day}日" in html
    assert "<strong>共同举办</strong>" in html
    assert f'<meta property="og:url" content="http://gongxue.test{path}">' in html
    assert '<meta property="og:title" content="老年教育成果展开幕">' in html
    assert '<meta name="description" content="各成员单位共同举办老年教育成果展。">' in html
    assert f'href="/c/{room.a}/#news"' in html  # the way back
    assert page.headers["cache-control"] == "public, max-age=60"
    again = await client.get(path, headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304


async def test_an_article_url_naming_nothing_here_is_the_404_page(client, room):
    other = await publish(client, room.other_leader, room.b, "成渝新闻")

    for path in (
        article_path(room.a, other),  # another community's item under this one's address
        article_path(room.a, "bm90LWFuLWlk"),
        article_path(room.a, "%3Cscript%3E"),
        article_path("nowhere", other),
    ):
        page = await client.get(path)
        assert page.status_code == 404, path
        assert "成渝新闻" not in page.text, path
        assert "页面" in page.text and '<html lang="zh-CN">' in page.text


async def test_markup_in_a_title_or_body_stays_text(client, room):
    news_id = await publish(client, room.leader, room.a, HOSTILE_TITLE, HOSTILE_BODY)

    for path in ("/", f"/c/{room.a}/", article_path(room.a, news_id)):
        html = (await client.get(path)).text
        assert "&lt;script&gt;alert(&#39;标题&#39;)&lt;/script&gt; &amp; 学习周" in html, path
        assert "<script>alert" not in html, path
        assert "onerror" not in html, path
    for path in ("/feed.xml", f"/c/{room.a}/feed.xml"):
        (entry,) = feed_entries((await client.get(path)).content)
        assert text_of(entry, "title") == HOSTILE_TITLE
        content = text_of(entry, "content")
        assert "<script" not in content and "onerror" not in content


async def test_the_feeds_are_atom_with_the_latest_twenty_newest_first(client, room):
    for number in range(1, 22):
        await publish(client, room.leader, room.a, f"学习快讯第{number}期")
    await publish(client, room.other_leader, room.b, "成渝快讯")

    community = await client.get(f"/c/{room.a}/feed.xml")
    programme = await client.get("/feed.xml")

    assert community.headers["content-type"] == "application/atom+xml; charset=utf-8"
    entries = feed_entries(community.content)
    assert [text_of(e, "title") for e in entries] == [f"学习快讯第{n}期" for n in range(21, 1, -1)]
    first = entries[0].find(f"{ATOM}link")
    assert first is not None
    assert re.fullmatch(r"http://gongxue\.test/c/yrd-elderly/news/[\w-]+/", first.get("href", ""))
    root = ET.fromstring(community.content)
    assert text_of(root, "updated") == text_of(entries[0], "updated")
    assert dt.datetime.fromisoformat(text_of(root, "updated")).tzinfo is not None
    assert community.headers["cache-control"] == "public, max-age=60"
    kept = await client.get(
        f"/c/{room.a}/feed.xml", headers={"If-None-Match": community.headers["etag"]}
    )
    assert kept.status_code == 304

    programme_titles = [text_of(e, "title") for e in feed_entries(programme.content)]
    assert programme_titles[0] == "成渝快讯"
    assert len(programme_titles) == 20
    assert (await client.get("/c/nowhere/feed.xml")).status_code == 404


async def test_the_colour_reaches_the_page_only_as_rrggbb(client, room):
    changed = await mutate(
        client,
        PROFILE,
        {"input": {"communitySlug": room.a, "colour": "#8A1C2B"}},
        headers=room.leader,
    )
    assert changed["community"]["colour"] == "#8a1c2b"
    hostile = "red; } </style><script>alert(1)</script>"
    refused = await refusal(
        client,
        PROFILE,
        {"input": {"communitySlug": room.b, "colour": hostile}},
        headers=room.other_leader,
    )
    assert refused["code"] == "INVALID_INPUT"

    branded = (await client.get(f"/c/{room.a}/")).text
    plain = (await client.get(f"/c/{room.b}/")).text

    assert re.findall(r"--primary: ([^;]+);", branded) == ["#8a1c2b"]
    assert "--primary:" not in plain
    assert "<script>alert" not in plain


async def test_the_logo_and_banner_show_with_alt_text_and_the_introduction_sanitised(client, room):
    pictures = []
    for name in ("logo.png", "banner.png"):
        uploaded = await client.post(
            "/uploads", content=files.image("PNG"), headers={**room.leader, "X-Filename": name}
        )
        assert uploaded.status_code == 201, uploaded.text
        pictures.append(uploaded.json()["id"])
    intro = '## 我们的使命\n\n推动**老年教育**。<script>alert(1)</script><a href="javascript:alert(2)">链接</a>'
    await mutate(
        client,
        PROFILE,
        {
            "input": {
                "communitySlug": room.a,
                "logoUploadId": pictures[0],
                "bannerUploadId": pictures[1],
                "intro": intro,
            }
        },
        headers=room.leader,
    )

    page = (await client.get(f"/c/{room.a}/")).text

    assert re.search(
        r'<img class="logo" src="/uploads/[\w-]+" alt="长三角老年教育共同体标志"', page
    )
    assert re.search(r'<img src="/uploads/[\w-]+" alt="长三角老年教育共同体横幅图片">', page)
    assert "<h2>我们的使命</h2>" in page and "<strong>老年教育</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page


async def test_the_brand_colour_filter_lets_through_nothing_but_rrggbb():
    from server.web.rendering import TEMPLATES

    colour = TEMPLATES.filters["brand_colour"]
    assert colour("#1a5fb4") == "#1a5fb4"
    for value in ("red", "#1a5fb4; } body { display: none", "#1a5fb", "", None, "</style>"):
        assert colour(value) is None, value


async def test_public_activities_show_on_the_sub_platform(client, runtime, room):
    async with runtime.database.transaction(room.a_id) as session:
        for title in ("老年教育成果展", "内部工作会议"):
            session.add(
                Activity(
                    community_id=room.a_id,
                    kind=ActivityKind.CITIZEN_LEARNING,
                    title=title,
                    held_on=dt.date(2026, 5, 18),
                    expected_count=3,
                )
            )
    listed = await gql(
        client,
        "query ($s: String!) { community(slug: $s) { activities(first: 10) { edges { node { id title } } } } }",
        {"s": room.a},
        headers=room.leader,
    )
    (shown,) = [
        e["node"]["id"]
        for e in listed["data"]["community"]["activities"]["edges"]
        if e["node"]["title"] == "老年教育成果展"
    ]
    await mutate(
        client,
        "mutation ($id: ID!) { setActivityPublic(input: {activityId: $id, isPublic: true}) "
        "{ activity { isPublic } errors { code field message } } }",
        {"id": shown},
        headers=room.leader,
    )

    page = (await client.get(f"/c/{room.a}/")).text

    public = page[page.index('id="public-activities"') :]
    assert "老年教育成果展" in public
    assert "2026年5月18日" in public
    assert "内部工作会议" not in page


async def test_a_community_at_its_own_host_name_is_its_sub_platform(
    client, runtime, room, monkeypatch
):
    mapped = runtime.settings.model_copy(update={"community_hosts": f"Learn.Example.cn={room.a}"})
    monkeypatch.setattr(runtime, "settings", mapped)
    own = {"Host": "learn.example.cn:8443"}
    published = await publish(client, room.leader, room.a, "老年教育成果展开幕")
    hidden = await draft(client, room.leader, room.a, "尚未发布的通知")
    other = await publish(client, room.other_leader, room.b, "成渝新闻")

    home = await client.get("/", headers=own)
    article = await client.get(f"/news/{published}/", headers=own)
    feed = await client.get("/feed.xml", headers=own)
    elsewhere = await client.get("/")

    assert "<h1>长三角老年教育共同体</h1>" in home.text
    assert "老年教育成果展开幕" in home.text and "尚未发布的通知" not in home.text
    assert '<h1 id="article-title">老年教育成果展开幕</h1>' in article.text
    assert [text_of(e, "title") for e in feed_entries(feed.content)] == ["老年教育成果展开幕"]
    assert (await client.get(f"/news/{hidden}/", headers=own)).status_code == 404
    assert (await client.get(f"/news/{other}/", headers=own)).status_code == 404
    assert "区域终身学习发展共同体 · 总平台" in elsewhere.text
    # The rest of the site answers at that host as everywhere.
    assert (await client.get(f"/c/{room.b}/", headers=own)).status_code == 200


async def test_a_malformed_community_host_setting_is_refused_at_startup():
    from server.settings import Settings

    with pytest.raises(ValueError, match="GONGXUE_COMMUNITY_HOSTS"):
        Settings(community_hosts="learn.example.cn")
    assert Settings(community_hosts=" a.cn = x , B.cn=y ").community_host_slugs == {
        "a.cn": "x",
        "b.cn": "y",
    }
