"""The expert's workspace over HTTP (`/expert/`): who may open it, one queue of the semi-annual
reports waiting across every assigned community (Art. 18(4)), the review form (a blank comment
refused beside its field with nothing changed; a review takes the report off the queue), and
an assigned community's standing, with another community's data never shown."""

import pytest
from sqlalchemy import select

from schema.core.ids import decode_as
from server.reports.models import Report
from tests.factories import make_user
from tests.web.guided import Guided, expert_grants, seed
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def guided(runtime) -> Guided:
    return await seed(runtime)


async def _as(client, runtime, email, *grants):
    user, token = await make_user(runtime, email, *grants, display_name="赵专家")
    client.cookies.set("gx_session", token)
    return user


async def _report(runtime, global_id: str) -> Report:
    community_id, report_id = decode_as(global_id, "Report", 2)
    async with runtime.database.transaction(community_id) as session:
        report = await session.scalar(
            select(Report).where(Report.community_id == community_id, Report.id == report_id)
        )
        assert report is not None
        return report


def _queue(html: str) -> str:
    """The waiting reports' section of the queue page."""
    return html.split('id="waiting"')[1].split('id="communities"')[0]


@pytest.mark.parametrize(
    "path", ["/expert/", "/expert/communities/yrd-county-elderly/", "/expert/reports/x/"]
)
async def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(client, guided, path):
    answer = await client.get(path)

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path}"


@pytest.mark.parametrize(
    "who",
    ["project group", "leader", "member unit staff", "assigned without the EXPERT role"],
)
async def test_somebody_who_is_no_expert_gets_the_403_page(client, runtime, guided, who):
    grants = {
        "project group": [("PROJECT_GROUP", None)],
        "leader": [("LEADER", guided.yrd.id)],
        "member unit staff": [("MEMBER", guided.yrd.id)],
        "assigned without the EXPERT role": [("EXPERT_ASSIGNED", guided.yrd.id)],
    }[who]
    await _as(client, runtime, "someone@example.cn", *grants)

    pages = [
        await client.get(path)
        for path in (
            "/expert/",
            "/expert/communities/yrd-county-elderly/",
            f"/expert/reports/{guided.yrd_half}/",
        )
    ]

    assert [p.status_code for p in pages] == [403, 403, 403]
    assert "您没有查看该页面的权限" in pages[0].text
    assert all("长三角2026年上半年工作报告" not in p.text for p in pages)


async def test_one_queue_holds_every_assigned_communitys_waiting_reports_oldest_first(
    client, runtime, guided
):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))

    page = await client.get("/expert/")

    assert page.status_code == 200
    queue = _queue(page.text)
    # Chengyu's (submitted on 1 July) before the YRD's (3 July); the plan is the project
    # group's to review, and the unassigned community's report is not this expert's.
    assert queue.index("成渝2026年上半年工作报告") < queue.index("长三角2026年上半年工作报告")
    assert "共 2 份" in queue
    assert "2026年7月1日" in queue and "2026年7月3日" in queue
    assert "应报送日期" in queue and "2026年7月5日" in queue
    assert "成渝社区治理共同体" in queue and "长三角县域老年教育共同体" in queue
    assert "长三角2027年工作计划" not in page.text
    assert "京津冀" not in page.text
    communities = page.text.split('id="communities"')[1]
    assert "共 2 个" in communities
    yrd_row = communities.split("长三角县域老年教育共同体")[1].split("</tr>")[0]
    assert "4 家" in yrd_row and "不合规" in yrd_row and "严重 1" in yrd_row and "1 项" in yrd_row
    chengyu_row = communities.split("成渝社区治理共同体")[1].split("</tr>")[0]
    assert "合规" in chengyu_row and "不合规" not in chengyu_row and "0 项" in chengyu_row


async def test_an_expert_assigned_nowhere_is_told_what_happens_next(client, runtime, guided):
    await _as(client, runtime, "new-expert@example.cn", ("EXPERT", None))

    page = await client.get("/expert/")

    assert page.status_code == 200
    assert "项目组尚未指派您指导任何共同体" in page.text
    assert "长三角" not in page.text


async def test_the_report_page_shows_the_report_and_its_review_form(client, runtime, guided):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))

    page = await client.get(f"/expert/reports/{guided.yrd_half}/")

    assert page.status_code == 200
    assert "<h1>长三角2026年上半年工作报告</h1>" in page.text
    assert "上半年开展市民学习活动两次。\n下半年计划举办学习周。" in page.text
    assert "长三角县域老年教育共同体" in page.text
    assert "2026年上半年" in page.text
    assert "尚无审阅意见" in page.text
    assert 'name="comment"' in page.text and 'name="csrf_token"' in page.text


async def test_a_blank_comment_is_refused_beside_its_field_and_nothing_changes(
    client, runtime, guided
):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))
    csrf = csrf_of((await client.get(f"/expert/reports/{guided.yrd_half}/")).text)

    answer = await client.post(
        f"/expert/reports/{guided.yrd_half}/", data={"csrf_token": csrf, "comment": "   "}
    )

    assert answer.status_code == 400
    assert '<p class="field-error" id="comment-error">请填写审阅意见</p>' in answer.text
    assert '<a href="#comment">请填写审阅意见</a>' in answer.text
    report = await _report(runtime, guided.yrd_half)
    assert report.review_comment is None and report.reviewed_at is None
    assert "长三角2026年上半年工作报告" in _queue((await client.get("/expert/")).text)


