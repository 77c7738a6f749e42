"""Admission in Debian's chromium: an applicant registers, signs in and answers an open call
with the seven Art. 7 conditions and an evidence file; a condition left without evidence is
refused beside its field and the kept file is offered again; the project group reads the
evidence, approves and publishes the list behind a confirmation, and the applicant sees its
plaque number. An applicant opening the project group's pages gets the 403 page. The pages fit
a phone and pass axe-core's check."""

import datetime as dt
import re

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from server.access.policy import PolicyChange
from server.accounts.service import subject
from server.admission.models import ApplicationCall
from server.clock import today
from tests.eventually import eventually
from tests.factories import PASSWORD, make_user
from tests.files import pdf
from tests.web.conftest import PHONE

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
CALL = "2026年度区域终身学习发展共同体项目实验点申报通知"
UNIT = "杭州市西湖区社区学院"


async def _open_call(runtime) -> None:
    async with runtime.database.transaction() as session:
        session.add(
            ApplicationCall(
                title=CALL,
                year=2026,
                opens_on=today() - dt.timedelta(days=1),
                closes_on=today() + dt.timedelta(days=30),
            )
        )


async def _project_group(runtime, server: str, email: str) -> None:
    """A project-group member, once the server's copy of the policy knows it."""
    user, token = await make_user(runtime, email, ("PROJECT_GROUP", None), display_name="赵老师")
    await runtime.policy.publish(PolicyChange("add", ("g2", subject(user.id), "PROJECT_GROUP")))

    async def opens() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            return (await client.get("/admin/calls/")).status_code == 200

    await eventually(opens, what=f"the server knows {email} is in the project group")


async def _sign_in(tab, path: str, email: str) -> None:
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


