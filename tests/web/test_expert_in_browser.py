"""The expert's workspace in Debian's chromium: an expert assigned to two communities signs in
and finds both communities' semi-annual reports (Art. 18(4)) in one queue, oldest first; a
blank comment is refused beside its field; the review is kept and the report leaves the queue;
the page of a community the expert is not assigned to is the 403 page. The workspace fits a
phone and passes axe-core's check."""

import re

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from server.access.policy import PolicyChange
from server.accounts.service import subject
from tests.eventually import eventually
from tests.factories import PASSWORD, make_user
from tests.web.conftest import PHONE
from tests.web.guided import expert_grants, seed

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


async def _expert(runtime, server: str, email: str, grants, last_slug: str) -> None:
    """An expert, once the server's copy of the policy knows every grant (each announced as
    the API announces one; they reach the server's process within its poll)."""
    user, token = await make_user(runtime, email, *grants, display_name="赵专家")
    for role, community_id in grants:
        rule = (
            ("g2", subject(user.id), role)
            if community_id is None
            else ("g", subject(user.id), role, str(community_id))
        )
        await runtime.policy.publish(PolicyChange("add", rule))

    async def opens() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            answer = await client.get(f"/expert/communities/{last_slug}/")
            return answer.status_code == 200

    await eventually(opens, what=f"the server knows {email} guides {last_slug}")


async def _serious_violations(tab) -> list:
    await tab.page.wait_for_load_state("networkidle")
    results = await Axe().run(tab.page)
    assert results.response["passes"], "axe checked nothing"
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def test_an_expert_reviews_reports_of_two_communities_from_one_queue(runtime, server, visit):
    guided = await seed(runtime, prefix="b-")
    await _expert(
        runtime, server, "expert@guide.example.cn", expert_grants(guided), guided.chengyu.slug
    )

    tab = await visit()
    await tab.page.goto(tab.base + "/expert/")
    await tab.page.wait_for_url(re.compile(r".*/login\?next="))
    await tab.page.fill("#email", "expert@guide.example.cn")
    await tab.page.fill("#password", PASSWORD)
    await tab.page.click("main button:has-text('登录')")
    await tab.page.wait_for_url(tab.base + "/expert/")

    rows = tab.page.locator("#waiting tbody tr")
    assert await rows.count() == 2
    assert "成渝2026年上半年工作报告" in await rows.nth(0).inner_text()  # 1 July: first
    assert "成渝社区治理共同体" in await rows.nth(0).inner_text()
    assert "长三角2026年上半年工作报告" in await rows.nth(1).inner_text()
    assert "长三角县域老年教育共同体" in await rows.nth(1).inner_text()
    assert "京津冀" not in await tab.page.inner_text("main")

    await tab.page.click("#waiting >> text=长三角2026年上半年工作报告")
    await tab.page.wait_for_url(re.compile(r".*/expert/reports/[A-Za-z0-9_-]+/$"))
    assert await tab.page.inner_text("h1") == "长三角2026年上半年工作报告"
    assert "下半年计划举办学习周" in await tab.page.inner_text(".report-body")

    # A blank comment: refused beside its field, the summary at the top linking to it.
    await tab.page.fill("#comment", "   ")
    await tab.page.click("button:has-text('提交审阅意见')")
    assert await tab.page.inner_text("#comment-error") == "请填写审阅意见"
    await tab.page.click(".error-summary a[href='#comment']")
    assert await tab.page.evaluate("document.activeElement.id") == "comment"
    assert "尚无审阅意见" in await tab.page.inner_text("#reviews")

    await tab.page.fill("#comment", "上半年工作扎实，建议下半年增加市民学习活动。")
    await tab.page.click("button:has-text('提交审阅意见')")
    await tab.page.wait_for_url(tab.base + "/expert/?done=reviewed")
    assert "该报告已移出待审阅列表" in await tab.page.inner_text(".notice-banner")
    assert await rows.count() == 1
    assert "成渝2026年上半年工作报告" in await rows.nth(0).inner_text()

    await tab.page.click("#communities >> text=长三角县域老年教育共同体")
    await tab.page.wait_for_url(tab.base + f"/expert/communities/{guided.yrd.slug}/")
    assert "已审阅" in await tab.page.inner_text("#reports")
    assert "第16条第3项" in await tab.page.inner_text("#findings")

    refused = await tab.page.goto(tab.base + f"/expert/communities/{guided.other.slug}/")
    assert refused is not None and refused.status == 403
    assert "您没有查看该页面的权限" in await tab.page.inner_text("h1")
    assert "京津冀" not in await tab.page.inner_text("main")

    # The refused review (400) and the closed page (403) are the only failed loads.
    failed = [e for e in tab.errors if e.startswith("Failed to load resource")]
    assert len(failed) == 2 and len(tab.errors) == 2
    assert tab.foreign() == []

    phone = await visit(PHONE)
    await phone.page.goto(phone.base + "/login?next=/expert/")
    await phone.page.fill("#email", "expert@guide.example.cn")
    await phone.page.fill("#password", PASSWORD)
    await phone.page.click("main button:has-text('登录')")
    await phone.page.wait_for_url(phone.base + "/expert/")
    for path in (
        "/expert/",
        f"/expert/reports/{guided.chengyu_half}/",
        f"/expert/communities/{guided.yrd.slug}/",
    ):
        await phone.page.goto(phone.base + path)
        assert await phone.page.evaluate(NO_HORIZONTAL_SCROLL), path
        assert await _serious_violations(phone) == [], path
    assert phone.errors == []
