"""The public pages in Debian's chromium: they fit a desktop and a phone, load nothing from
another host, sign in and out through the form, and pass axe-core's check."""

from urllib.parse import quote

import pytest
from axe_playwright_python.async_playwright import Axe

from server.vocabulary import Level, Region
from tests.factories import PASSWORD, make_community, make_user
from tests.web.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


async def _communities(runtime, prefix: str):
    a, units = await make_community(
        runtime, f"{prefix}-yangtze", size=5, name="长三角区县老年教育发展共同体"
    )
    await make_community(
        runtime,
        f"{prefix}-southwest",
        size=3,
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="成渝社区治理共同体",
    )
    return a, units


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
async def test_the_public_pages_fit_the_screen_and_load_only_from_gongxue(runtime, visit, viewport):
    a, units = await _communities(runtime, f"fit{viewport['width']}")
    tab = await visit(viewport)

    home = await tab.page.goto(tab.base + "/")
    assert home.status == 200
    await tab.page.wait_for_selector("[data-chart] canvas")  # ECharts drew the charts
    assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL)
    assert "长三角区县老年教育发展共同体" in await tab.page.inner_text("#communities")

    await tab.page.click("text=长三角区县老年教育发展共同体")
    await tab.page.wait_for_url(f"{tab.base}/c/{a.slug}/")
    assert await tab.page.inner_text("h1") == "长三角区县老年教育发展共同体"
    assert units[4].name in await tab.page.inner_text("#members")
    assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL)

    assert tab.foreign() == []
    assert tab.errors == []


async def test_the_skip_link_is_the_first_stop_of_the_keyboard(runtime, visit):
    tab = await visit()
    await tab.page.goto(tab.base + "/")

    await tab.page.keyboard.press("Tab")

    focused = await tab.page.evaluate("document.activeElement.textContent")
    assert focused == "跳到主要内容"
    await tab.page.keyboard.press("Enter")
    assert await tab.page.evaluate("document.activeElement.id") == "main"


async def test_signing_in_and_out_through_the_form(runtime, visit):
    a, _ = await _communities(runtime, "signin")
    await make_user(runtime, "zuzhang@example.cn", ("LEADER", a.id), display_name="李组长")
    tab = await visit()

    await tab.page.goto(f"{tab.base}/c/{a.slug}/")
    await tab.page.click("text=登录")
    await tab.page.fill("#email", "zuzhang@example.cn")
    await tab.page.fill("#password", PASSWORD)
    await tab.page.click("button:has-text('登录')")

    await tab.page.wait_for_url(f"{tab.base}/c/{a.slug}/")
    assert "李组长" in await tab.page.inner_text("header")
    await tab.page.click("text=退出登录")
    await tab.page.wait_for_url(tab.base + "/")
    assert "李组长" not in await tab.page.inner_text("header")
    assert await tab.page.is_visible("header >> text=登录")
    cookies = {c["name"] for c in await tab.page.context.cookies()}
    assert "gx_session" not in cookies


async def test_a_wrong_password_is_shown_beside_the_field(runtime, visit):
    await make_user(runtime, "zuzhang@example.cn")
    tab = await visit(PHONE)

    await tab.page.goto(tab.base + "/login")
    await tab.page.fill("#email", "zuzhang@example.cn")
    await tab.page.fill("#password", "wrong-password-123")
    await tab.page.click("button:has-text('登录')")

    field = tab.page.locator(".field.has-error")
    await field.wait_for()
    assert "邮箱或密码不正确" in await field.inner_text()
    assert await field.locator("#password").count() == 1
    assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL)


async def test_next_returns_to_the_page_and_never_to_another_site(runtime, visit):
    await make_user(runtime, "zuzhang@example.cn")
    tab = await visit()

    for target, landing in (("/#sites", "/#sites"), ("https://evil.example/", "/")):
        await tab.page.context.clear_cookies()
        await tab.page.goto(f"{tab.base}/login?next={quote(target, safe='')}")
        await tab.page.fill("#email", "zuzhang@example.cn")
        await tab.page.fill("#password", PASSWORD)
        await tab.page.click("button:has-text('登录')")
        await tab.page.wait_for_load_state()
        assert tab.page.url == tab.base + landing
    assert tab.foreign() == []


async def test_a_form_without_its_csrf_token_is_refused(runtime, visit):
    await make_user(runtime, "zuzhang@example.cn")
    tab = await visit()
    await tab.page.goto(tab.base + "/login")
    await tab.page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    await tab.page.fill("#email", "zuzhang@example.cn")
    await tab.page.fill("#password", PASSWORD)

    async with tab.page.expect_navigation() as navigation:
        await tab.page.click("button:has-text('登录')")

    assert (await navigation.value).status == 403
    assert "请求未通过安全校验" in await tab.page.inner_text("h1")
    assert "gx_session" not in {c["name"] for c in await tab.page.context.cookies()}


async def test_an_unknown_community_is_a_chinese_404_page(visit):
    tab = await visit(PHONE)

    answer = await tab.page.goto(tab.base + "/c/no-such-community/")

    assert answer.status == 404
    assert await tab.page.inner_text("h1") == "页面不存在"
    assert await tab.page.get_attribute("html", "lang") == "zh-CN"


async def test_graphiql_runs_from_gongxue_alone(visit):
    tab = await visit()

    await tab.page.goto(tab.base + "/graphql")

    await tab.page.wait_for_selector(".graphiql-query-editor .CodeMirror")
    await tab.page.click(".graphiql-execute-button")
    await tab.page.wait_for_selector(".graphiql-response .CodeMirror-code:has-text('totalCount')")
    assert tab.foreign() == []
    assert tab.errors == []


@pytest.mark.parametrize("path", ["/", "/c/{slug}/", "/login"])
async def test_no_serious_accessibility_violation(runtime, visit, path):
    a, _ = await _communities(runtime, "axe" + str(len(path)))
    tab = await visit()
    await tab.page.goto(tab.base + path.format(slug=a.slug))
    await tab.page.wait_for_load_state("networkidle")

    results = await Axe().run(tab.page)

    assert results.response["passes"], "axe checked nothing"
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