async def test_an_applicant_applies_and_sees_its_plaque_once_the_list_is_published(
    runtime, server, visit, tmp_path
):
    await _open_call(runtime)
    await _project_group(runtime, server, "pg@caea.example.cn")
    evidence = tmp_path / "教育局同意函.pdf"
    evidence.write_bytes(pdf())

    applicant = await visit()
    page = applicant.page
    await page.goto(applicant.base + "/apply/register")
    await page.fill("#email", "chen@xihu.example.cn")
    await page.fill("#displayName", "陈老师")
    await page.fill("#password", PASSWORD)
    await page.fill("#passwordAgain", PASSWORD)
    await page.click("main button:has-text('注册')")
    await page.wait_for_url(applicant.base + "/apply/registered")
    await page.fill("#email", "chen@xihu.example.cn")
    await page.fill("#password", PASSWORD)
    await page.click("main button:has-text('登录')")
    await page.wait_for_url(applicant.base + "/apply/")

    await page.click("#calls a:has-text('填写申报')")
    assert await page.inner_text("h1") == CALL
    await page.fill("#name", UNIT)
    await page.select_option("#level", "COUNTY")
    await page.fill("#divisionCode", "330106")
    await page.fill("#address", "杭州市西湖区文三路 100 号")
    await page.fill("#responsiblePerson", "陈老师")
    await page.fill("#projectTeam", "陈老师 组长\n李老师 联络员")
    textareas = page.locator("textarea[id^='evidence-']")
    assert await textareas.count() == 7  # Art. 7's seven conditions
    for i in range(7):
        await textareas.nth(i).fill("本单位的情况说明")
    await page.fill("#evidence-AREA_MOBILISATION", "")
    await page.set_input_files("#file-AUTHORITY_CONSENT", str(evidence))
    await page.click("button:has-text('提交申报')")

    await page.click(".error-summary a[href='#evidence-AREA_MOBILISATION']")
    assert (
        await page.inner_text("#evidence-AREA_MOBILISATION-error")
        == "“发动全域参与”须附证明材料说明"
    )
    assert await page.evaluate("document.activeElement.id") == "evidence-AREA_MOBILISATION"
    assert "已上传：教育局同意函.pdf" in await page.inner_text("#file-AUTHORITY_CONSENT-kept")
    await page.fill("#evidence-AREA_MOBILISATION", "全区 12 个街道社区学校共同参与")
    await page.click("button:has-text('提交申报')")
    await page.wait_for_url(re.compile(r".*/apply/applications/[\w-]+/\?done=submitted$"))
    assert "申报已提交" in await page.inner_text(".notice-banner")
    assert "教育局同意函.pdf" in await page.inner_text("#conditions")
    mine = page.url.split("?")[0]

    refused = await page.goto(applicant.base + "/admin/calls/")
    assert refused is not None and refused.status == 403
    assert "您没有审核申报的权限" in await page.inner_text("h1")

    group = await visit()
    await _sign_in(group, "/admin/calls/", "pg@caea.example.cn")
    await group.page.click(f"#calls a:has-text('{CALL}')")
    await group.page.click(f"#applications a:has-text('{UNIT}')")
    async with group.page.expect_download() as downloading:
        await group.page.click("#conditions a:has-text('教育局同意函.pdf')")
    download = await downloading.value
    assert (await download.path()).read_bytes() == pdf()  # the evidence, as the applicant sent it
    await group.page.check("#decision-APPROVE")
    await group.page.click("button:has-text('提交审核结论')")
    await group.page.wait_for_url(re.compile(r".*\?done=approved$"))
    await group.page.click("#review a:has-text('公布实验点名单')")
    assert UNIT in await group.page.inner_text(".approved-list")
    await group.page.click("button:has-text('公布名单')")
    assert "请勾选确认" in await group.page.inner_text("#confirm-error")
    await group.page.check("#confirm")
    await group.page.click("button:has-text('公布名单')")
    await group.page.wait_for_url(re.compile(r".*\?done=published#applications$"))
    plaque = await group.page.inner_text("#applications .plaque")
    assert re.fullmatch(r"LLC-2026-\d{4}", plaque)

    await page.goto(applicant.base + "/apply/")
    assert plaque in await page.inner_text("#applications")
    await page.goto(mine)
    assert plaque in await page.inner_text(".plaque-box")

    # The refusal (400) and the 403 page are the only statuses the browser reports as errors.
    expected = {
        f"the server responded with a status of {s}"
        for s in ("400 (Bad Request)", "403 (Forbidden)")
    }
    assert [
        e for e in applicant.errors if e.removeprefix("Failed to load resource: ") not in expected
    ] == []
    assert applicant.foreign() == []
    assert group.foreign() == []
    assert [
        e for e in group.errors if e.removeprefix("Failed to load resource: ") not in expected
    ] == []


async def test_the_admission_pages_fit_a_phone_and_pass_axe(runtime, server, visit):
    await _open_call(runtime)
    await _project_group(runtime, server, "pg@phone.example.cn")
    await make_user(runtime, "chen@phone.example.cn")

    tab = await visit(PHONE)
    await tab.page.goto(tab.base + "/apply/register")
    assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL)
    assert await _serious_violations(tab) == []
    await _sign_in(tab, "/apply/", "chen@phone.example.cn")
    await tab.page.click("#calls a:has-text('填写申报')")
    for path in ("/apply/", tab.page.url.removeprefix(tab.base)):
        await tab.page.goto(tab.base + path)
        assert await tab.page.evaluate(NO_HORIZONTAL_SCROLL), path
        assert await _serious_violations(tab) == [], path

    group = await visit(PHONE)
    await _sign_in(group, "/admin/calls/", "pg@phone.example.cn")
    assert await group.page.evaluate(NO_HORIZONTAL_SCROLL)
    assert await _serious_violations(group) == []
    await group.page.click(f"#calls a:has-text('{CALL}')")
    assert await group.page.evaluate(NO_HORIZONTAL_SCROLL)
    assert await _serious_violations(group) == []
    assert tab.errors == [] and group.errors == []
