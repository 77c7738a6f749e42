"""Evaluation rounds on the web (评审, Art. 17(4)) over HTTP: the project group's
`/admin/evaluation/` (open a round, assign experts with a conflict of interest refused beside
the field, close once confirmed, the ranking and the award), a community's
`/c/{slug}/manage/evaluation/` (nominate, refusals beside the field), and the expert's queue
and scoring form (`/expert/assignments/{id}/`, blind to the other reviewers, 回避 once
confirmed). Each page for its role alone; a refusal changes nothing."""

import re
from dataclasses import dataclass

import pytest

from schema.core import ids
from server.clock import today
from server.demo.load import DEMO_DOMAIN, DEMO_PASSWORD, load_demo
from tests.factories import bearer, make_community, make_user
from tests.graphql import mutate
from tests.state import row_counts
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio

THIS_YEAR = today().year
ROUND_TITLE = f"{THIS_YEAR}年度区域终身学习优秀成果评审"
CASE = "银龄数字课堂典型案例"
COURSE = "社区书法入门课程"
PAPER = "老年教育研究论文"
SUBMIT_ACHIEVEMENT = """
mutation ($input: SubmitAchievementInput!) {
  submitAchievement(input: $input) { achievement { id } errors { code field message } }
}"""


@dataclass
class Story:
    a: str
    b: str
    leader: str
    member: str
    b_leader: str
    pg: str
    x: str
    y: str
    insider: str
    x_id: str
    y_id: str
    insider_id: str
    case: str
    paper: str


@pytest.fixture
async def story(runtime, client) -> Story:
    a, a_units = await make_community(runtime, "yrd-eval-web", name="长三角老年教育共同体")
    b, _ = await make_community(runtime, "yrd-eval-other", name="成渝社区治理共同体")
    _, leader = await make_user(runtime, "leader-a@example.cn", ("LEADER", a.id))
    _, member = await make_user(runtime, "member-a@example.cn", ("MEMBER", a.id))
    _, b_leader = await make_user(runtime, "leader-b@example.cn", ("LEADER", b.id))
    _, pg = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    x, x_token = await make_user(runtime, "x@example.cn", ("EXPERT", None), display_name="许专家")
    y, y_token = await make_user(runtime, "y@example.cn", ("EXPERT", None), display_name="叶专家")
    insider, insider_token = await make_user(
        runtime, "in@example.cn", ("EXPERT", None), unit_id=a_units[1].id, display_name="单位专家"
    )
    made = {}
    for title, kind in ((CASE, "CASE"), (PAPER, "PAPER")):
        variables = {
            "input": {
                "kind": kind,
                "communitySlug": a.slug,
                "title": title,
                "summary": "在社区学院开展老年人智能技术培训的做法与成效。",
                "authors": ["王老师", "李老师"],
                "visibility": "COMMUNITY",
            }
        }
        done = await mutate(client, SUBMIT_ACHIEVEMENT, variables, headers=bearer(leader))
        made[title] = done["achievement"]["id"]
    return Story(
        a.slug,
        b.slug,
        leader,
        member,
        b_leader,
        pg,
        x_token,
        y_token,
        insider_token,
        ids.encode("User", x.id),
        ids.encode("User", y.id),
        ids.encode("User", insider.id),
        made[CASE],
        made[PAPER],
    )


def _as(client, token: str) -> None:
    client.cookies.set("gx_session", token)


