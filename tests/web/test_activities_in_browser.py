"""The leader's activities and reports in Debian's chromium: a leader schedules an activity
(after a date outside the cycle is refused beside its field), records its attendance with one
absence, imports a sign-in sheet with a bad row and sees that row's line, and submits the
semi-annual report the reports page says is due; another community's leader gets the 403
page. The pages fit a phone and pass axe-core's check."""

import datetime as dt
import re

import pytest

from server.clock import today
from server.vocabulary import Level, Region
from tests.factories import make_community
from tests.web.conftest import PHONE
from tests.web.test_manage_in_browser import (
    NO_HORIZONTAL_SCROLL,
    _leader,
    _serious_violations,
    _sign_in,
)

pytestmark = pytest.mark.asyncio

TITLE = "社区市民学习日：智能手机课堂"


async def test_a_leader_schedules_records_imports_and_reports(runtime, server, visit, tmp_path):
    yrd, units = await make_community(
        runtime, "yrd-activities", size=4, name="长三角县域老年教育共同体"
    )
    other, _ = await make_community(
        runtime,
        "chengyu-activities",
        size=3,
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="成渝社区治理共同体",
    )
    await _leader(runtime, server, "leader@yrd-act.example.cn", yrd, "王组长")
    await _leader(runtime, server, "leader@cy-act.example.cn", other, "李组长")
    activities = "/c/yrd-activities/manage/activities/"
    held_on = str(today() - dt.timedelta(days=7))

    leader = await visit()
    await _sign_in(leader, activities, "leader@yrd-act.example.cn")
    page = leader.page
    assert "还没有活动" in await page.inner_text("#activities")

    # A date outside the cooperation cycle: refused beside its field, nothing scheduled.
    await page.select_option("#kind", "CITIZEN_LEARNING")
    await page.fill("#title", TITLE)
    await page.fill("#heldOn", "2031-03-12")
    await page.click("button:has-text('安排活动')")
    await page.click(".error-summary a[href='#heldOn']")
    assert "活动日期须在合作周期内" in await page.inner_text("#heldOn-error")
    assert await page.evaluate("document.activeElement.id") == "heldOn"
    assert "还没有活动" in await page.inner_text("#activities")

    await page.fill("#heldOn", held_on)
    await page.click("button:has-text('安排活动')")
    await page.wait_for_url(re.compile(r".*/manage/activities/[A-Za-z0-9_-]+/\?done=scheduled$"))
    assert "活动已安排" in await page.inner_text(".notice-banner")
    assert await page.inner_text("h1") == TITLE

    # One grid: three attended, the fourth unit absent.
    for unit, status in zip(units, ("ATTENDED", "ATTENDED", "ATTENDED", "ABSENT"), strict=True):
        await page.locator("tr", has_text=unit.name).locator(f"input[value={status}]").check()
    await page.click("button:has-text('保存出勤登记')")
    await page.wait_for_url(re.compile(r".*\?done=recorded$"))
    assert await page.inner_text("#attended-count") == "3"
    assert await page.inner_text("#absent-count") == "1"
    grid = await page.inner_text(".attendance-grid")
    assert grid.count("出席") >= 3 and "缺席" in grid

    # A sign-in sheet: the absent unit did come after all; a school nobody expected did not.
    sheet = tmp_path / "签到表.csv"
    sheet.write_text(f"单位名称,出勤情况\n{units[3].name},出席\n不在名单上的学校,出席\n")
    await page.set_input_files("#sheet", str(sheet))
    await page.click("button:has-text('导入签到表')")
    await page.wait_for_selector(".rejected-rows")
    assert "登记 1 行，1 行未登记" in await page.inner_text("#imported-title")
    rejected = await page.inner_text(".rejected-rows tbody")
    assert "第 3 行" in rejected and "不在名单上的学校" in rejected
    assert await page.inner_text("#attended-count") == "4"
    assert await page.inner_text("#absent-count") == "0"

    await page.click("nav >> text=活动")
    row = page.locator("tr", has_text=TITLE)
    assert await row.locator("[data-label='出席']").inner_text() == "4"

    # The semi-annual report the reports page says is due, written from its link.
    await page.click("nav >> text=报告")
    due = page.locator("#due tr", has_text="2026 年上半年")
    await due.locator("a:has-text('撰写')").click()
    assert await page.input_value("#kind") == "SEMI_ANNUAL"
    assert await page.input_value("#half") == "1"
    await page.fill("#title", "2026 年上半年发展概况")
    await page.fill("#body", "上半年举办市民学习活动，成员单位全部参加。")
    await page.check("#confirm")
    await page.click("button:has-text('提交报告')")
    await page.wait_for_url(re.compile(r".*/manage/reports/[A-Za-z0-9_-]+/\?done=submitted$"))
    assert "报告已提交" in await page.inner_text(".notice-banner")
    assert "成员单位全部参加" in await page.inner_text(".report-body")
    await page.click("text=返回报告列表")
    assert "已提交" in await page.locator("#due tr", has_text="2026 年上半年").inner_text()

    intruder = await visit()
    await _sign_in(intruder, "/c/chengyu-activities/manage/", "leader@cy-act.example.cn")
    for path in (activities, "/c/yrd-activities/manage/reports/"):
        refused = await intruder.page.goto(intruder.base + path)
        assert refused is not None and refused.status == 403
        assert "您没有管理该分平台的权限" in await intruder.page.inner_text("h1")
        assert TITLE not in await intruder.page.inner_text("main")

    # The one refusal answered 400, which the browser notes as a failed load: nothing else.
    assert leader.foreign() == []
    assert [e for e in leader.errors if "status of 400" not in e] == []
    assert len(leader.errors) == 1


async def test_the_pages_fit_a_phone_and_pass_axe(runtime, server, visit):
    yrd, _ = await make_community(runtime, "yrd-act-phone", size=4, name="长三角县域老年教育共同体")
    await _leader(runtime, server, "leader@act-phone.example.cn", yrd, "王组长")
    tab = await visit(PHONE)
    base = "/c/yrd-act-phone/manage/"
    await _sign_in(tab, base + "activities/", "leader@act-phone.example.cn")
    await tab.page.select_option("#kind", "SEMINAR")
    await tab.page.fill("#title", "县域老年教育研讨会")
    await tab.page.fill("#heldOn", str(today() - dt.timedelta(days=3)))
    await tab.page.click("button:has-text('安排活动')")
    await tab.page.wait_for_url(re.compile(r".*\?done=scheduled$"))
    activity = tab.page.url.split("?")[0]

    for url in (tab.base + base + "activities/", activity, tab.base + base + "reports/"):
        await tab.page.goto(url)
        assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL), url
        assert await _serious_violations(tab) == [], url
    assert tab.errors == []
