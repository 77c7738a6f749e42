"""A member unit's clerk in Debian's chromium (`/me/`): signs in, sees the unit's attendance
with the warning one unexcused absence in a row deserves (Art. 12), submits its annual summary
and plan (Art. 19(3)), reads a notification; a withdrawal with a blank reason is refused
beside its field and changes nothing; another unit's community stays closed to the clerk.
The workspace fits a phone and passes axe-core's check."""

import datetime as dt
import re

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from sqlalchemy import select

from server.access.policy import PolicyChange
from server.accounts.service import subject
from server.activities.models import Activity, Attendance
from server.notifications.models import Notification
from server.reports.models import Report
from server.units.models import Unit
from server.vocabulary import (
    ActivityKind,
    AttendanceStatus,
    Level,
    Region,
    ReportKind,
    SiteStatus,
)
from tests.eventually import eventually
from tests.factories import PASSWORD, make_community, make_user
from tests.web.conftest import PHONE

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


async def _clerk(runtime, server: str, email: str, community, unit, name: str):
    """A member unit's clerk, once the server's copy of the policy knows the grant."""
    user, token = await make_user(
        runtime, email, ("MEMBER", community.id), unit_id=unit.id, display_name=name
    )
    await runtime.policy.publish(
        PolicyChange("add", ("g", subject(user.id), "MEMBER", str(community.id)))
    )

    async def sees() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            return community.name in (await client.get("/me/")).text

    await eventually(sees, what=f"the server knows {email} is in {community.slug}")
    return user


async def _attendance(runtime, community, unit, marks) -> None:
    async with runtime.database.transaction(community.id) as session:
        for i, status in enumerate(marks):
            activity = Activity(
                community_id=community.id,
                kind=ActivityKind.SEMINAR,
                title=f"老年教育联合研讨会第{i + 1}期",
                held_on=dt.date(2026, 4, 1) + dt.timedelta(days=60 * i),
                expected_count=1,
            )
            session.add(activity)
            await session.flush()
            session.add(
                Attendance(
                    community_id=community.id,
                    activity_id=activity.id,
                    unit_id=unit.id,
                    status=status,
                )
            )


async def _sign_in(tab, path: str, email: str) -> None:
    await tab.page.goto(tab.base + path)
    await tab.page.wait_for_url(re.compile(r".*/login\?next="))
    await tab.page.fill("#email", email)
    await tab.page.fill("#password", PASSWORD)
    await tab.page.click("main button:has-text('登录')")
    await tab.page.wait_for_url(tab.base + path)


async def test_a_clerk_follows_the_units_attendance_reports_and_notifications(
    runtime, server, visit
):
    yrd, units = await make_community(
        runtime, "yrd-me-browser", name="长三角县域老年教育共同体", cycle_start=dt.date(2025, 1, 1)
    )
    other, others = await make_community(
        runtime,
        "xinan-me-browser",
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="西南社区治理共同体",
    )
    mine = units[1]
    await _attendance(runtime, yrd, mine, [AttendanceStatus.ATTENDED, AttendanceStatus.ABSENT])
    clerk = await _clerk(runtime, server, "clerk@yrd.example.cn", yrd, mine, "李联络员")
    await _clerk(runtime, server, "clerk@xinan.example.cn", other, others[1], "赵联络员")
    async with runtime.database.transaction() as session:
        session.add(
            Notification(
                user_id=clerk.id,
                kind="report.due",
                title="年度总结已逾期",
                body="请尽快提交 2025 年度总结与计划。",
            )
        )

    tab = await visit()
    await _sign_in(tab, "/me/", "clerk@yrd.example.cn")

    community = tab.page.locator("#community-yrd-me-browser")
    assert "出勤提醒" in await community.locator("[role=alert]").inner_text()
    tally = await community.locator(".me-tally").inner_text()
    assert re.sub(r"\s+", "", tally) == "出席1缺席1请假0"
    assert "1 条未读通知" in await tab.page.inner_text("#notices")

    # The annual summary and plan it still owes, for 2025.
    await tab.page.click("#reports a:has-text('立即提交')")
    await tab.page.wait_for_url(re.compile(r".*/me/reports/new\?community=yrd-me-browser"))
    assert await tab.page.input_value("#year") == "2025"
    await tab.page.fill("#title", "2025年度工作总结与2026年度计划")
    await tab.page.click("button:has-text('提交')")  # no body yet: refused beside it
    assert "请填写标题和正文" in await tab.page.inner_text("#body-error")
    await tab.page.fill("#body", "全年参加共同体活动 2 次。明年开展送教下乡。")
    await tab.page.click("button:has-text('提交')")
    await tab.page.wait_for_url(re.compile(r".*/me/\?done=report#reports$"))
    assert "已提交" in await tab.page.inner_text("#reports")

    # Its notification, read.
    await tab.page.click("#notices a:has-text('查看通知')")
    assert "年度总结已逾期" in await tab.page.inner_text(".me-inbox li.unread")
    await tab.page.click("button:has-text('本页全部标为已读')")
    await tab.page.wait_for_url(re.compile(r".*/me/notifications/\?done=read$"))
    assert await tab.page.locator(".me-inbox li.unread").count() == 0

    # Withdrawal from the programme with a blank reason: refused beside it, nothing changed.
    await tab.page.goto(tab.base + "/me/withdraw")
    await tab.page.check("#confirm")
    await tab.page.click("button:has-text('确认退出项目')")
    assert "请填写书面退出理由" in await tab.page.inner_text("#reason-error")
    assert await tab.page.get_attribute("#reason", "aria-invalid") == "true"
    assert "请填写书面退出理由" in await tab.page.inner_text(".error-summary")

    # Another unit's community is not the clerk's to see or leave.
    await tab.page.goto(tab.base + "/me/")
    assert "西南社区治理共同体" not in await tab.page.inner_text("main")
    refused = await tab.page.goto(tab.base + "/me/leave/xinan-me-browser")
    assert refused is not None and refused.status == 404

    async with runtime.database.transaction(yrd.id) as session:
        (report,) = (
            await session.scalars(select(Report).where(Report.community_id == yrd.id))
        ).all()
        assert (report.kind, report.year, report.unit_id) == (
            ReportKind.MEMBER_ANNUAL,
            2025,
            mine.id,
        )
    async with runtime.database.transaction() as session:
        unit = await session.get(Unit, mine.id)
        assert unit is not None and unit.site_status is SiteStatus.ACTIVE
    # The refusals come as 400 and 404 pages, which the console reports; nothing else may.
    assert tab.foreign() == []
    assert [e for e in tab.errors if not e.startswith("Failed to load resource")] == []


async def test_the_workspace_fits_a_phone_and_passes_axe(runtime, server, visit):
    yrd, units = await make_community(
        runtime, "yrd-me-phone", name="长三角县域老年教育共同体", cycle_start=dt.date(2025, 1, 1)
    )
    await _attendance(runtime, yrd, units[1], [AttendanceStatus.ABSENT])
    await _clerk(runtime, server, "clerk@phone.example.cn", yrd, units[1], "李联络员")
    tab = await visit(PHONE)
    await _sign_in(tab, "/me/", "clerk@phone.example.cn")

    for path in ("", "reports/new", "notifications/", "leave/yrd-me-phone", "withdraw"):
        await tab.page.goto(f"{tab.base}/me/{path}")
        assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL), path
        await tab.page.wait_for_load_state("networkidle")
        results = await Axe().run(tab.page)
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], path

    assert tab.errors == []
