"""News on the public pages in Debian's chromium: markup a leader types stays text (no script
runs), the article and the sub-platform fit a 375 px phone with a cover picture and a long
title, and axe-core finds no serious violation on an article."""

from collections.abc import AsyncIterator

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from server.access.policy import PolicyChange
from server.accounts.service import subject
from tests import files
from tests.eventually import eventually
from tests.factories import bearer, make_community, make_user
from tests.web.conftest import PHONE
from tests.web.newsroom import publish

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
HOSTILE_TITLE = "<script>alert('标题')</script><img src=x onerror=alert(3)>学习周"
HOSTILE_BODY = 'Markdown <img src="x" onerror="alert(1)"> <script>alert(2)</script> 正文'
# What only a community's members may read: answered once the server holds the grant.
INSIDE = "query ($slug: String!) { community(slug: $slug) { activities { totalCount } } }"
LONG_TITLE = "长三角区县老年教育发展共同体" * 8 + "成果展示暨经验交流会隆重召开"


@pytest.fixture
async def api(server) -> AsyncIterator[httpx.AsyncClient]:
    """The running server's API, as a leader's client would use it."""
    async with httpx.AsyncClient(base_url=server) as client:
        yield client


async def _writer(runtime, api: httpx.AsyncClient, slug: str):
    """A community and its leader, whose grant the running server has taken in (as a grant
    made through the API reaches every process)."""
    community, _ = await make_community(runtime, slug, size=3, name="长三角区县老年教育发展共同体")
    user, token = await make_user(
        runtime, f"leader@{slug}.example.cn", ("LEADER", community.id), display_name="王组长"
    )
    grant = ("g", subject(user.id), "LEADER", str(community.id))
    await runtime.policy.publish(PolicyChange("add", grant))
    leader = bearer(token)

    async def the_server_knows() -> bool:
        answer = await api.post(
            "/graphql",
            json={"query": INSIDE, "variables": {"slug": slug}},
            headers=leader,
        )
        return "errors" not in answer.json()

    await eventually(the_server_knows, what="the server holds the leader's grant")
    return community, leader


async def test_markup_in_news_never_runs_in_the_browser(runtime, visit, api):
    community, leader = await _writer(runtime, api, "browser-hostile")
    news_id = await publish(api, leader, community.slug, HOSTILE_TITLE, HOSTILE_BODY)
    tab = await visit()
    dialogs: list[str] = []
    tab.page.on("dialog", lambda d: dialogs.append(d.message))

    for path in ("/", f"/c/{community.slug}/", f"/c/{community.slug}/news/{news_id}/"):
        response = await tab.page.goto(tab.base + path)
        assert response is not None and response.status == 200
        await tab.page.wait_for_load_state("networkidle")
        assert HOSTILE_TITLE in await tab.page.inner_text("main"), path

    assert dialogs == []
    assert tab.errors == []
    assert await tab.page.locator("main img[onerror], main script").count() == 0


async def test_the_article_and_the_sub_platform_fit_a_phone(runtime, visit, api):
    community, leader = await _writer(runtime, api, "browser-phone")
    uploaded = await api.post(
        "/uploads",
        content=files.image("PNG"),
        headers={**leader, "X-Filename": "cover.png"},
    )
    assert uploaded.status_code == 201, uploaded.text
    cover = uploaded.json()["id"]
    body = f"![展览现场](/uploads/{cover})\n\n" + "老年教育成果展示。" * 40
    created = await api.post(
        "/graphql",
        json={
            "query": "mutation ($input: CreateNewsInput!) { createNews(input: $input) "
            "{ news { id } errors { code } } }",
            "variables": {
                "input": {
                    "communitySlug": community.slug,
                    "title": LONG_TITLE,
                    "body": body,
                    "coverUploadId": cover,
                }
            },
        },
        headers=leader,
    )
    news_id = created.json()["data"]["createNews"]["news"]["id"]
    published = await api.post(
        "/graphql",
        json={
            "query": "mutation ($id: ID!) { publishNews(input: {id: $id}) { errors { code } } }",
            "variables": {"id": news_id},
        },
        headers=leader,
    )
    assert published.json()["data"]["publishNews"]["errors"] == []
    for number in range(3):
        await publish(api, leader, community.slug, f"第{number + 1}期共同体学习简报")
    tab = await visit(PHONE)

    await tab.page.goto(f"{tab.base}/c/{community.slug}/")
    await tab.page.wait_for_load_state("networkidle")
    assert "第3期共同体学习简报" in await tab.page.inner_text("#news")
    assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL)

    await tab.page.click(f"#news a:has-text('{LONG_TITLE[:20]}')")
    await tab.page.wait_for_url(f"{tab.base}/c/{community.slug}/news/{news_id}/")
    await tab.page.wait_for_load_state("networkidle")
    assert await tab.page.inner_text("h1") == LONG_TITLE
    # The cover and the picture in the body both loaded (a broken image is 0 wide).
    widths = await tab.page.eval_on_selector_all(
        "main img", "images => images.map(i => i.naturalWidth)"
    )
    assert widths == [32, 32]
    assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL)
    assert tab.foreign() == []
    assert tab.errors == []


async def test_no_serious_accessibility_violation_on_an_article(runtime, visit, api):
    community, leader = await _writer(runtime, api, "browser-axe")
    news_id = await publish(
        api, leader, community.slug, "老年教育成果展开幕", "各成员单位**共同举办**成果展。"
    )
    tab = await visit()
    await tab.page.goto(f"{tab.base}/c/{community.slug}/news/{news_id}/")
    await tab.page.wait_for_load_state("networkidle")

    results = await Axe().run(tab.page)

    assert results.response["passes"], "axe checked nothing"
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
