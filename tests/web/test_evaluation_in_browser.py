"""An evaluation round (评审, Art. 17(4)) in Debian's chromium, the whole story: the project
group's research topic and a community's approved sub-topic (set up through the API, which has
no page for them), the achievement it produced registered on the community's page, a round
opened, the achievement nominated by the leader, an expert with a conflict of interest refused
beside the field, two experts scoring it blind, the round closed into its ranking, the
achievement award granted and its certificate printed, and anyone verifying it. The pages fit
a 375 px phone and pass axe-core's check."""

import re

import httpx
import pytest

from server.access.policy import PolicyChange
from server.accounts.service import subject
from server.clock import today
from tests.eventually import eventually
from tests.factories import PASSWORD, bearer, make_community, make_user
from tests.graphql import mutate
from tests.schema.research.test_research import OPEN as OPEN_TOPIC
from tests.schema.research.test_research import REGISTER, REVIEW
from tests.web.conftest import PHONE
from tests.web.test_admin_in_browser import _serious_violations

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
COMMUNITY = "长三角社区老年教育共同体"
CASE = "银龄数字课堂：社区老年人智能技术学习典型案例"
SUB_TOPIC = "老年人智能技术学习支持研究"


async def _user(runtime, server: str, email: str, *grants, check: str, **more) -> str:
    """A user the server's process knows, once `check` opens for it."""
    user, token = await make_user(runtime, email, *grants, **more)
    for role, community_id in grants:
        rule = (
            ("g2", subject(user.id), role)
            if community_id is None
            else ("g", subject(user.id), role, str(community_id))
        )
        await runtime.policy.publish(PolicyChange("add", rule))

    async def opens() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            return (await client.get(check)).status_code == 200

    await eventually(opens, what=f"the server knows {email}")
    return token


async def _signed_in(visit, path: str, email: str, viewport=None):
    tab = await (visit(viewport) if viewport else visit())
    await tab.page.goto(tab.base + "/login?next=" + path)
    await tab.page.fill("#email", email)
    await tab.page.fill("#password", PASSWORD)
    await tab.page.click("main button:has-text('登录')")
    await tab.page.wait_for_url(tab.base + path)
    return tab


async def _score(tab, values: tuple[int, int, int], comment: str) -> None:
    await tab.page.click("#waiting >> text=" + CASE)
    await tab.page.wait_for_url(re.compile(r".*/expert/assignments/[^/]+/$"))
    for row, value in enumerate(values, start=1):
        await tab.page.fill(f"#score-{row}", str(value))
    await tab.page.fill("#comment", comment)
    await tab.page.click("button:has-text('提交评审意见')")
    await tab.page.wait_for_url(tab.base + "/expert/?done=scored")


