"""The project group's workspace in Debian's chromium: the project group signs in, reads the
compliance dashboard (its charts drawn), creates a community (two units refused beside the
units, Art. 11; three accepted), waives a finding with a reason, creates an account and grants
it a role that shows; a community's leader gets the 403 page. The workspace fits a phone and
passes axe-core's check."""

import datetime as dt
import re

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from schema.core.ids import encode
from server.access.policy import PolicyChange
from server.accounts.service import subject
from server.compliance.models import Finding
from server.vocabulary import FindingStatus, Severity
from tests.eventually import eventually
from tests.factories import PASSWORD, make_community, make_units, make_user
from tests.web.conftest import PHONE

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


async def _granted(runtime, server: str, email: str, grant: tuple[str, ...], token: str) -> None:
    """Announces a grant as the API does, and waits until the server's process knows it."""
    await runtime.policy.publish(PolicyChange("add", grant))

    async def opens() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            return (await client.get("/admin/")).status_code == 200

    if grant[2] == "PROJECT_GROUP":
        await eventually(opens, what=f"the server knows {email} is in the project group")


async def _project_group(runtime, server: str, email: str) -> None:
    user, token = await make_user(
        runtime, email, ("PROJECT_GROUP", None), display_name="项目组陈老师"
    )
    await _granted(runtime, server, email, ("g2", subject(user.id), "PROJECT_GROUP"), token)


async def _sign_in(tab, path: str, email: str) -> None:
    await tab.page.goto(tab.base + path)
    await tab.page.wait_for_url(re.compile(r".*/login\?next="))
    await tab.page.fill("#email", email)
    await tab.page.fill("#password", PASSWORD)
    await tab.page.click("main button:has-text('登录')")
    await tab.page.wait_for_url(tab.base + path)


async def _open_finding(runtime, community_id: int) -> None:
    now = dt.datetime(2026, 11, 3, 3, 0, tzinfo=dt.UTC)
    async with runtime.database.transaction(community_id) as session:
        session.add(
            Finding(
                community_id=community_id,
                rule="citizen-learning",
                article="16(3)",
                severity=Severity.ERROR,
                status=FindingStatus.OPEN,
                subject="community",
                period="2026",
                message_zh="2026 年只开展了 1 次市民学习活动，少于 2 次",
                message_en="one citizen learning activity in 2026, fewer than 2",
                evidence=[],
                fingerprint="journey",
                first_seen_at=now,
                last_seen_at=now,
            )
        )


