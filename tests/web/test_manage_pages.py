"""The sub-platform's workspace over HTTP (`/c/{slug}/manage/`): who may open it, CSRF on
every form, a refusal shown beside its field with nothing changed, and what its leader does
there (write, publish and take back news, edit the profile with pictures, show activities)."""

import datetime as dt
import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from schema.core.ids import encode
from server.activities.models import Activity
from server.communities.models import Community
from server.news.models import News
from server.uploads.models import Upload
from server.vocabulary import ActivityKind, Level, NewsStatus, Region
from tests.factories import make_community, make_user
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio

PUBLIC_NEWS = """
query ($slug: String!) { community(slug: $slug) { news { edges { node { title } } } } }
"""


def png(width: int = 64, height: int = 32, colour: str = "#1d4f91") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


# Starts like a PNG, decodes as nothing.
BROKEN_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def two(runtime):
    """The Yangtze River Delta's county elderly-education community (three units, one
    activity) and the South-West's."""
    a, units = await make_community(runtime, "yrd-county-elderly", name="长三角县域老年教育共同体")
    b, _ = await make_community(
        runtime,
        "xinan",
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="西南社区治理共同体",
    )
    async with runtime.database.transaction(a.id) as session:
        session.add(
            Activity(
                community_id=a.id,
                kind=ActivityKind.SEMINAR,
                title="县域老年教育研讨会",
                held_on=dt.date(2026, 3, 12),
                expected_count=3,
            )
        )
    return a, b, units


async def _as(client, runtime, email, *grants, unit_id=None):
    """The browser of a user holding `grants`, signed in."""
    user, token = await make_user(runtime, email, *grants, unit_id=unit_id)
    client.cookies.set("gx_session", token)
    return user


async def _csrf(client, path="/login") -> str:
    return csrf_of((await client.get(path)).text)


async def _news(runtime, community_id) -> list[News]:
    async with runtime.database.transaction(community_id) as session:
        return list(await session.scalars(select(News).where(News.community_id == community_id)))


async def _uploads(runtime) -> int:
    async with runtime.database.transaction(all_communities=True) as session:
        return int(await session.scalar(select(func.count()).select_from(Upload)) or 0)


async def _community(runtime, community_id) -> Community:
    async with runtime.database.transaction(community_id) as session:
        community = await session.get(Community, community_id)
        assert community is not None
        return community


async def _activity(runtime, community_id) -> Activity:
    async with runtime.database.transaction(community_id) as session:
        activity = await session.scalar(
            select(Activity).where(Activity.community_id == community_id)
        )
        assert activity is not None
        return activity


@pytest.mark.parametrize(
    "path", ["/c/yrd-county-elderly/manage/", "/c/yrd-county-elderly/manage/news/new"]
)
async def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(client, two, path):
    answer = await client.get(path)

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path}"


async def test_an_anonymous_post_changes_nothing_and_goes_to_sign_in(client, runtime, two):
    a, _, _ = two
    csrf = await _csrf(client)

    answer = await client.post(
        "/c/yrd-county-elderly/manage/news/new",
        data={"csrf_token": csrf, "title": "匿名新闻", "body": "正文"},
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/c/yrd-county-elderly/manage/"
    assert await _news(runtime, a.id) == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("leader", 200),
        ("deputy", 200),
        ("project group", 200),
        ("member unit staff", 403),
        ("assigned expert", 403),
        ("another community's leader", 403),
    ],
)
async def test_who_may_open_the_workspace(client, runtime, two, who, status):
    a, b, units = two
    grants = {
        "leader": [("LEADER", a.id)],
        "deputy": [("DEPUTY", a.id)],
        "project group": [("PROJECT_GROUP", None)],
        "member unit staff": [("MEMBER", a.id)],
        "assigned expert": [("EXPERT", None), ("EXPERT_ASSIGNED", a.id)],
        "another community's leader": [("LEADER", b.id)],
    }[who]
    await _as(client, runtime, "someone@example.cn", *grants, unit_id=units[1].id)

    pages = [
        await client.get(f"/c/yrd-county-elderly/manage/{path}")
        for path in ("", "profile", "news/new")
    ]

    assert [p.status_code for p in pages] == [status] * 3
    if status == 403:
        assert "您没有管理该分平台的权限" in pages[0].text
        assert "县域老年教育研讨会" not in pages[0].text
    else:
        assert "长三角县域老年教育共同体 · 管理工作台" in pages[0].text
        assert "县域老年教育研讨会" in pages[0].text


async def test_an_unknown_community_is_the_404_page(client, runtime, two):
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))

    answer = await client.get("/c/nowhere/manage/")

    assert answer.status_code == 404


