"""The national compliance dashboard at national scale in Debian's chromium: the project group
signs in and reads the whole country's figures (every community counted, the programme's own
findings beside them, the worst community first), follows the worst to its findings, is
refused a waiver without confirming (beside the checkbox), waives one and sees the dashboard
count it no longer; a community's leader finds the dashboard closed. It fits a phone."""

import re

import httpx
import pytest

from server.access.policy import PolicyChange
from server.accounts.service import subject
from server.vocabulary import FindingStatus, Level, Region, Severity
from tests.eventually import eventually
from tests.factories import make_community, make_user
from tests.schema.test_programme_compliance import _finding, _programme_finding
from tests.web.conftest import PHONE
from tests.web.test_admin_in_browser import (
    NO_HORIZONTAL_SCROLL,
    _project_group,
    _serious_violations,
    _sign_in,
)

pytestmark = pytest.mark.asyncio

COMMUNITIES = 12


async def _country(runtime) -> list:
    """12 communities, each with one open error but the first three, which have none; the
    last with a second open error and a warning: the worst. One programme finding open."""
    made = []
    for n in range(COMMUNITIES):
        community, _ = await make_community(
            runtime,
            f"cn-journey-{n:02}",
            name=f"第{n:02}号共同体",
            region=Region.SOUTHWEST if n % 2 else Region.YANGTZE_RIVER_DELTA,
            level=Level.TOWNSHIP if n % 2 else Level.COUNTY,
            province="51" if n % 2 else "33",
        )
        if n >= 3:
            await _finding(
                runtime, community.id, "structure", "14", Severity.ERROR, FindingStatus.OPEN
            )
        made.append(community)
    worst = made[-1]
    await _finding(
        runtime, worst.id, "citizen-learning", "16(3)", Severity.ERROR, FindingStatus.OPEN
    )
    await _finding(runtime, worst.id, "same-level", "10", Severity.WARNING, FindingStatus.OPEN)
    await _programme_finding(runtime, "site-evidence", "7", Severity.WARNING, FindingStatus.OPEN)
    return made


async def _figure(tab, term: str) -> str:
    return await tab.page.inner_text(f".figures div:has(dt:text-is('{term}')) dd")


async def test_the_project_group_reads_the_whole_country_and_acts_on_the_worst(
    runtime, server, visit
):
    made = await _country(runtime)
    await _project_group(runtime, server, "pg@national.example.cn")

    tab = await visit()
    await _sign_in(tab, "/admin/", "pg@national.example.cn")
    assert "全国合规看板" in await tab.page.inner_text("h1")
    assert await _figure(tab, "共同体") == str(COMMUNITIES)
    assert await _figure(tab, "无违规的共同体") == "3"
    # 9 + 2 of the worst's + 1 of the programme's.
    assert await _figure(tab, "待整改问题") == "12"
    assert await _figure(tab, "其中违规") == "10"
    await tab.page.wait_for_selector("[data-chart='findingsByRegion'] canvas")
    assert "项目层面的问题" in await tab.page.inner_text("#rules")
    await tab.page.screenshot(path="/tmp/national-desktop.png", full_page=True)

    # The worst community comes first; its link opens its findings.
    first = tab.page.locator("#worst tbody tr").first
    assert made[-1].name in await first.inner_text()
    await first.locator("a").click()
    await tab.page.wait_for_url(re.compile(r".*/admin/findings/\?community=cn-journey-11$"))
    listed = await tab.page.inner_text(".finding-list")
    assert "每年至少开展两次市民学习活动" in listed
    assert "第03号共同体" not in listed

    # A waiver not confirmed: refused beside the checkbox, nothing waived.
    await tab.page.locator(".finding-list >> text=豁免").first.click()
    await tab.page.fill("#reason", "已报项目组同意，年内补办")
    await tab.page.click("main button:has-text('豁免')")
    assert await tab.page.inner_text("#confirm-error") == "请勾选确认后再豁免"
    await tab.page.goto(tab.base + "/admin/")
    assert await _figure(tab, "待整改问题") == "12"

    # Confirmed: the dashboard no longer counts it.
    await tab.page.goto(tab.base + "/admin/findings/?community=cn-journey-11")
    await tab.page.locator(".finding-list >> text=豁免").first.click()
    await tab.page.fill("#reason", "已报项目组同意，年内补办")
    await tab.page.check("#confirm")
    await tab.page.click("main button:has-text('豁免')")
    await tab.page.wait_for_url(re.compile(r".*done=waived$"))
    await tab.page.goto(tab.base + "/admin/")
    assert await _figure(tab, "待整改问题") == "11"
    assert [e for e in tab.errors if "status of 400" not in e] == []
    assert tab.foreign() == []

    # A community's leader: the national dashboard is closed, no community named.
    user, token = await make_user(runtime, "leader@national.example.cn", ("LEADER", made[0].id))
    await runtime.policy.publish(
        PolicyChange("add", ("g", subject(user.id), "LEADER", str(made[0].id)))
    )

    async def leads() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            return (await client.get(f"/c/{made[0].slug}/manage/")).status_code == 200

    await eventually(leads, what="the server knows the leader leads its community")
    leader = await visit()
    await _sign_in(leader, "/admin/", "leader@national.example.cn")
    assert "您没有使用项目组工作台的权限" in await leader.page.inner_text("h1")
    assert made[-1].name not in await leader.page.inner_text("main")


async def test_the_dashboard_fits_a_phone_and_passes_axe(runtime, server, visit):
    await _country(runtime)
    await _project_group(runtime, server, "pg@national-phone.example.cn")
    tab = await visit(PHONE)
    await _sign_in(tab, "/admin/", "pg@national-phone.example.cn")

    assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL)
    assert await _serious_violations(tab) == []
    await tab.page.screenshot(path="/tmp/national-phone.png", full_page=True)