async def _serious_violations(tab) -> list:
    await tab.page.wait_for_load_state("networkidle")
    results = await Axe().run(tab.page)
    assert results.response["passes"], "axe checked nothing"
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def test_the_project_group_creates_a_community_waives_a_finding_and_grants_a_role(
    runtime, server, visit
):
    yrd, _ = await make_community(runtime, "yrd-pg-journey", name="长三角县域老年教育共同体")
    await _open_finding(runtime, yrd.id)
    free = await make_units(runtime, 3)
    unit_ids = [encode("Unit", u.id) for u in free]
    await _project_group(runtime, server, "pg@journey.example.cn")

    tab = await visit()
    await _sign_in(tab, "/admin/", "pg@journey.example.cn")
    assert "全国合规看板" in await tab.page.inner_text("h1")
    assert await tab.page.inner_text(".figures div:nth-child(3) dd") == "1"
    # ECharts drew the charts from the figures embedded in the page.
    await tab.page.wait_for_selector("[data-chart='findingsByRegion'] canvas")

    # A community of two units: refused beside the units chosen (Art. 11), nothing created.
    await tab.page.click(".admin-links >> text=组建共同体")
    await tab.page.fill("#name", "长三角新组建老年教育共同体")
    await tab.page.fill("#slug", "yrd-journey-new")
    await tab.page.select_option("#region", "YANGTZE_RIVER_DELTA")
    await tab.page.select_option("#level", "COUNTY")
    await tab.page.check("#theme-ELDERLY_EDUCATION")
    await tab.page.fill("#cycleStart", "2026-09-01")
    await tab.page.select_option(f"#role-{unit_ids[0]}", "LEADER")
    await tab.page.select_option(f"#role-{unit_ids[1]}", "MEMBER")
    await tab.page.click("button:has-text('组建共同体')")
    assert "至少需要 3 个成员单位（第十一条）" in await tab.page.inner_text("#units-error")
    await tab.page.click(".error-summary a[href='#units']")
    # What was chosen stays chosen; a third unit makes three.
    assert await tab.page.input_value(f"#role-{unit_ids[0]}") == "LEADER"
    await tab.page.select_option(f"#role-{unit_ids[2]}", "DEPUTY")
    await tab.page.click("button:has-text('组建共同体')")
    await tab.page.wait_for_url(re.compile(r".*/admin/communities/\?done=created$"))
    assert "共同体已创建" in await tab.page.inner_text(".notice-banner")
    assert "长三角新组建老年教育共同体" in await tab.page.inner_text("table")

    # Waive the open finding, with its reason.
    await tab.page.click("nav >> text=问题清单")
    assert "每年至少开展两次市民学习活动" in await tab.page.inner_text(".finding-list")
    await tab.page.click(".finding-list >> text=豁免")
    await tab.page.fill("#reason", "受疫情影响，已报项目组同意延期举办")
    await tab.page.check("#confirm")
    await tab.page.click("main button:has-text('豁免')")
    await tab.page.wait_for_url(re.compile(r".*/admin/findings/\?done=waived$"))
    assert "问题已豁免" in await tab.page.inner_text(".notice-banner")
    assert "没有符合条件的问题" in await tab.page.inner_text("main")

    # An account, and a role granted to it that shows.
    await tab.page.click("nav >> text=用户与角色")
    await tab.page.fill("#displayName", "赵专家")
    await tab.page.fill("#email", "zhao@journey.example.cn")
    await tab.page.fill("#password", "a-long-enough-passphrase")
    await tab.page.click("button:has-text('创建账户')")
    await tab.page.wait_for_url(re.compile(r".*/admin/users/[A-Za-z0-9_-]+/\?done=user$"))
    await tab.page.select_option("#role", "EXPERT")
    await tab.page.click("button:has-text('授予角色')")
    await tab.page.wait_for_url(re.compile(r".*/admin/users/[A-Za-z0-9_-]+/\?done=granted$"))
    assert "专家" in await tab.page.inner_text("#roles table")

    # The refused form came back with status 400, which the console notes; nothing else.
    assert tab.foreign() == []
    assert [e for e in tab.errors if "status of 400" not in e] == []

    # A community's leader (the server knows it leads: its own workspace opens): the
    # project group's pages are closed to it.
    user, token = await make_user(runtime, "leader@journey.example.cn", ("LEADER", yrd.id))
    await runtime.policy.publish(
        PolicyChange("add", ("g", subject(user.id), "LEADER", str(yrd.id)))
    )

    async def leads() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            return (await client.get("/c/yrd-pg-journey/manage/")).status_code == 200

    await eventually(leads, what="the server knows the leader leads yrd-pg-journey")
    leader = await visit()
    await _sign_in(leader, "/admin/", "leader@journey.example.cn")
    assert "您没有使用项目组工作台的权限" in await leader.page.inner_text("h1")
    refused = await leader.page.goto(leader.base + "/admin/findings/")
    assert refused is not None and refused.status == 403
    assert "长三角县域老年教育共同体" not in await leader.page.inner_text("main")


async def test_the_workspace_fits_a_phone_and_passes_axe(runtime, server, visit):
    yrd, _ = await make_community(runtime, "yrd-pg-phone", name="长三角县域老年教育共同体")
    await _open_finding(runtime, yrd.id)
    await _project_group(runtime, server, "pg@phone.example.cn")
    tab = await visit(PHONE)
    await _sign_in(tab, "/admin/", "pg@phone.example.cn")

    pages = ["", "findings/", "communities/", "communities/new", "sites/", "exits/"]
    pages += ["audit-runs/", "users/", "audit-log/"]
    for path in pages:
        await tab.page.goto(f"{tab.base}/admin/{path}")
        assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL), path
        assert await _serious_violations(tab) == [], path
    await tab.page.goto(f"{tab.base}/admin/findings/")
    await tab.page.click(".finding-list >> text=豁免")
    assert await _serious_violations(tab) == [], "the waiver's form"
    assert tab.errors == []

    # A refusal on a phone: the summary links to the field, which shows it beside it.
    await tab.page.click("main button:has-text('豁免')")
    await tab.page.click(".error-summary a[href='#confirm']")
    assert await tab.page.inner_text("#confirm-error") == "请勾选确认后再豁免"
    assert await tab.page.evaluate("document.activeElement.id") == "confirm"
    assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL)
    assert await _serious_violations(tab) == [], "the refused waiver"