@pytest.mark.parametrize(
    "grants",
    [[("MEMBER", "a")], [("LEADER", "b")]],
    ids=["member unit staff", "another community's leader"],
)
async def test_a_post_by_someone_without_the_right_is_refused_by_the_api(
    client, runtime, two, grants
):
    a, b, _ = two
    ids = {"a": a.id, "b": b.id}
    await _as(client, runtime, "someone@example.cn", *[(r, ids[c]) for r, c in grants])
    csrf = await _csrf(client)
    activity = await _activity(runtime, a.id)

    posts = [
        ("news/new", {"title": "越权新闻", "body": "正文"}),
        ("profile", {"intro": "越权简介", "colour": "#123456"}),
        (f"activities/{encode('Activity', a.id, activity.id)}/public", {"public": "true"}),
    ]
    answers = [
        await client.post(
            f"/c/yrd-county-elderly/manage/{path}", data={"csrf_token": csrf, **fields}
        )
        for path, fields in posts
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert "您没有管理该分平台的权限" in answers[0].text
    assert await _news(runtime, a.id) == []
    community = await _community(runtime, a.id)
    assert community.intro is None and community.colour is None
    assert (await _activity(runtime, a.id)).is_public is False


async def test_every_form_needs_the_browsers_csrf_token(client, runtime, two):
    a, _, _ = two
    leader = await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    await _csrf(client, "/c/yrd-county-elderly/manage/")  # the browser holds its CSRF cookie
    async with runtime.database.transaction(a.id) as session:
        news = News(
            community_id=a.id,
            title="已有的草稿",
            body="正文",
            body_html="<p>正文</p>",
            status=NewsStatus.DRAFT,
            featured=False,
            author_user_id=leader.id,
            upload_ids=[],
        )
        session.add(news)
        await session.flush()
        news_id = news.id
    activity = await _activity(runtime, a.id)

    news_gid = encode("News", a.id, news_id)
    posts = [
        ("news/new", {"title": "新闻", "body": "正文"}),
        (f"news/{news_gid}/", {"title": "改过的标题", "body": "正文"}),
        (f"news/{news_gid}/publish", {}),
        (f"news/{news_gid}/unpublish", {}),
        ("profile", {"intro": "简介", "colour": "#123456"}),
        (f"activities/{encode('Activity', a.id, activity.id)}/public", {"public": "true"}),
        ("pictures", {}),
    ]
    for path, fields in posts:
        for token in ({}, {"csrf_token": "forged"}):
            answer = await client.post(
                f"/c/yrd-county-elderly/manage/{path}", data={**fields, **token}
            )
            assert answer.status_code == 403, path
            assert "请求未通过安全校验" in answer.text

    [kept] = await _news(runtime, a.id)
    assert (kept.title, kept.status) == ("已有的草稿", NewsStatus.DRAFT)
    assert (await _community(runtime, a.id)).intro is None
    assert (await _activity(runtime, a.id)).is_public is False


async def test_a_news_item_without_a_title_is_shown_again_with_the_error_beside_it(
    client, runtime, two
):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, "/c/yrd-county-elderly/manage/news/new")

    answer = await client.post(
        "/c/yrd-county-elderly/manage/news/new",
        data={"csrf_token": csrf, "title": "  ", "body": "县域老年大学秋季开学"},
    )

    assert answer.status_code == 400
    summary = re.search(r'<div class="error-summary".*?</div>', answer.text, re.S)
    assert summary and '<a href="#title">请填写标题</a>' in summary.group(0)
    beside = re.search(
        r'<p class="field-error" id="title-error">(.*?)</p>\s*<input id="title"', answer.text
    )
    assert beside and beside.group(1) == "请填写标题"
    assert "县域老年大学秋季开学</textarea>" in answer.text  # what was written is kept
    assert await _news(runtime, a.id) == []


async def test_a_cover_that_is_no_image_is_refused_beside_its_field_and_nothing_is_kept(
    client, runtime, two
):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, "/c/yrd-county-elderly/manage/news/new")

    answer = await client.post(
        "/c/yrd-county-elderly/manage/news/new",
        data={"csrf_token": csrf, "title": "秋季开学", "body": "正文"},
        files={"cover": ("cover.png", BROKEN_PNG, "image/png")},
    )

    assert answer.status_code == 400
    assert '<p class="field-error" id="cover-error">图片无法解码</p>' in answer.text
    assert '<a href="#cover">图片无法解码</a>' in answer.text
    assert await _news(runtime, a.id) == []
    assert await _uploads(runtime) == 0