async def test_a_review_is_kept_and_the_report_leaves_the_queue(client, runtime, guided):
    expert = await _as(client, runtime, "expert@example.cn", *expert_grants(guided))
    csrf = csrf_of((await client.get(f"/expert/reports/{guided.yrd_half}/")).text)

    answer = await client.post(
        f"/expert/reports/{guided.yrd_half}/",
        data={"csrf_token": csrf, "comment": "  建议下半年增加市民学习活动。  "},
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/expert/?done=reviewed"
    report = await _report(runtime, guided.yrd_half)
    assert report.review_comment == "建议下半年增加市民学习活动。"
    assert report.reviewed_by == expert.id
    queue = await client.get(answer.headers["location"])
    assert "审阅意见已提交，该报告已移出待审阅列表。" in queue.text
    assert "长三角2026年上半年工作报告" not in _queue(queue.text)
    assert "成渝2026年上半年工作报告" in _queue(queue.text)
    assert "共 1 份" in _queue(queue.text)
    shown = await client.get(f"/expert/reports/{guided.yrd_half}/")
    assert "建议下半年增加市民学习活动。" in shown.text and "尚无审阅意见" not in shown.text


async def test_replacing_a_review_needs_the_experts_confirmation(client, runtime, guided):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))
    path = f"/expert/reports/{guided.yrd_half}/"
    csrf = csrf_of((await client.get(path)).text)
    await client.post(path, data={"csrf_token": csrf, "comment": "第一次意见"})
    assert 'name="reviewed"' in (await client.get(path)).text

    unconfirmed = await client.post(
        path, data={"csrf_token": csrf, "comment": "第二次意见", "reviewed": "1"}
    )
    assert unconfirmed.status_code == 400
    assert 'id="confirm-error"' in unconfirmed.text
    assert "第二次意见" in unconfirmed.text  # what the expert wrote is kept in the form
    assert (await _report(runtime, guided.yrd_half)).review_comment == "第一次意见"

    confirmed = await client.post(
        path, data={"csrf_token": csrf, "comment": "第二次意见", "reviewed": "1", "confirm": "1"}
    )
    assert confirmed.status_code == 303
    assert (await _report(runtime, guided.yrd_half)).review_comment == "第二次意见"


async def test_a_report_the_experts_do_not_review_is_shown_without_a_form(client, runtime, guided):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))

    page = await client.get(f"/expert/reports/{guided.yrd_plan}/")

    assert page.status_code == 200
    assert "长三角2027年工作计划" in page.text
    assert 'name="comment"' not in page.text
    assert "由项目组审阅" in page.text


async def test_an_unassigned_communitys_report_is_closed_and_cannot_be_reviewed(
    client, runtime, guided
):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))
    csrf = csrf_of((await client.get("/expert/")).text)
    path = f"/expert/reports/{guided.other_half}/"

    page = await client.get(path)
    posted = await client.post(path, data={"csrf_token": csrf, "comment": "越权意见"})

    assert page.status_code == 403 and posted.status_code == 403
    assert "京津冀" not in page.text and "京津冀" not in posted.text
    assert (await _report(runtime, guided.other_half)).review_comment is None


async def test_an_unknown_report_is_the_404_page(client, runtime, guided):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))

    answers = [await client.get(f"/expert/reports/{r}/") for r in ("nonsense", "UmVwb3J0Ojk5OTk")]

    assert [a.status_code for a in answers] == [404, 404]


async def test_a_review_needs_the_browsers_csrf_token(client, runtime, guided):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))
    await client.get("/expert/")

    answer = await client.post(
        f"/expert/reports/{guided.yrd_half}/", data={"csrf_token": "forged", "comment": "意见"}
    )

    assert answer.status_code == 403
    assert (await _report(runtime, guided.yrd_half)).review_comment is None


async def test_an_assigned_communitys_standing(client, runtime, guided):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))

    page = await client.get("/expert/communities/yrd-county-elderly/")

    assert page.status_code == 200
    text = page.text
    assert "<h1>长三角县域老年教育共同体</h1>" in text
    findings = text.split('id="findings"')[1].split('id="reports"')[0]
    assert "第16条第3项" in findings and "每年至少开展两次市民学习活动" in findings
    assert "2026年只开展了一次市民学习活动" in findings
    assert "整改建议：" in findings and "安排并登记市民学习活动" in findings
    reports = text.split('id="reports"')[1].split('id="activities"')[0]
    assert "长三角2026年上半年工作报告" in reports and "长三角2027年工作计划" in reports
    assert "县域老年教育研讨会" in text.split('id="activities"')[1]
    members = text.split('id="members"')[1]
    assert "共 4 家" in members and members.count('data-label="单位"') == 4
    assert "组长单位" in members
    assert "京津冀" not in text and "没有召开研讨会" not in text
    assert "<form" not in text.split("<main")[1].split("</main>")[0]  # read-only


@pytest.mark.parametrize("slug", ["jingjinji-reading"])
async def test_an_unassigned_community_is_the_403_page_without_its_data(
    client, runtime, guided, slug
):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))

    page = await client.get(f"/expert/communities/{slug}/")

    assert page.status_code == 403
    assert "您没有查看该页面的权限" in page.text
    assert "京津冀" not in page.text and "没有召开研讨会" not in page.text


async def test_an_unknown_community_is_the_404_page(client, runtime, guided):
    await _as(client, runtime, "expert@example.cn", *expert_grants(guided))

    assert (await client.get("/expert/communities/nowhere/")).status_code == 404