def _beside(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">([^<]+)</p>', html)
    return found.group(1) if found else ""


async def _post(client, page: str, action: str, **fields) -> tuple[int, str, str]:
    form = (await client.get(page)).text
    answer = await client.post(action, data={"csrf_token": csrf_of(form), **fields})
    return answer.status_code, answer.text, answer.headers.get("location", "")


ROUND_FORM = {
    "title": ROUND_TITLE,
    "year": str(THIS_YEAR),
    "closesOn": "2099-12-31",
    "kind-CASE": "on",
    "kind-COURSE_RESOURCE": "on",
    "criterion-1-name": "创新性",
    "criterion-1-weight": "40",
    "criterion-2-name": "实效性",
    "criterion-2-weight": "40",
    "criterion-3-name": "推广价值",
    "criterion-3-weight": "20",
}


async def _open_round(client, s: Story) -> str:
    _as(client, s.pg)
    status, _, location = await _post(
        client, "/admin/evaluation/", "/admin/evaluation/", **ROUND_FORM
    )
    assert status == 303, status
    found = re.fullmatch(r"/admin/evaluation/([^/]+)/\?done=opened", location)
    assert found, location
    return found.group(1)


async def _nominate(client, s: Story, round_id: str, achievement: str) -> tuple[int, str]:
    _as(client, s.leader)
    page = f"/c/{s.a}/manage/evaluation/"
    status, html, _ = await _post(client, page, page, round=round_id, achievement=achievement)
    return status, html


async def _nomination_id(client, s: Story, round_id: str) -> str:
    _as(client, s.pg)
    html = (await client.get(f"/admin/evaluation/{round_id}/")).text
    return re.findall(r'name="nomination" value="([^"]+)"', html)[0]


async def _assign(client, s: Story, round_id: str, nomination: str, expert: str):
    _as(client, s.pg)
    page = f"/admin/evaluation/{round_id}/"
    return await _post(client, page, f"{page}assign", nomination=nomination, expert=expert)


async def _assignment_of(client, token: str) -> str:
    _as(client, token)
    html = (await client.get("/expert/")).text
    return re.findall(r'href="/expert/assignments/([^/]+)/"', html)[0]


async def test_each_page_is_its_roles_alone(client, runtime, story):
    s = story
    round_id = await _open_round(client, s)
    await _nominate(client, s, round_id, s.case)
    nomination = await _nomination_id(client, s, round_id)
    await _assign(client, s, round_id, nomination, s.x_id)
    assignment = await _assignment_of(client, s.x)
    admin_pages = [
        "/admin/evaluation/",
        f"/admin/evaluation/{round_id}/",
        f"/admin/evaluation/{round_id}/close",
    ]
    manage = f"/c/{s.a}/manage/evaluation/"
    expert = f"/expert/assignments/{assignment}/"

    client.cookies.clear()
    for path in [*admin_pages, manage, expert]:
        answer = await client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == f"/login?next={path}"

    _as(client, s.pg)
    assert [(await client.get(p)).status_code for p in [*admin_pages, manage]] == [200] * 4
    for token in (s.leader, s.member, s.x):
        _as(client, token)
        assert [(await client.get(p)).status_code for p in admin_pages] == [403] * 3
    _as(client, s.leader)
    assert (await client.get(manage)).status_code == 200
    for token in (s.member, s.b_leader, s.x):
        _as(client, token)
        refused = await client.get(manage)
        assert refused.status_code == 403 and CASE not in refused.text
    _as(client, s.x)
    page = await client.get(expert)
    assert page.status_code == 200 and CASE in page.text
    # Another expert, the project group and the leader do not open X's scoring form.
    for token in (s.y, s.pg, s.leader):
        _as(client, token)
        assert (await client.get(expert)).status_code in (403, 404)
    _as(client, s.pg)
    assert (await client.get("/admin/evaluation/bm9wZQ==/")).status_code == 404


async def test_the_project_group_opens_a_round_and_a_refusal_is_beside_its_field(
    client, runtime, owner, story
):
    s = story
    _as(client, s.pg)
    before = await row_counts(owner)
    fields = {**ROUND_FORM, "title": " ", "kind-CASE": "", "kind-COURSE_RESOURCE": ""}
    status, html, _ = await _post(client, "/admin/evaluation/", "/admin/evaluation/", **fields)
    assert status == 400
    assert _beside(html, "title") and _beside(html, "kinds")
    assert 'value="创新性"' in html  # what was typed stays
    fields = {**ROUND_FORM, "criterion-4-name": "创新性", "criterion-4-weight": "10"}
    status, html, _ = await _post(client, "/admin/evaluation/", "/admin/evaluation/", **fields)
    assert status == 400 and _beside(html, "criteria")
    assert await row_counts(owner) == before

    round_id = await _open_round(client, s)
    page = (await client.get(f"/admin/evaluation/{round_id}/?done=opened")).text
    assert "评审已发起" in page and ROUND_TITLE in page
    assert "创新性" in page and "推广价值" in page and "典型案例、特色课程资源" in page
    listed = (await client.get("/admin/evaluation/")).text
    assert ROUND_TITLE in listed and f'href="/admin/evaluation/{round_id}/"' in listed


async def test_the_leader_nominates_and_each_refusal_is_beside_the_achievement(
    client, runtime, owner, story
):
    s = story
    round_id = await _open_round(client, s)
    _as(client, s.leader)
    page = (await client.get(f"/c/{s.a}/manage/evaluation/")).text
    assert ROUND_TITLE in page and CASE in page

    before = await row_counts(owner)
    status, html = await _nominate(client, s, round_id, s.paper)  # a kind it does not take
    assert status == 400 and _beside(html, "achievement")
    assert await row_counts(owner) == before

    status, _ = await _nominate(client, s, round_id, s.case)
    assert status == 303
    page = (await client.get(f"/c/{s.a}/manage/evaluation/?done=nominated")).text
    listed = page.split('id="nominations"')[1]
    assert "已推荐参评" in page and CASE in listed and "评审中" in listed

    before = await row_counts(owner)
    status, html = await _nominate(client, s, round_id, s.case)
    assert status == 400 and _beside(html, "achievement")
    assert await row_counts(owner) == before


async def test_an_expert_with_a_conflict_of_interest_is_refused_beside_the_field(
    client, runtime, owner, story
):
    s = story
    round_id = await _open_round(client, s)
    await _nominate(client, s, round_id, s.case)
    nomination = await _nomination_id(client, s, round_id)

    before = await row_counts(owner)
    status, html, _ = await _assign(client, s, round_id, nomination, s.insider_id)
    assert status == 400
    assert "成员单位" in _beside(html, f"expert-{nomination}")
    assert await row_counts(owner) == before

    status, _, location = await _assign(client, s, round_id, nomination, s.x_id)
    assert status == 303 and location.startswith(f"/admin/evaluation/{round_id}/?done=assigned")
    page = (await client.get(location)).text
    assert "许专家" in page.split('id="nominations"')[1] and "待评审" in page


async def test_experts_score_blind_and_a_refused_score_keeps_nothing(client, runtime, owner, story):
    s = story
    round_id = await _open_round(client, s)
    await _nominate(client, s, round_id, s.case)
    nomination = await _nomination_id(client, s, round_id)
    await _assign(client, s, round_id, nomination, s.x_id)
    await _assign(client, s, round_id, nomination, s.y_id)

    _as(client, s.x)
    queue = (await client.get("/expert/")).text
    assert "成果评审" in queue and CASE in queue
    assignment = await _assignment_of(client, s.x)
    page = f"/expert/assignments/{assignment}/"
    html = (await client.get(page)).text
    assert "在社区学院开展老年人智能技术培训的做法与成效。" in html and "王老师、李老师" in html
    assert "创新性" in html and "（权重 40）" in html

    before = await row_counts(owner)
    scores = {"criterion-1": "创新性", "criterion-2": "实效性", "criterion-3": "推广价值"}
    status, html, _ = await _post(
        client,
        page,
        page,
        **scores,
        **{"score-1": "120", "score-2": "80", "score-3": "70"},
        comment="很好",
    )
    assert status == 400 and _beside(html, "scores")
    assert await row_counts(owner) == before
    status, html, _ = await _post(
        client,
        page,
        page,
        **scores,
        **{"score-1": "90", "score-2": "80", "score-3": "70"},
        comment=" ",
    )
    assert status == 400 and _beside(html, "comment") and 'value="90"' in html

    status, _, location = await _post(
        client,
        page,
        page,
        **scores,
        **{"score-1": "90", "score-2": "80", "score-3": "70"},
        comment="案例扎实，可推广。",
    )
    assert status == 303 and location == "/expert/?done=scored"
    assert (
        CASE
        not in (await client.get("/expert/"))
        .text.split('id="waiting"')[1]
        .split('id="communities"')[0]
    )

    # Y sees that another reviewer submitted, but neither its scores nor its name.
    y_assignment = await _assignment_of(client, s.y)
    blind = (await client.get(f"/expert/assignments/{y_assignment}/")).text
    others = blind.split('id="others"')[1].split("</section>")[0]
    assert "已评审" in others and "案例扎实" not in others and "许专家" not in others
    assert "创新性 90" not in others


async def test_an_expert_declares_a_conflict_once_confirmed(client, runtime, owner, story):
    s = story
    round_id = await _open_round(client, s)
    await _nominate(client, s, round_id, s.case)
    nomination = await _nomination_id(client, s, round_id)
    await _assign(client, s, round_id, nomination, s.x_id)
    assignment = await _assignment_of(client, s.x)
    page = f"/expert/assignments/{assignment}/"

    status, html, _ = await _post(client, page, f"{page}conflict", reason="曾指导该案例")
    assert status == 400 and _beside(html, "confirm")
    assert "待评审" in (await client.get(page)).text
    status, html, _ = await _post(client, page, f"{page}conflict", reason=" ", confirm="1")
    assert status == 400 and _beside(html, "reason")

    status, _, location = await _post(
        client, page, f"{page}conflict", reason="曾指导该案例", confirm="1"
    )
    assert status == 303 and location == "/expert/?done=conflict"
    _as(client, s.pg)
    round_page = (await client.get(f"/admin/evaluation/{round_id}/")).text
    assert "已申请回避" in round_page and "曾指导该案例" in round_page


async def test_closing_ranks_and_the_ranked_achievement_gets_its_award(
    client, runtime, owner, story
):
    s = story
    round_id = await _open_round(client, s)
    await _nominate(client, s, round_id, s.case)
    nomination = await _nomination_id(client, s, round_id)
    await _assign(client, s, round_id, nomination, s.x_id)
    await _assign(client, s, round_id, nomination, s.y_id)
    assignment = await _assignment_of(client, s.x)
    page = f"/expert/assignments/{assignment}/"
    scores = {"criterion-1": "创新性", "criterion-2": "实效性", "criterion-3": "推广价值"}
    await _post(
        client,
        page,
        page,
        **scores,
        **{"score-1": "90", "score-2": "80", "score-3": "70"},
        comment="案例扎实，可推广。",
    )

    _as(client, s.pg)
    close = f"/admin/evaluation/{round_id}/close"
    form = (await client.get(close)).text
    assert "还有 <strong>1 份评审未提交</strong>" in form
    status, html, _ = await _post(client, close, close)
    assert status == 400 and _beside(html, "confirm")
    assert "评审中" in (await client.get(f"/admin/evaluation/{round_id}/")).text

    status, _, location = await _post(client, close, close, confirm="1")
    assert status == 303
    ranked = (await client.get(location)).text
    table = ranked.split('id="ranking"')[1].split("</table>")[0]
    assert "第 1 名" in table and CASE in table and "82.00" in table and "0.00" in table
    assert "已结束" in ranked and "指派专家" not in ranked

    award = f"/admin/evaluation/{round_id}/award"
    fields = {"nomination": nomination, "achievement": s.case, "year": str(THIS_YEAR)}
    before = await row_counts(owner)
    status, html, _ = await _post(client, location, award, **fields, prize="")
    assert status == 400 and _beside(html, f"prize-{nomination}")
    status, html, _ = await _post(
        client, location, award, **{**fields, "year": "2001"}, prize="FIRST"
    )
    assert status == 400 and _beside(html, f"prize-{nomination}")
    assert await row_counts(owner) == before

    status, _, location = await _post(client, location, award, **fields, prize="FIRST")
    assert status == 303 and location == "/admin/recognitions/?done=recognised"
    granted = (await client.get(location)).text
    assert f"GX-{THIS_YEAR}-0001" in granted and "成果奖" in granted and "一等奖" in granted
    # The ranking now shows the award where the form was: no second award is offered.
    _as(client, s.pg)
    ranked = (await client.get(f"/admin/evaluation/{round_id}/")).text
    table = ranked.split('id="ranking"')[1].split("</table>")[0]
    assert "已颁发一等奖" in table and f"证书 GX-{THIS_YEAR}-0001" in table
    assert 'name="prize"' not in table

    # The community reads its nomination's rank.
    _as(client, s.leader)
    mine = (await client.get(f"/c/{s.a}/manage/evaluation/")).text.split('id="nominations"')[1]
    assert "第 1 名" in mine and "82.00" in mine


LOGIN = """
mutation ($input: LoginInput!) { login(input: $input) { token errors { code } } }"""


async def test_the_demos_rounds_show_on_every_workspace(client, runtime):
    await load_demo(runtime)

    async def sign_in(email: str) -> None:
        credentials = {"email": f"{email}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD}
        client.cookies.clear()
        done = await mutate(client, LOGIN, {"input": credentials})
        _as(client, done["token"])

    await sign_in("admin")
    listed = (await client.get("/admin/evaluation/")).text
    rounds = re.findall(r'href="/admin/evaluation/([^/"]+)/"', listed)
    assert f"{THIS_YEAR}年度特色课程资源评审" in listed
    assert f"{THIS_YEAR - 1}年度区域终身学习优秀成果评审" in listed
    assert listed.index(str(THIS_YEAR) + "年度") < listed.index(str(THIS_YEAR - 1) + "年度")
    pages = [(await client.get(f"/admin/evaluation/{r}/")).text for r in rounds]
    closed = next(p for p in pages if "已结束" in p)
    assert "第 1 名" in closed.split('id="ranking"')[1]
    current = next(p for p in pages if "评审中" in p)
    assert "待评审" in current and "指派专家" in current

    await sign_in("expert")
    queue = (await client.get("/expert/")).text.split('id="waiting"')[1]
    assert "成果评审" in queue
    assignment = re.findall(r'href="/expert/assignments/([^/]+)/"', queue)[0]
    page = await client.get(f"/expert/assignments/{assignment}/")
    assert page.status_code == 200 and "评审指标" in page.text and "申请回避" in page.text
