"""The leader's whole journey in Debian's chromium: the workspace's first page shows the
semi-annual report (Art. 18(4)) as an open finding once an audit has run; the leader schedules
an activity (a date outside the cycle refused beside its field), records its attendance with
one absence, imports a sign-in sheet with a bad row, downloads the activities as a workbook,
submits the report, runs the audit from the workspace, follows its progress page to the end,
and the finding is gone from the first page. Another community's leader gets the 403 page,
and no export of its lists."""

import datetime as dt
import re

import openpyxl
import pytest

from server.clock import today
from server.vocabulary import Level, Region
from tests.factories import make_community
from tests.server.compliance.worker import drain
from tests.web.test_manage_in_browser import _leader, _sign_in

pytestmark = pytest.mark.asyncio

TITLE = "社区市民学习日：健康养老讲座"
HALF = f"{today().year} 年上半年"


async def _audit(tab, runtime) -> None:
    """Runs the audit from the reports page and follows its progress page (which refreshes
    itself every 2 seconds) until it says the run has finished; the test's worker runs it,
    since the server under test runs none."""
    page = tab.page
    await page.click("nav >> text=报告")
    await page.click("#audit button:has-text('运行规则检查')")
    await page.wait_for_url(re.compile(r".*/manage/audit/[A-Za-z0-9_-]+/$"))
    assert "检查进行中" in await page.inner_text("main")
    await drain(runtime)
    await page.wait_for_selector("#run-resolved", timeout=15_000)
    assert await page.inner_text("#run-status") == "已完成"


def _semi_annual(page):
    """The first page's finding of the first half-year's report, as the audit words it."""
    return page.locator("#standing .finding", has_text=f"{today().year}年上半年").filter(
        has_text="半年发展概况"
    )


async def test_the_leaders_journey_ends_with_the_report_finding_resolved(
    runtime, server, visit, tmp_path
):
    yrd, units = await make_community(
        runtime, "yrd-journey", size=4, name="长三角县域老年教育共同体"
    )
    other, _ = await make_community(
        runtime,
        "chengyu-journeys",
        size=3,
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="成渝社区治理共同体",
    )
    await _leader(runtime, server, "leader@yrd-journey.example.cn", yrd, "王组长")
    await _leader(runtime, server, "leader@cy-journey.example.cn", other, "李组长")
    first = "/c/yrd-journey/manage/"

    leader = await visit()
    await _sign_in(leader, first, "leader@yrd-journey.example.cn")
    page = leader.page

    # An audit before anything is done: the first half-year's report (due on 5 July) is
    # owed, and the first page says so.
    await _audit(leader, runtime)
    assert int(await page.inner_text("#run-opened")) > 0
    await page.click("nav >> text=管理工作台")
    await page.wait_for_url(leader.base + first)
    assert await _semi_annual(page).count() == 1
    findings_before = await page.inner_text("#findings-title")

    # A date outside the cooperation cycle: refused beside its field, nothing scheduled.
    await page.click("nav >> text=活动")
    await page.select_option("#kind", "CITIZEN_LEARNING")
    await page.fill("#title", TITLE)
    await page.fill("#heldOn", "2031-03-12")
    await page.click("button:has-text('安排活动')")
    assert "活动日期须在合作周期内" in await page.inner_text("#heldOn-error")
    assert "还没有活动" in await page.inner_text("#activities")
    await page.fill("#heldOn", str(today() - dt.timedelta(days=7)))
    await page.click("button:has-text('安排活动')")
    await page.wait_for_url(re.compile(r".*/manage/activities/[A-Za-z0-9_-]+/\?done=scheduled$"))

    # Three units came, the fourth did not.
    for unit, status in zip(units, ("ATTENDED", "ATTENDED", "ATTENDED", "ABSENT"), strict=True):
        await page.locator("tr", has_text=unit.name).locator(f"input[value={status}]").check()
    await page.click("button:has-text('保存出勤登记')")
    await page.wait_for_url(re.compile(r".*\?done=recorded$"))
    assert await page.inner_text("#absent-count") == "1"

    # A sign-in sheet whose second row names a school that is no member: that row is refused
    # by its line, the first is recorded.
    sheet = tmp_path / "签到表.csv"
    sheet.write_text(f"单位名称,出勤情况\n{units[0].name},出席\n不在名单上的学校,出席\n")
    await page.set_input_files("#sheet", str(sheet))
    await page.click("button:has-text('导入签到表')")
    await page.wait_for_selector(".rejected-rows")
    assert "第 3 行" in await page.inner_text(".rejected-rows tbody")
    assert await page.inner_text("#attended-count") == "3"
    assert await page.inner_text("#absent-count") == "1"

    # The list as a workbook: the activity, with its attendance counts.
    await page.click("nav >> text=活动")
    async with page.expect_download() as downloading:
        await page.click("a:has-text('导出 Excel')")
    download = await downloading.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    rows = list(openpyxl.load_workbook(saved).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == TITLE and rows[1][3:] == (4, 3, 1, 0)

    # The semi-annual report the reports page says is due.
    await page.click("nav >> text=报告")
    await page.locator("#due tr", has_text=HALF).locator("a:has-text('撰写')").click()
    await page.fill("#title", f"{HALF}发展概况")
    await page.fill("#body", "上半年举办市民学习活动，一个成员单位缺席。")
    await page.check("#confirm")
    await page.click("button:has-text('提交报告')")
    await page.wait_for_url(re.compile(r".*/manage/reports/[A-Za-z0-9_-]+/\?done=submitted$"))

    # Submitting alone changes no finding: the audit does, and says so.
    await page.click("nav >> text=管理工作台")
    assert await _semi_annual(page).count() == 1
    await _audit(leader, runtime)
    assert int(await page.inner_text("#run-resolved")) >= 1
    await page.click("nav >> text=管理工作台")
    await page.wait_for_url(leader.base + first)
    assert await _semi_annual(page).count() == 0
    assert await page.inner_text("#findings-title") != findings_before

    intruder = await visit()
    await _sign_in(intruder, "/c/chengyu-journeys/manage/", "leader@cy-journey.example.cn")
    for path in (first, first + "activities/", first + "reports/export.xlsx"):
        refused = await intruder.page.goto(intruder.base + path)
        assert refused is not None and refused.status == 403
        assert TITLE not in await intruder.page.inner_text("main")

    assert leader.foreign() == []
    # The one refusal answered 400, which the browser notes as a failed load: nothing else.
    assert [e for e in leader.errors if "status of 400" not in e] == []
