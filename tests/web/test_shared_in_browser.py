"""The workspaces' shared parts in Debian's chromium, walked by a member unit's clerk leaving a
community (Art. 12): the frame's crumb trail and nav, the written-exit confirmation refused
beside its box until it is ticked (the summary at the top saying so), the sentence the page
returns with once it is done, and another community's page closed to the clerk."""

import re

import httpx
import pytest
from sqlalchemy import select

from server.access.policy import PolicyChange
from server.accounts.service import subject
from server.communities.models import Membership
from server.vocabulary import Level, MembershipStatus, Region
from tests.eventually import eventually
from tests.factories import PASSWORD, make_community, make_user

pytestmark = pytest.mark.asyncio


async def test_a_clerk_confirms_the_units_written_exit_from_a_community(runtime, server, visit):
    yrd, units = await make_community(
        runtime, "yrd-tidy-browser", size=4, name="长三角县域老年教育共同体"
    )
    other, _ = await make_community(
        runtime,
        "xinan-tidy-browser",
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="西南社区治理共同体",
    )
    mine = units[2]
    user, token = await make_user(
        runtime, "clerk@tidy.example.cn", ("MEMBER", yrd.id), unit_id=mine.id
    )
    await runtime.policy.publish(
        PolicyChange("add", ("g", subject(user.id), "MEMBER", str(yrd.id)))
    )

    async def sees() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            return yrd.name in (await client.get("/me/")).text

    await eventually(sees, what="the server knows the clerk is in yrd-tidy-browser")

    tab = await visit()
    path = "/me/leave/yrd-tidy-browser"
    await tab.page.goto(tab.base + path)
    await tab.page.wait_for_url(re.compile(r".*/login\?next="))
    await tab.page.fill("#email", "clerk@tidy.example.cn")
    await tab.page.fill("#password", PASSWORD)
    await tab.page.click("main button:has-text('登录')")
    await tab.page.wait_for_url(tab.base + path)

    # The shared frame: this workspace's crumb trail, heading and nav.
    crumbs = re.sub(r"\s+", "", await tab.page.inner_text(".crumbs"))
    assert crumbs == "总平台›我的工作台›退出共同体"
    assert await tab.page.inner_text("h1") == "申请退出长三角县域老年教育共同体"
    assert await tab.page.locator("nav.sections a[href='/me/notifications/']").count() == 1

    # Not ticked: refused beside the box and in the summary; nothing changes.
    await tab.page.fill("#reason", "本单位机构调整，无法继续参加活动。")
    await tab.page.click("button:has-text('确认退出该共同体')")
    assert "请勾选确认框" in await tab.page.inner_text("#confirm-error")
    assert await tab.page.get_attribute("#confirm", "aria-invalid") == "true"
    summary = await tab.page.inner_text(".error-summary")
    assert "未能提交，请修改以下内容" in summary and "请勾选确认框" in summary
    assert await tab.page.input_value("#reason") == "本单位机构调整，无法继续参加活动。"
    assert await _status(runtime, yrd, mine) is MembershipStatus.ACTIVE

    # Ticked: done, and /me/ says so.
    await tab.page.check("#confirm")
    await tab.page.click("button:has-text('确认退出该共同体')")
    await tab.page.wait_for_url(re.compile(r".*/me/\?done=left$"))
    assert "本单位已退出该共同体" in await tab.page.inner_text("[role=status]")
    assert await _status(runtime, yrd, mine) is not MembershipStatus.ACTIVE

    # Another unit's community is not the clerk's to leave, nor its workspace to open.
    refused = await tab.page.goto(tab.base + "/me/leave/xinan-tidy-browser")
    assert refused is not None and refused.status == 404
    closed = await tab.page.goto(tab.base + f"/c/{other.slug}/manage/")
    assert closed is not None and closed.status == 403

    assert tab.foreign() == []
    assert [e for e in tab.errors if not e.startswith("Failed to load resource")] == []


async def _status(runtime, community, unit) -> MembershipStatus:
    async with runtime.database.transaction(community.id) as session:
        membership = await session.scalar(
            select(Membership).where(
                Membership.community_id == community.id, Membership.unit_id == unit.id
            )
        )
        assert membership is not None
        return membership.status