async def test_the_leader_writes_a_draft_with_a_cover_then_publishes_and_takes_it_back(
    client, runtime, two
):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, "/c/yrd-county-elderly/manage/news/new")

    saved = await client.post(
        "/c/yrd-county-elderly/manage/news/new",
        data={
            "csrf_token": csrf,
            "title": "县域老年大学秋季开学",
            "body": "## 开学典礼\n\n九月一日开学。<script>alert(1)</script>",
        },
        files={"cover": ("开学.png", png(), "image/png")},
    )

    assert saved.status_code == 303
    edit = saved.headers["location"]
    assert edit.startswith("/c/yrd-county-elderly/manage/news/") and edit.endswith("/?done=created")
    [news] = await _news(runtime, a.id)
    assert news.status is NewsStatus.DRAFT and news.cover_upload_id is not None
    page = await client.get(edit)
    assert "新闻已保存为草稿" in page.text
    assert "<h2>开学典礼</h2>" in page.text  # the preview: the sanitised HTML
    assert "<script>alert(1)</script>" not in page.text
    cover = re.search(
        r'<figure class="cover-now">\s*<img src="(/uploads/[A-Za-z0-9_-]+)"', page.text
    )
    assert cover  # the draft's cover, which its writer's browser session may download
    assert (await client.get(cover.group(1))).content == png()
    session = client.cookies.pop("gx_session")
    assert (await client.get(cover.group(1))).status_code == 401  # not for the public yet
    client.cookies.set("gx_session", session)
    anonymous = await client.post(
        "/graphql", json={"query": PUBLIC_NEWS, "variables": {"slug": "yrd-county-elderly"}}
    )
    assert anonymous.json()["data"]["community"]["news"]["edges"] == []

    news_path = edit.removesuffix("?done=created")
    published = await client.post(news_path + "publish", data={"csrf_token": csrf})

    assert published.status_code == 303
    assert published.headers["location"] == "/c/yrd-county-elderly/manage/?done=published"
    public = await client.post(
        "/graphql", json={"query": PUBLIC_NEWS, "variables": {"slug": "yrd-county-elderly"}}
    )
    titles = [e["node"]["title"] for e in public.json()["data"]["community"]["news"]["edges"]]
    assert titles == ["县域老年大学秋季开学"]
    dashboard = await client.get(published.headers["location"])
    assert "新闻已发布，已显示在分平台和总平台。" in dashboard.text
    assert '<span class="status published">已发布</span>' in dashboard.text

    again = await client.post(news_path + "publish", data={"csrf_token": csrf})
    assert again.status_code == 400
    assert "该新闻已发布" in again.text

    taken_back = await client.post(news_path + "unpublish", data={"csrf_token": csrf})
    assert taken_back.status_code == 303
    [news] = await _news(runtime, a.id)
    assert news.status is NewsStatus.DRAFT


async def test_the_profile_saves_the_intro_colour_logo_and_banner(client, runtime, two):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, "/c/yrd-county-elderly/manage/profile")

    saved = await client.post(
        "/c/yrd-county-elderly/manage/profile",
        data={
            "csrf_token": csrf,
            "intro": "**县域**老年教育",
            "colour": "#B8262B",
            "colour_was": "",
        },
        files={
            "logo": ("logo.png", png(64, 64), "image/png"),
            "banner": ("banner.png", png(400, 100), "image/png"),
        },
    )

    assert saved.status_code == 303
    assert saved.headers["location"] == "/c/yrd-county-elderly/manage/profile?done=profile"
    community = await _community(runtime, a.id)
    assert community.colour == "#b8262b"
    assert community.logo_upload_id is not None and community.banner_upload_id is not None
    page = await client.get(saved.headers["location"])
    assert "<p><strong>县域</strong>老年教育</p>" in page.text  # the preview of introHtml
    assert 'value="#b8262b"' in page.text


async def test_a_bad_banner_keeps_neither_picture_and_changes_nothing(client, runtime, two):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, "/c/yrd-county-elderly/manage/profile")

    answer = await client.post(
        "/c/yrd-county-elderly/manage/profile",
        data={"csrf_token": csrf, "intro": "新的简介", "colour": "#123456", "colour_was": ""},
        files={
            "logo": ("logo.png", png(64, 64), "image/png"),
            "banner": ("banner.png", BROKEN_PNG, "image/png"),
        },
    )

    assert answer.status_code == 400
    assert '<p class="field-error" id="banner-error">图片无法解码</p>' in answer.text
    assert "新的简介</textarea>" in answer.text
    community = await _community(runtime, a.id)
    assert (community.intro, community.colour, community.logo_upload_id) == (None, None, None)
    assert await _uploads(runtime) == 0


async def test_a_colour_that_is_not_rrggbb_is_refused_beside_the_colour(client, runtime, two):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, "/c/yrd-county-elderly/manage/profile")

    answer = await client.post(
        "/c/yrd-county-elderly/manage/profile",
        data={"csrf_token": csrf, "intro": "简介", "colour": "red", "colour_was": ""},
    )

    assert answer.status_code == 400
    assert "颜色须为 #rrggbb 格式的十六进制值" in answer.text
    assert 'href="#colour"' in answer.text
    assert (await _community(runtime, a.id)).intro is None


