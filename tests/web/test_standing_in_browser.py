"""The community's member units in Debian's chromium: the leader of a community of 14 units
sees its standing on the workspace's first page, adds a 15th unit, is refused a 16th beside
the unit field (Art. 11: at most 15), records a unit's leave with its written reason once it
has confirmed, and the leader of another community gets the 403 page. The members page fits
a phone and passes axe-core's check."""

import pytest

from schema.core.ids import encode
from server.vocabulary import Level, Region
from tests.factories import PASSWORD, make_community, make_units
from tests.web.conftest import PHONE
from tests.web.test_manage_in_browser import (
    NO_HORIZONTAL_SCROLL,
    _leader,
    _serious_violations,
    _sign_in,
)

pytestmark = pytest.mark.asyncio

REASON = "因机构合并，经本单位书面申请退出本共同体"


async def test_a_leader_adds_a_unit_is_refused_a_sixteenth_and_records_a_leave(
    runtime, server, visit
):
    yrd, units = await make_community(
        runtime, "yrd-members", size=14, name="长三角县域老年教育共同体"
    )
    other, _ = await make_community(
        runtime,
        "cy-members",
        size=3,
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="成渝社区治理共同体",
    )
    fifteenth, sixteenth = await make_units(runtime, 2)
    await _leader(runtime, server, "leader@yrd-members.example.cn", yrd, "王组长")
    await _leader(runtime, server, "leader@cy-members.example.cn", other, "李组长")
    members = "/c/yrd-members/manage/members/"

    leader = await visit()
    await _sign_in(leader, "/c/yrd-members/manage/", "leader@yrd-members.example.cn")
    standing = await leader.page.inner_text("#standing")
    assert "成员单位（第11条：3–15 个）" in standing and "14" in standing
    await leader.page.click("nav >> text=成员单位")
    await leader.page.wait_for_url(leader.base + members)
    assert "现有成员单位 14 个" in await leader.page.inner_text(".lede")

    # A 15th unit joins.
    await leader.page.select_option("#unit", encode("Unit", fifteenth.id))
    await leader.page.click("button:has-text('加入共同体')")
    await leader.page.wait_for_url(leader.base + members + "?done=added")
    assert "成员单位已加入本共同体" in await leader.page.inner_text(".notice-banner")
    assert fifteenth.name in await leader.page.inner_text("#current")
    assert "已满 15 个" in await leader.page.inner_text(".lede")

    # A 16th is refused beside the unit field, and nothing changes.
    await leader.page.select_option("#unit", encode("Unit", sixteenth.id))
    await leader.page.click("button:has-text('加入共同体')")
    await leader.page.click(".error-summary a[href='#unit']")
    assert "共同体最多 15 个成员单位" in await leader.page.inner_text("#unit-error")
    assert await leader.page.evaluate("document.activeElement.id") == "unit"
    assert sixteenth.name not in await leader.page.inner_text("#current")
    await leader.page.goto(leader.base + members)
    assert "现有成员单位 15 个" in await leader.page.inner_text(".lede")

    # A leave: refused until confirmed, then recorded with its reason.
    leaving = units[5]
    await leader.page.click(f"#current a:has-text('登记退出：{leaving.name}')")
    assert f"登记退出：{leaving.name}" in await leader.page.inner_text("h1")
    await leader.page.fill("#reason", REASON)
    await leader.page.click("button:has-text('登记退出')")
    assert "不能在此撤销" in await leader.page.inner_text("#confirm-error")
    assert await leader.page.input_value("#reason") == REASON
    await leader.page.check("#confirm")
    await leader.page.click("button:has-text('登记退出')")
    await leader.page.wait_for_url(leader.base + members + "?done=left")
    assert "退出已登记" in await leader.page.inner_text(".notice-banner")
    past = await leader.page.inner_text("#past")
    assert leaving.name in past and REASON in past and "申请退出" in past
    assert leaving.name not in await leader.page.inner_text("#current")
    assert "现有成员单位 14 个" in await leader.page.inner_text(".lede")

    # Another community's leader: this community's members page is closed to it.
    intruder = await visit()
    await intruder.page.goto(intruder.base + "/login?next=" + members)
    await intruder.page.fill("#email", "leader@cy-members.example.cn")
    await intruder.page.fill("#password", PASSWORD)
    await intruder.page.click("main button:has-text('登录')")
    await intruder.page.wait_for_url(intruder.base + members)
    refused = await intruder.page.reload()
    assert refused is not None and refused.status == 403
    assert "您没有管理该分平台的权限" in await intruder.page.inner_text("h1")
    assert units[1].name not in await intruder.page.inner_text("main")

    # The members page and the leave page on a phone.
    phone = await visit(PHONE)
    await _sign_in(phone, members, "leader@yrd-members.example.cn")
    for path in (members, f"{members}{encode('Unit', units[2].id)}/leave"):
        await phone.page.goto(phone.base + path)
        assert await phone.page.evaluate(NO_HORIZONTAL_SCROLL), path
        assert await _serious_violations(phone) == [], path

    # The refusals come back as 400 pages, which the browser notes; nothing else went wrong.
    refusals = "the server responded with a status of 400"
    assert leader.foreign() == [] and phone.errors == []
    assert [e for e in leader.errors if refusals not in e] == []
