"""The header in Debian's chromium: a community leader signs in from the header (a wrong
password refused beside its field), sees how many notifications are unread and the count
change when one arrives while the page stays open, finds the community's workspace from the
public pages (and no way into another community's, which stays closed), reads the
notifications until none is unread; the header fits a phone and passes axe-core's check."""

import re

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import expect

from server.access.policy import PolicyChange
from server.accounts.service import subject
from server.notifications.models import Notification
from server.notifications.service import notify
from server.vocabulary import Level, Region
from tests.eventually import eventually
from tests.factories import PASSWORD, make_community, make_user
from tests.web.conftest import PHONE

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# The script asks again when the tab comes back into view: the test makes it so, rather than
# waiting for the next regular check.
BACK_IN_VIEW = "window.dispatchEvent(new Event('focus'))"


async def _leader(runtime, server: str, email: str, community, name: str):
    """A leader of `community`, once the server's copy of the policy knows it."""
    user, token = await make_user(runtime, email, ("LEADER", community.id), display_name=name)
    grant = ("g", subject(user.id), "LEADER", str(community.id))
    await runtime.policy.publish(PolicyChange("add", grant))

    async def opens() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            answer = await client.get(f"/c/{community.slug}/manage/")
            return answer.status_code == 200

    await eventually(opens, what=f"the server knows {email} leads {community.slug}")
    return user


async def _tell(runtime, user, title: str) -> None:
    async with runtime.database.transaction() as session:
        await notify(session, [user.id], "report.due", title, "请按《管理办法》按时提交。")


async def test_a_leader_follows_notifications_and_finds_the_workspace_from_every_page(
    runtime, server, visit
):
    yrd, _ = await make_community(runtime, "hdr-yrd-browser", name="长三角县域老年教育共同体")
    other, _ = await make_community(
        runtime,
        "hdr-xinan-browser",
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="西南社区治理共同体",
    )
    leader = await _leader(runtime, server, "lead@hdr.example.cn", yrd, "王组长")
    await _tell(runtime, leader, "半年工作报告请于7月5日前报送专家组")
    await _tell(runtime, leader, "年度总结与计划请于12月15日前提交")

    tab = await visit()
    page = tab.page
    await page.goto(f"{tab.base}/c/{yrd.slug}/")
    assert await page.locator("a.unread").count() == 0  # nobody signed in: no count

    # Signing in from the header; a wrong password is refused beside its field.
    await page.click("nav.account >> text=登录")
    await page.fill("#email", "lead@hdr.example.cn")
    await page.fill("#password", "not-the-password")
    await page.click("main button:has-text('登录')")
    await expect(page.locator("#password-error")).to_be_visible()
    assert await page.get_attribute("#password", "aria-invalid") == "true"
    await page.fill("#password", PASSWORD)
    await page.click("main button:has-text('登录')")
    await page.wait_for_url(f"{tab.base}/c/{yrd.slug}/")

    unread = page.locator("nav.account a.unread")
    await expect(unread.locator(".unread-count")).to_have_text("2")
    await expect(unread).to_have_attribute("aria-label", "2 条未读通知")

    # One arrives while the page is open: the count follows without a reload, told by the
    # page's websocket (followed once the script has opened it).
    await expect(unread).to_have_attribute("data-following", "yes")
    await _tell(runtime, leader, "请确认下一次联合活动的出勤名单")
    await expect(unread.locator(".unread-count")).to_have_text("3")
    await expect(unread).to_have_attribute("aria-label", "3 条未读通知")

    # The community's workspace, found from its public page; none for the other community.
    workspaces = page.locator("nav.workspaces a")
    await expect(workspaces).to_have_text(["长三角县域老年教育共同体管理工作台"])
    await workspaces.first.click()
    await page.wait_for_url(f"{tab.base}/c/{yrd.slug}/manage/")
    await expect(page.locator("nav.workspaces a[aria-current=page]")).to_have_count(1)
    await expect(unread.locator(".unread-count")).to_have_text("3")

    await page.goto(f"{tab.base}/c/{other.slug}/")
    assert await page.locator(f"a[href='/c/{other.slug}/manage/']").count() == 0
    closed = await page.goto(f"{tab.base}/c/{other.slug}/manage/")
    assert closed is not None and closed.status == 403
    await expect(page.locator("h1")).to_have_text("您没有管理该分平台的权限")

    # Reading them all from the header's link: the count goes away.
    await page.goto(f"{tab.base}/")
    await unread.click()
    await page.wait_for_url(f"{tab.base}/me/notifications/")
    await page.click("button:has-text('将选中的标为已读')")  # nothing ticked: refused
    await expect(page.locator("main")).to_contain_text("请先勾选要标为已读的通知")
    await expect(unread.locator(".unread-count")).to_have_text("3")  # nothing changed
    await page.click("button:has-text('全部标为已读')")
    await page.wait_for_url(re.compile(r".*/me/notifications/\?done=read"))
    await expect(unread.locator(".unread-count")).to_be_hidden()
    await expect(unread).to_have_attribute("aria-label", "没有未读通知")

    # The refusals (400) and the closed workspace (403) are the only failures the tab saw:
    # no script error, nothing blocked by the content security policy.
    assert [e for e in tab.errors if not e.startswith("Failed to load resource")] == []
    assert tab.foreign() == []

    # Another user's notification never reaches this header.
    stranger, _ = await make_user(runtime, "stranger@hdr.example.cn")
    async with runtime.database.transaction() as session:
        session.add(Notification(user_id=stranger.id, kind="x", title="别人的", body="别人的"))
    await page.evaluate(BACK_IN_VIEW)
    await page.wait_for_load_state("networkidle")
    await expect(unread).to_have_attribute("aria-label", "没有未读通知")

    # On a phone the header wraps within the screen.
    phone = await visit(PHONE)
    await phone.page.context.add_cookies(await page.context.cookies())
    for path in ("/", f"/c/{yrd.slug}/manage/", "/me/"):
        await phone.page.goto(phone.base + path)
        await expect(phone.page.locator("nav.account a.unread")).to_be_visible()
        await expect(phone.page.locator("nav.workspaces a")).to_be_visible()
        assert await phone.page.evaluate(NO_HORIZONTAL_SCROLL), path
        results = await Axe().run(phone.page)
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], path