async def test_the_leader_shows_an_activity_on_the_sub_platform_and_hides_it(client, runtime, two):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    dashboard = await client.get("/c/yrd-county-elderly/manage/")
    action = re.search(
        r'action="(/c/yrd-county-elderly/manage/activities/[^"]+/public)"', dashboard.text
    )
    assert action and '<span class="status draft">不公开</span>' in dashboard.text

    shown = await client.post(
        action.group(1), data={"csrf_token": csrf_of(dashboard.text), "public": "true"}
    )

    assert shown.status_code == 303
    assert (await _activity(runtime, a.id)).is_public is True
    after = await client.get(shown.headers["location"])
    assert "活动已设为公开" in after.text and "设为不公开" in after.text

    hidden = await client.post(
        action.group(1), data={"csrf_token": csrf_of(dashboard.text), "public": "false"}
    )
    assert hidden.status_code == 303
    assert (await _activity(runtime, a.id)).is_public is False


async def test_an_inline_picture_gives_its_markdown_to_paste(client, runtime, two):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, "/c/yrd-county-elderly/manage/news/new")

    answer = await client.post(
        "/c/yrd-county-elderly/manage/pictures",
        data={"csrf_token": csrf, "back": "/c/yrd-county-elderly/manage/news/new"},
        files={"picture": ("课堂.png", png(), "image/png")},
    )

    assert answer.status_code == 303
    page = await client.get(answer.headers["location"])
    snippet = re.search(r'value="(!\[\]\(/uploads/[A-Za-z0-9_-]+\))"', page.text)
    assert snippet
    assert await _uploads(runtime) == 1
    # The snippet pasted into a body is a picture of the published text.
    saved = await client.post(
        "/c/yrd-county-elderly/manage/news/new",
        data={"csrf_token": csrf, "title": "课堂一角", "body": f"课堂一角\n\n{snippet.group(1)}"},
    )
    assert saved.status_code == 303
    edit = await client.get(saved.headers["location"])
    assert re.search(r'<img src="/uploads/[A-Za-z0-9_-]+"', edit.text)


async def test_a_picture_that_does_not_decode_is_not_kept_and_the_page_says_why(
    client, runtime, two
):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, "/c/yrd-county-elderly/manage/news/new")

    answer = await client.post(
        "/c/yrd-county-elderly/manage/pictures",
        data={"csrf_token": csrf, "back": "https://elsewhere.example/"},
        files={"picture": ("课堂.png", BROKEN_PNG, "image/png")},
    )

    assert answer.status_code == 303
    # Back to a page of this workspace, never to another site.
    assert answer.headers["location"] == "/c/yrd-county-elderly/manage/?picture=refused"
    page = await client.get("/c/yrd-county-elderly/manage/news/new?picture=refused")
    assert "图片未能上传：须为能正常打开的 PNG 或 JPEG 图片" in page.text
    assert await _uploads(runtime) == 0


async def test_another_communitys_news_is_not_edited_under_this_address(client, runtime, two):
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    csrf = await _csrf(client, "/c/xinan/manage/news/new")
    saved = await client.post(
        "/c/xinan/manage/news/new", data={"csrf_token": csrf, "title": "西南新闻", "body": "正文"}
    )
    theirs = saved.headers["location"].split("?")[0]

    answer = await client.get(theirs.replace("/c/xinan/", "/c/yrd-county-elderly/"))

    assert answer.status_code == 404
    assert (await client.get(theirs)).status_code == 200


async def test_the_workspace_dates_an_item_by_the_day_in_beijing(client, runtime, two):
    # Published at 23:30 UTC on 1 March: 07:30 on 2 March in Beijing, the day its readers saw.
    a, _, _ = two
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    async with runtime.database.transaction(a.id) as session:
        user, _ = await make_user(runtime, "writer@example.cn")
        session.add(
            News(
                community_id=a.id,
                title="深夜发布的学习周通知",
                body="正文",
                body_html="<p>正文</p>",
                status=NewsStatus.PUBLISHED,
                published_at=late,
                author_user_id=user.id,
                upload_ids=[],
                created_at=late,
                updated_at=late,
            )
        )
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))

    dashboard = (await client.get("/c/yrd-county-elderly/manage/")).text
    item = dashboard[dashboard.index("深夜发布的学习周通知") :]

    assert "发布于 2026年3月2日" in item
    assert "修改于 2026年3月2日" in item
    assert "2026年3月1日" not in item[: item.index("</tr>")]
