"""The sub-platform's workspace in Debian's chromium: a leader signs in, writes a news item
with a cover picture, saves it as a draft that no anonymous visitor sees, publishes it and the
public sees it on the sub-platform and the main platform; another community's leader gets the
403 page. The workspace fits a phone and passes axe-core's check."""

import io
import re

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from PIL import Image

from server.access.policy import PolicyChange
from server.accounts.service import subject
from server.vocabulary import Level, Region
from tests.eventually import eventually
from tests.factories import PASSWORD, make_community, make_user
from tests.web.conftest import PHONE

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
TITLE = "县域老年大学秋季开学典礼举行"


async def _leader(runtime, server: str, email: str, community, name: str) -> None:
    """A leader of `community`, once the server's copy of the policy knows it (the grant is
    announced as the API announces one, and reaches the server's process within its poll)."""
    user, token = await make_user(runtime, email, ("LEADER", community.id), display_name=name)
    grant = ("g", subject(user.id), "LEADER", str(community.id))
    await runtime.policy.publish(PolicyChange("add", grant))

    async def opens() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            answer = await client.get(f"/c/{community.slug}/manage/")
            return answer.status_code == 200

    await eventually(opens, what=f"the server knows {email} leads {community.slug}")


async def _sign_in(tab, path: str, email: str) -> None:
    """Opens `path`, is sent to the sign-in form, and comes back to it signed in."""
    await tab.page.goto(tab.base + path)
    await tab.page.wait_for_url(re.compile(r".*/login\?next="))
    await tab.page.fill("#email", email)
    await tab.page.fill("#password", PASSWORD)
    await tab.page.click("main button:has-text('登录')")
    await tab.page.wait_for_url(tab.base + path)


async def _serious_violations(tab) -> list:
    await tab.page.wait_for_load_state("networkidle")
    results = await Axe().run(tab.page)
    assert results.response["passes"], "axe checked nothing"
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def test_a_leader_publishes_news_that_the_public_sees_only_once_published(
    runtime, server, visit, tmp_path
):
    yrd, _ = await make_community(
        runtime, "yrd-county-elderly", size=3, name="长三角县域老年教育共同体"
    )
    other, _ = await make_community(
        runtime,
        "chengyu-journey",
        size=3,
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="成渝社区治理共同体",
    )
    await _leader(runtime, server, "leader@yrd.example.cn", yrd, "王组长")
    await _leader(runtime, server, "leader@cy.example.cn", other, "李组长")
    cover = tmp_path / "开学典礼.png"
    picture = io.BytesIO()
    Image.new("RGB", (640, 320), "#b8262b").save(picture, format="PNG")
    cover.write_bytes(picture.getvalue())
    manage = "/c/yrd-county-elderly/manage/"

    leader = await visit()
    await _sign_in(leader, manage, "leader@yrd.example.cn")
    await leader.page.click(".actions >> text=写新闻")
    await leader.page.fill("#title", TITLE)
    await leader.page.fill("#body", "## 开学典礼\n\n九月一日，县域老年大学迎来新学员。")
    await leader.page.set_input_files("#cover", str(cover))
    await leader.page.click("button:has-text('保存为草稿')")
    await leader.page.wait_for_url(re.compile(r".*/manage/news/[A-Za-z0-9_-]+/\?done=created$"))

    assert "新闻已保存为草稿" in await leader.page.inner_text(".notice-banner")
    assert await leader.page.inner_text(".preview h2#preview-title + .prose h2") == "开学典礼"
    shown = await leader.page.evaluate(
        "Array.from(document.querySelectorAll('.cover-now img')).map(i => i.naturalWidth)"
    )
    assert shown == [640]  # the cover, served back by the platform
    news_id = leader.page.url.split("/manage/news/")[1].split("/")[0]
    article = f"/c/yrd-county-elderly/news/{news_id}/"

    before = await visit()
    await before.page.goto(before.base + "/c/yrd-county-elderly/")
    assert TITLE not in await before.page.inner_text("main")
    draft = await before.page.goto(before.base + article)
    assert draft is not None and draft.status == 404

    await leader.page.click(".publish-box button:has-text('发布')")
    await leader.page.wait_for_url(re.compile(r".*/manage/news/[A-Za-z0-9_-]+/\?done=published$"))
    assert "已发布" in await leader.page.inner_text(".meta-line .status")
    await leader.page.click("nav >> text=管理工作台")
    assert "已发布" in await leader.page.inner_text("#news")

    after = await visit()  # a visitor with nothing cached
    await after.page.goto(after.base + "/c/yrd-county-elderly/")
    assert TITLE in await after.page.inner_text("#news")
    await after.page.goto(after.base + "/")
    assert TITLE in await after.page.inner_text("#news")
    opened = await after.page.goto(after.base + article)
    assert opened is not None and opened.status == 200
    assert TITLE in await after.page.inner_text("h1")

    intruder = await visit()
    await intruder.page.goto(intruder.base + "/login?next=" + manage)
    await intruder.page.fill("#email", "leader@cy.example.cn")
    await intruder.page.fill("#password", PASSWORD)
    await intruder.page.click("main button:has-text('登录')")
    await intruder.page.wait_for_url(intruder.base + manage)
    refused = await intruder.page.reload()
    assert refused is not None and refused.status == 403
    assert "您没有管理该分平台的权限" in await intruder.page.inner_text("h1")

    assert leader.foreign() == [] and leader.errors == []


async def test_the_workspace_fits_a_phone_and_passes_axe(runtime, server, visit):
    yrd, _ = await make_community(runtime, "yrd-phone", size=3, name="长三角县域老年教育共同体")
    await _leader(runtime, server, "leader@phone.example.cn", yrd, "王组长")
    tab = await visit(PHONE)
    await _sign_in(tab, "/c/yrd-phone/manage/", "leader@phone.example.cn")

    for path in ("", "news/new", "profile"):
        await tab.page.goto(f"{tab.base}/c/yrd-phone/manage/{path}")
        assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL), path
        assert await _serious_violations(tab) == [], path

    assert tab.errors == []
    # A refusal: the summary at the top links to the field, which shows the error beside it.
    await tab.page.goto(f"{tab.base}/c/yrd-phone/manage/news/new")
    await tab.page.fill("#body", "正文")
    await tab.page.click("button:has-text('保存为草稿')")
    await tab.page.click(".error-summary a[href='#title']")
    assert await tab.page.inner_text("#title-error") == "请填写标题"
    assert await tab.page.evaluate("document.activeElement.id") == "title"
    assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL)