async def test_from_a_sub_topic_to_a_verified_achievement_award(runtime, server, visit):
    year = today().year
    a, a_units = await make_community(runtime, "yrd-eval-journey", name=COMMUNITY)
    manage = f"/c/{a.slug}/manage/evaluation/"
    pg = await _user(
        runtime, server, "pg@eval.example.cn", ("PROJECT_GROUP", None), check="/admin/"
    )
    leader = await _user(runtime, server, "leader@eval.example.cn", ("LEADER", a.id), check=manage)
    for email, name in (("x@eval.example.cn", "许专家"), ("y@eval.example.cn", "叶专家")):
        await _user(runtime, server, email, ("EXPERT", None), check="/expert/", display_name=name)
    await _user(
        runtime,
        server,
        "insider@eval.example.cn",
        ("EXPERT", None),
        check="/expert/",
        display_name="成员单位专家",
        unit_id=a_units[1].id,
    )

    # The national topic and the community's approved sub-topic: no pages, the API.
    async with httpx.AsyncClient(base_url=server) as client:
        topic = {"title": "区域协同服务全民终身学习实践研究", "year": year}
        opened = await mutate(client, OPEN_TOPIC, {"input": topic}, headers=bearer(pg))
        registered = {
            "topicId": opened["topic"]["id"],
            "communitySlug": a.slug,
            "title": SUB_TOPIC,
            "leaderName": "王研究",
            "plan": "调研、试点、总结。",
        }
        sub = await mutate(client, REGISTER, {"input": registered}, headers=bearer(leader))
        decision = {"id": sub["subTopic"]["id"], "decision": "APPROVE"}
        await mutate(client, REVIEW, {"input": decision}, headers=bearer(pg))

    # The leader registers the sub-topic's achievement on the community's page.
    lead = await _signed_in(visit, f"/c/{a.slug}/manage/achievements", "leader@eval.example.cn")
    await lead.page.select_option("#kind", "CASE")
    await lead.page.fill("#title", CASE)
    await lead.page.fill("#summary", "依托社区学院开设智能手机课堂，三年培训老年学员两千余人次。")
    await lead.page.fill("#authors", "王老师、李老师")
    await lead.page.select_option("#sub_topic", label=SUB_TOPIC)
    await lead.page.click("button:has-text('登记成果')")
    await lead.page.wait_for_load_state()
    assert lead.page.url.endswith("?done=submitted"), await lead.page.inner_text("main")

    # The project group opens a round.
    admin = await _signed_in(visit, "/admin/evaluation/", "pg@eval.example.cn")
    await admin.page.fill("#title", f"{year}年度区域终身学习优秀成果评审")
    await admin.page.fill("#closesOn", f"{year + 1}-12-31")
    await admin.page.check("#kind-CASE")
    for row, (name, weight) in enumerate((("创新性", 40), ("实效性", 40), ("推广价值", 20)), 1):
        await admin.page.fill(f"#criterion-{row}-name", name)
        await admin.page.fill(f"#criterion-{row}-weight", str(weight))
    await admin.page.click("button:has-text('发起评审')")
    await admin.page.wait_for_url(re.compile(r".*/admin/evaluation/[^/]+/\?done=opened$"))
    round_page = admin.page.url.split("?")[0]
    assert "评审中" in await admin.page.inner_text(".facts")
    await admin.page.screenshot(path="/tmp/evaluation-round-open.png", full_page=True)

    # The leader nominates the achievement.
    await lead.page.goto(lead.base + manage)
    await lead.page.select_option("#achievement", label=f"{CASE}（典型案例）")
    await lead.page.click("button:has-text('推荐参评')")
    await lead.page.wait_for_url(lead.base + manage + "?done=nominated")
    assert CASE in await lead.page.inner_text("#nominations")

    # An expert working for a member unit of the community is refused beside the field.
    await admin.page.goto(round_page)
    select = admin.page.locator("#nominations select")
    field = await select.get_attribute("id")
    insider = await select.locator("option", has_text="成员单位专家").get_attribute("value")
    await select.select_option(insider)
    await admin.page.click("#nominations button:has-text('指派')")
    error = await admin.page.inner_text(f"#{field}-error")
    assert "成员单位" in error and "回避" in error
    assert await admin.page.get_attribute(f"#{field}", "aria-invalid") == "true"
    await admin.page.screenshot(path="/tmp/evaluation-conflict.png", full_page=True)
    for expert in ("许专家", "叶专家"):
        await admin.page.locator(f"#{field}").select_option(label=expert)
        await admin.page.click("#nominations button:has-text('指派')")
        await admin.page.wait_for_url(re.compile(r".*\?done=assigned#nominations$"))
    assert "许专家" in await admin.page.inner_text("#nominations")
    assert "成员单位专家" not in await admin.page.inner_text("#nominations .assignments")

    # Two experts score it from their queues: 82 and 72, weighted.
    x = await _signed_in(visit, "/expert/", "x@eval.example.cn")
    assert "成果评审" in await x.page.inner_text("#waiting")
    await _score(x, (90, 80, 70), "案例扎实，可复制推广。")
    y = await _signed_in(visit, "/expert/", "y@eval.example.cn")
    await y.page.click("#waiting >> text=" + CASE)
    await y.page.wait_for_url(re.compile(r".*/expert/assignments/[^/]+/$"))
    others = await y.page.inner_text("#others")
    assert "已评审" in others and "许专家" not in others and "案例扎实" not in others
    await y.page.screenshot(path="/tmp/evaluation-expert-form.png", full_page=True)
    assert await _serious_violations(y) == []
    y_assignment = y.page.url.removeprefix(y.base)
    y_phone = await _signed_in(visit, y_assignment, "y@eval.example.cn", PHONE)
    assert await y_phone.page.evaluate(NO_HORIZONTAL_SCROLL)
    assert await _serious_violations(y_phone) == []
    await y_phone.page.screenshot(path="/tmp/evaluation-phone-assignment.png", full_page=True)
    await y.page.goto(y.base + "/expert/")
    await _score(y, (70, 60, 100), "实效明显，推广价值高。")

    # The project group closes the round after confirming, and reads the ranking.
    await admin.page.goto(round_page)
    await admin.page.click("text=结束评审…")
    assert "所有指派的评审均已提交" in await admin.page.inner_text("main")
    await admin.page.check("#confirm")
    await admin.page.click("main button:has-text('结束评审')")
    await admin.page.wait_for_url(re.compile(r".*\?done=closed#ranking$"))
    ranking = await admin.page.inner_text("#ranking table")
    assert "第 1 名" in ranking and CASE in ranking and "77.00" in ranking and "10.00" in ranking
    await admin.page.screenshot(path="/tmp/evaluation-ranking.png", full_page=True)

    # The award, its certificate and its verification.
    await admin.page.locator("#ranking select").select_option("FIRST")
    await admin.page.click("#ranking button:has-text('颁发')")
    await admin.page.wait_for_url(re.compile(r".*/admin/recognitions/\?done=recognised$"))
    number = f"GX-{year}-0001"
    row = await admin.page.inner_text("table")
    assert number in row and "成果奖（一等奖）" in row
    printed = await admin.page.request.get(f"{server}/certificates/{number}.pdf")
    assert printed.ok and (await printed.body())[:5] == b"%PDF-"
    anonymous = await visit()
    await anonymous.page.goto(f"{server}/verify/{number}")
    assert "证书有效" in await anonymous.page.inner_text("main")
    assert "一等奖" in await anonymous.page.inner_text(".facts")

    # The community reads its rank.
    await lead.page.goto(lead.base + manage)
    assert "第 1 名" in await lead.page.inner_text("#nominations")

    for tab in (admin, lead, x, y, anonymous):
        assert tab.foreign() == []
    assert await _serious_violations(admin) == []

    # On a phone.
    for email, paths in (
        ("pg@eval.example.cn", ["/admin/evaluation/", round_page.removeprefix(server)]),
        ("leader@eval.example.cn", [manage]),
        ("x@eval.example.cn", ["/expert/"]),
    ):
        phone = await _signed_in(visit, paths[0], email, PHONE)
        for path in paths:
            await phone.page.goto(phone.base + path)
            assert await phone.page.evaluate(NO_HORIZONTAL_SCROLL), path
            assert await _serious_violations(phone) == [], path
        name = paths[-1].strip("/").replace("/", "-")[:40]
        await phone.page.screenshot(path=f"/tmp/evaluation-phone-{name}.png", full_page=True)
