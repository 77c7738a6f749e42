"""Evaluation rounds (评审, Art. 17(4)) and the award that follows (6(5)), as their users live
them: the project group opens a round with weighted criteria, community A nominates the
achievement of its approved sub-topic and B one of its own, experts are assigned (those with a
conflict of interest refused), score blind to each other, the round closes into a ranking,
and the award's certificate is printed and verified. Then each refusal at its boundary."""

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from schema.core import ids
from server.audit.models import AuditEntry
from server.clock import today
from server.evaluation.models import EvaluationRound
from server.reports.models import Report
from server.vocabulary import ReportKind
from tests.factories import bearer, make_community, make_user
from tests.graphql import error_codes, gql, mutate, refusal
from tests.schema.research.test_research import OPEN as OPEN_TOPIC
from tests.schema.research.test_research import REGISTER, REVIEW
from tests.state import row_counts
from tests.web.test_recognition_pages import _plain as plain

ERRORS = "errors { code field message }"
ROUND = (
    "id title year kinds closesOn status statusLabel criteria { name weight } "
    "ranking { rank weightedScore spread nomination { id community { slug } "
    "achievement { title } } }"
)
OPEN = f"""
mutation ($input: OpenEvaluationRoundInput!) {{
  openEvaluationRound(input: $input) {{ round {{ {ROUND} }} {ERRORS} }}
}}"""
CLOSE = f"""
mutation ($input: CloseEvaluationRoundInput!) {{
  closeEvaluationRound(input: $input) {{ round {{ {ROUND} }} {ERRORS} }}
}}"""
NOMINATE = f"""
mutation ($input: NominateInput!) {{
  nominate(input: $input) {{ nomination {{ id rank achievement {{ title }} }} {ERRORS} }}
}}"""
ASSIGNMENT = "id status statusLabel expertName comment scores { criterion score }"
ASSIGN = f"""
mutation ($input: AssignReviewerInput!) {{
  assignReviewer(input: $input) {{ assignment {{ {ASSIGNMENT} }} {ERRORS} }}
}}"""
DECLARE = f"""
mutation ($input: DeclareConflictInput!) {{
  declareConflict(input: $input) {{ assignment {{ {ASSIGNMENT} conflictReason }} {ERRORS} }}
}}"""
REVIEW_IT = f"""
mutation ($input: SubmitReviewInput!) {{
  submitReview(input: $input) {{ assignment {{ {ASSIGNMENT} }} {ERRORS} }}
}}"""
SUBMIT_ACHIEVEMENT = f"""
mutation ($input: SubmitAchievementInput!) {{
  submitAchievement(input: $input) {{ achievement {{ id title }} {ERRORS} }}
}}"""
GRANT = f"""
mutation ($input: GrantRecognitionInput!) {{
  grantRecognition(input: $input) {{
    recognition {{ number holderName prize kindLabel certificateUrl }} {ERRORS}
  }}
}}"""
NOMINATION = """
query ($id: ID!) {
  node(id: $id) { ... on Nomination {
    achievement { title }
    assignments { status expertName comment scores { criterion score } }
  } }
}"""
QUEUE = """
{ reviewQueue { totalCount edges { node {
    kind kindLabel waitingSince community { slug }
    report { title } assignment { id nomination { achievement { title } } }
} } } }"""
ROUNDS = "{ evaluationRounds { totalCount edges { node { title status kinds } } } }"

# A round scores on 1-10 criteria weighted 1-100, each scored 0-100.
CRITERIA = [
    {"name": "创新性", "weight": 40},
    {"name": "实效性", "weight": 40},
    {"name": "推广价值", "weight": 20},
]
THIS_YEAR = today().year


def scored(*values: int) -> list[dict]:
    return [{"criterion": c["name"], "score": v} for c, v in zip(CRITERIA, values, strict=True)]


@dataclass
class Evaluation:
    a: str
    b: str
    a_name: str
    a_units: list[str]
    leader: dict[str, str]
    member: dict[str, str]
    b_leader: dict[str, str]
    pg: dict[str, str]
    # Experts: two free of any interest; one on the staff of a member unit of A; one assigned
    # to guide A; and a user who is no expert.
    x: dict[str, str]
    y: dict[str, str]
    insider: dict[str, str]
    guide: dict[str, str]
    x_id: str
    y_id: str
    insider_id: str
    guide_id: str
    clerk_id: str
    a_id: int


@pytest.fixture
async def evaluation(runtime) -> Evaluation:
    a, a_units = await make_community(runtime, "yrd-eval-a", name="长三角老年教育共同体")
    b, _ = await make_community(runtime, "yrd-eval-b")
    _, leader = await make_user(runtime, "leader-a@example.cn", ("LEADER", a.id))
    _, member = await make_user(runtime, "member-a@example.cn", ("MEMBER", a.id))
    _, b_leader = await make_user(runtime, "leader-b@example.cn", ("LEADER", b.id))
    _, pg = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    x, x_token = await make_user(runtime, "x@example.cn", ("EXPERT", None), display_name="许专家")
    y, y_token = await make_user(runtime, "y@example.cn", ("EXPERT", None), display_name="叶专家")
    insider, insider_token = await make_user(
        runtime, "in@example.cn", ("EXPERT", None), unit_id=a_units[1].id
    )
    guide, guide_token = await make_user(
        runtime, "guide@example.cn", ("EXPERT", None), ("EXPERT_ASSIGNED", a.id)
    )
    clerk, _ = await make_user(runtime, "clerk@example.cn")
    return Evaluation(
        a.slug,
        b.slug,
        a.name,
        [ids.encode("Unit", u.id) for u in a_units],
        bearer(leader),
        bearer(member),
        bearer(b_leader),
        bearer(pg),
        bearer(x_token),
        bearer(y_token),
        bearer(insider_token),
        bearer(guide_token),
        ids.encode("User", x.id),
        ids.encode("User", y.id),
        ids.encode("User", insider.id),
        ids.encode("User", guide.id),
        ids.encode("User", clerk.id),
        a.id,
    )


def round_input(**changes) -> dict:
    return {
        "input": {
            "title": f"{THIS_YEAR}年度区域终身学习优秀成果评审",
            "year": THIS_YEAR,
            "kinds": ["CASE", "COURSE_RESOURCE"],
            "closesOn": today().isoformat(),
            "criteria": CRITERIA,
            **changes,
        }
    }


async def open_round(client, e: Evaluation, **changes) -> str:
    return (await mutate(client, OPEN, round_input(**changes), headers=e.pg))["round"]["id"]


async def achievement(client, slug: str, headers, title: str, kind: str = "CASE", **more) -> str:
    variables = {
        "input": {
            "kind": kind,
            "communitySlug": slug,
            "title": title,
            "summary": "在社区学院开展老年人智能技术培训的做法与成效。",
            "authors": ["王老师", "李老师"],
            "visibility": "COMMUNITY",
            **more,
        }
    }
    return (await mutate(client, SUBMIT_ACHIEVEMENT, variables, headers=headers))["achievement"][
        "id"
    ]


async def nominated(client, e: Evaluation, round_id: str, achievement_id: str, headers) -> str:
    variables = {"input": {"roundId": round_id, "achievementId": achievement_id}}
    return (await mutate(client, NOMINATE, variables, headers=headers))["nomination"]["id"]


async def assigned(client, e: Evaluation, nomination: str, expert: str) -> str:
    variables = {"input": {"nominationId": nomination, "expertUserId": expert}}
    return (await mutate(client, ASSIGN, variables, headers=e.pg))["assignment"]["id"]


def review(assignment: str, *values: int, comment: str = "案例扎实，可推广。") -> dict:
    return {"input": {"assignmentId": assignment, "scores": scored(*values), "comment": comment}}


async def test_the_whole_story_from_a_sub_topic_to_a_verified_award(client, evaluation, runtime):
    e = evaluation
    # The national topic and A's approved sub-topic; its achievement.
    topic = (
        await mutate(
            client,
            OPEN_TOPIC,
            {"input": {"title": "区域协同服务全民终身学习实践研究", "year": THIS_YEAR}},
            headers=e.pg,
        )
    )["topic"]["id"]
    registered = {
        "topicId": topic,
        "communitySlug": e.a,
        "title": "老年人智能技术学习支持研究",
        "leaderName": "王研究",
        "plan": "调研、试点、总结。",
    }
    sub_topic = (await mutate(client, REGISTER, {"input": registered}, headers=e.leader))[
        "subTopic"
    ]["id"]
    await mutate(client, REVIEW, {"input": {"id": sub_topic, "decision": "APPROVE"}}, headers=e.pg)
    a_case = await achievement(client, e.a, e.leader, "银龄数字课堂典型案例", subTopicId=sub_topic)
    b_case = await achievement(client, e.b, e.b_leader, "家门口的老年大学")

    round_id = await open_round(client, e)
    a_nomination = await nominated(client, e, round_id, a_case, e.leader)
    b_nomination = await nominated(client, e, round_id, b_case, e.b_leader)

    # An expert on the staff of a member unit of A, or guiding A, may not review A's case.
    for expert, why in ((e.insider_id, "成员单位"), (e.guide_id, "指导专家")):
        refused = await refusal(
            client,
            ASSIGN,
            {"input": {"nominationId": a_nomination, "expertUserId": expert}},
            headers=e.pg,
        )
        assert refused["code"] == "CONFLICT_OF_INTEREST" and refused["field"] == "expertUserId"
        assert why in refused["message"]
    # ... though the one guiding A may review B's.
    await assigned(client, e, b_nomination, e.guide_id)
    x_on_a = await assigned(client, e, a_nomination, e.x_id)
    y_on_a = await assigned(client, e, a_nomination, e.y_id)

    # The assigned expert reads the case although it is kept to community A.
    seen = (await gql(client, NOMINATION, {"id": a_nomination}, headers=e.x))["data"]["node"]
    assert seen["achievement"] == {"title": "银龄数字课堂典型案例"}
    # X: 90, 80, 70 weighted 40/40/20 is 82.0.
    mine = (await mutate(client, REVIEW_IT, review(x_on_a, 90, 80, 70), headers=e.x))["assignment"]
    assert mine["status"] == "SUBMITTED" and mine["statusLabel"] == "已评审"
    assert mine["scores"] == scored(90, 80, 70)
    # Y, not yet submitted, sees X's assignment but neither its scores, comment nor name.
    blind = (await gql(client, NOMINATION, {"id": a_nomination}, headers=e.y))["data"]["node"]
    others = [a for a in blind["assignments"] if a["status"] == "SUBMITTED"]
    assert others == [{"status": "SUBMITTED", "expertName": None, "comment": None, "scores": None}]
    # Y: 70, 60, 100 is 72.0; once submitted, X's scores show to Y.
    await mutate(client, REVIEW_IT, review(y_on_a, 70, 60, 100), headers=e.y)
    after = (await gql(client, NOMINATION, {"id": a_nomination}, headers=e.y))["data"]["node"]
    assert scored(90, 80, 70) in [a["scores"] for a in after["assignments"]]
    # B's case, one review: 80 on each is 80.0.
    guide_on_b = (await gql(client, QUEUE, headers=e.guide))["data"]["reviewQueue"]["edges"][0][
        "node"
    ]["assignment"]["id"]
    await mutate(client, REVIEW_IT, review(guide_on_b, 80, 80, 80), headers=e.guide)

    closed = (await mutate(client, CLOSE, {"input": {"roundId": round_id}}, headers=e.pg))["round"]
    assert closed["status"] == "CLOSED" and closed["statusLabel"] == "已结束"
    assert [
        (r["rank"], r["weightedScore"], r["spread"], r["nomination"]["community"]["slug"])
        for r in closed["ranking"]
    ] == [(1, 80.0, 0.0, e.b), (2, 77.0, 10.0, e.a)]
    # A's leader sees A's place, not B's.
    own = (
        await gql(
            client,
            f"query ($id: ID!) {{ node(id: $id) {{ ... on EvaluationRound {{ {ROUND} }} }} }}",
            {"id": round_id},
            headers=e.leader,
        )
    )["data"]["node"]["ranking"]
    assert [(r["rank"], r["nomination"]["id"]) for r in own] == [(2, a_nomination)]

    # The award, its certificate and its public verification.
    award = (
        await mutate(
            client,
            GRANT,
            {
                "input": {
                    "kind": "ACHIEVEMENT_AWARD",
                    "year": THIS_YEAR,
                    "achievementId": a_case,
                    "prize": "SECOND",
                }
            },
            headers=e.pg,
        )
    )["recognition"]
    assert award["holderName"] == f"{e.a_name}《银龄数字课堂典型案例》"
    assert award["kindLabel"] == "成果奖" and award["prize"] == "SECOND"
    # A's leader prints it, signed in on the web.
    client.cookies.set("gx_session", e.leader["Authorization"].removeprefix("Bearer "))
    printed = await client.get(award["certificateUrl"])
    client.cookies.clear()
    assert printed.status_code == 200
    assert printed.headers["content-type"] == "application/pdf"
    text = plain(printed.content)
    assert "银龄数字课堂典型案例" in text and "二等奖" in text and award["number"] in text
    verified = await client.get(f"/verify/{award['number']}")
    assert verified.status_code == 200
    assert "银龄数字课堂典型案例" in verified.text and "二等奖" in verified.text

    async with runtime.database.transaction(all_communities=True) as session:
        actions = set((await session.scalars(select(AuditEntry.action))).all())
    assert {
        "evaluation_round.open",
        "nomination.create",
        "review_assignment.create",
        "review_assignment.submit",
        "evaluation_round.close",
        "recognition.grant",
    } <= actions


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"criteria": []}, "criteria"),
        ({"criteria": [{"name": f"指标{i}", "weight": 10} for i in range(11)]}, "criteria"),
        ({"criteria": [{"name": "创新性", "weight": 0}]}, "criteria"),
        ({"criteria": [{"name": "创新性", "weight": 101}]}, "criteria"),
        (
            {"criteria": [{"name": "创新性", "weight": 50}, {"name": " 创新性", "weight": 50}]},
            "criteria",
        ),
        ({"criteria": [{"name": "  ", "weight": 50}]}, "criteria"),
        ({"kinds": []}, "kinds"),
        ({"title": "  "}, "title"),
        ({"closesOn": (today() - dt.timedelta(days=1)).isoformat()}, "closesOn"),
    ],
)
async def test_a_round_out_of_bounds_is_refused_and_nothing_is_written(
    client, evaluation, owner, changes, field
):
    before = await row_counts(owner)
    refused = await refusal(client, OPEN, round_input(**changes), headers=evaluation.pg)
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", field)
    assert await row_counts(owner) == before


async def test_ten_criteria_weighted_one_and_a_hundred_are_taken(client, evaluation):
    criteria = [{"name": f"指标{i}", "weight": 1} for i in range(9)] + [
        {"name": "总体", "weight": 100}
    ]
    opened = (await mutate(client, OPEN, round_input(criteria=criteria), headers=evaluation.pg))[
        "round"
    ]
    assert len(opened["criteria"]) == 10 and opened["status"] == "OPEN"
    listed = (await gql(client, ROUNDS))["data"]["evaluationRounds"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"]["kinds"] == ["CASE", "COURSE_RESOURCE"]


async def test_nominations_at_their_boundaries(client, evaluation, runtime, owner):
    e = evaluation
    round_id = await open_round(client, e)
    case = await achievement(client, e.a, e.leader, "社区学习共同体建设案例")
    paper = await achievement(client, e.a, e.leader, "老年教育论文", kind="PAPER")
    b_case = await achievement(client, e.b, e.b_leader, "B的案例")

    def nominate(achievement_id: str) -> dict:
        return {"input": {"roundId": round_id, "achievementId": achievement_id}}

    before = await row_counts(owner)
    wrong_kind = await refusal(client, NOMINATE, nominate(paper), headers=e.leader)
    assert (wrong_kind["code"], wrong_kind["field"]) == ("INVALID_INPUT", "achievementId")
    assert "科研论文" in wrong_kind["message"]
    # A member may not nominate, nor B's leader nominate A's case, nor A's leader B's.
    for headers, which in ((e.member, case), (e.b_leader, case), (e.leader, b_case)):
        body = await gql(client, NOMINATE, nominate(which), headers=headers)
        assert error_codes(body) == ["FORBIDDEN"]
    assert await row_counts(owner) == before

    # Nominations are taken up to and including the closing day (today).
    await nominated(client, e, round_id, case, e.leader)
    twice = await refusal(client, NOMINATE, nominate(case), headers=e.leader)
    assert (twice["code"], twice["field"]) == ("DUPLICATE", "achievementId")
    (_, (round_key,)) = ids.decode(round_id)
    async with runtime.database.transaction() as session:
        await session.execute(
            update(EvaluationRound)
            .where(EvaluationRound.id == round_key)
            .values(closes_on=today() - dt.timedelta(days=1))
        )
    late = await refusal(
        client,
        NOMINATE,
        nominate(await achievement(client, e.a, e.leader, "迟到的案例")),
        headers=e.leader,
    )
    assert (late["code"], late["field"]) == ("INVALID_TRANSITION", "roundId")
    assert "截止" in late["message"]
    unknown = await refusal(
        client,
        NOMINATE,
        {"input": {"roundId": ids.encode("EvaluationRound", 999999), "achievementId": case}},
        headers=e.leader,
    )
    assert (unknown["code"], unknown["field"]) == ("NOT_FOUND", "roundId")


async def test_reviews_at_their_boundaries(client, evaluation, owner):
    e = evaluation
    round_id = await open_round(client, e)
    nomination = await nominated(
        client, e, round_id, await achievement(client, e.a, e.leader, "案例一"), e.leader
    )
    x_on = await assigned(client, e, nomination, e.x_id)
    y_on = await assigned(client, e, nomination, e.y_id)

    again = await refusal(
        client,
        ASSIGN,
        {"input": {"nominationId": nomination, "expertUserId": e.x_id}},
        headers=e.pg,
    )
    assert (again["code"], again["field"]) == ("DUPLICATE", "expertUserId")
    clerk = await refusal(
        client,
        ASSIGN,
        {"input": {"nominationId": nomination, "expertUserId": e.clerk_id}},
        headers=e.pg,
    )
    assert (clerk["code"], clerk["field"]) == ("INVALID_INPUT", "expertUserId")

    before = await row_counts(owner)
    missing = {"input": {"assignmentId": x_on, "scores": scored(90, 80, 70)[:2], "comment": "好"}}
    unknown = {
        "input": {
            "assignmentId": x_on,
            "scores": [*scored(90, 80, 70), {"criterion": "文采", "score": 60}],
            "comment": "好",
        }
    }
    for variables, words in (
        (missing, "推广价值"),
        (unknown, "文采"),
        (review(x_on, 101, 80, 70), "0 至 100"),
        (review(x_on, -1, 80, 70), "0 至 100"),
    ):
        refused = await refusal(client, REVIEW_IT, variables, headers=e.x)
        assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "scores")
        assert words in refused["message"]
    blank = await refusal(client, REVIEW_IT, review(x_on, 100, 0, 50, comment=" "), headers=e.x)
    assert (blank["code"], blank["field"]) == ("INVALID_INPUT", "comment")
    # Y cannot touch X's assignment: to Y it does not exist.
    theirs = await refusal(client, REVIEW_IT, review(x_on, 90, 80, 70), headers=e.y)
    assert (theirs["code"], theirs["field"]) == ("NOT_FOUND", "assignmentId")
    assert await row_counts(owner) == before
    # 0 and 100 are scores; a second submission replaces the first.
    await mutate(client, REVIEW_IT, review(x_on, 100, 0, 50), headers=e.x)
    replaced = await mutate(client, REVIEW_IT, review(x_on, 60, 60, 60), headers=e.x)
    assert replaced["assignment"]["scores"] == scored(60, 60, 60)

    # Y declares a conflict: it cannot then review, nor be assigned again.
    declared = await mutate(
        client,
        DECLARE,
        {"input": {"assignmentId": y_on, "reason": "曾参与该案例的指导"}},
        headers=e.y,
    )
    assert declared["assignment"]["status"] == "CONFLICT_DECLARED"
    assert declared["assignment"]["conflictReason"] == "曾参与该案例的指导"
    after = await refusal(client, REVIEW_IT, review(y_on, 60, 60, 60), headers=e.y)
    assert after["code"] == "INVALID_TRANSITION"
    reassigned = await refusal(
        client,
        ASSIGN,
        {"input": {"nominationId": nomination, "expertUserId": e.y_id}},
        headers=e.pg,
    )
    assert reassigned["code"] == "CONFLICT_OF_INTEREST"
    # X has submitted: declaring a conflict now is too late.
    late = await refusal(
        client, DECLARE, {"input": {"assignmentId": x_on, "reason": "利益相关"}}, headers=e.x
    )
    assert late["code"] == "INVALID_TRANSITION"

    # Once closed, nothing more is scored and the round does not close twice.
    closed = await mutate(client, CLOSE, {"input": {"roundId": round_id}}, headers=e.pg)
    assert [r["weightedScore"] for r in closed["round"]["ranking"]] == [60.0]
    shut = await refusal(client, REVIEW_IT, review(x_on, 90, 90, 90), headers=e.x)
    assert (shut["code"], shut["field"]) == ("INVALID_TRANSITION", "assignmentId")
    twice = await refusal(client, CLOSE, {"input": {"roundId": round_id}}, headers=e.pg)
    assert twice["code"] == "INVALID_TRANSITION"


async def test_an_award_needs_an_achievement_scored_in_a_closed_round_of_its_year(
    client, evaluation
):
    e = evaluation
    case = await achievement(client, e.a, e.leader, "未参评的案例")
    variables = {
        "input": {
            "kind": "ACHIEVEMENT_AWARD",
            "year": THIS_YEAR,
            "achievementId": case,
            "prize": "FIRST",
        }
    }
    refused = await refusal(client, GRANT, variables, headers=e.pg)
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "achievementId")
    round_id = await open_round(client, e)
    nomination = await nominated(client, e, round_id, case, e.leader)
    assignment = await assigned(client, e, nomination, e.x_id)
    await mutate(client, REVIEW_IT, review(assignment, 70, 70, 70), headers=e.x)
    # Scored, but the round is still open.
    assert (await refusal(client, GRANT, variables, headers=e.pg))["field"] == "achievementId"
    await mutate(client, CLOSE, {"input": {"roundId": round_id}}, headers=e.pg)
    granted = await mutate(client, GRANT, variables, headers=e.pg)
    assert granted["recognition"]["prize"] == "FIRST"
    last_year = {"input": {**variables["input"], "year": THIS_YEAR - 1}}
    assert (await refusal(client, GRANT, last_year, headers=e.pg))["field"] == "achievementId"


async def test_an_experts_one_queue_holds_its_reports_and_its_achievements(
    client, evaluation, runtime
):
    e = evaluation
    # A semi-annual report of A, which the guiding expert reviews (Art. 18(4)).
    async with runtime.database.transaction(e.a_id) as session:
        session.add(
            Report(
                community_id=e.a_id,
                kind=ReportKind.SEMI_ANNUAL,
                year=THIS_YEAR,
                half=1,
                title="上半年发展概况",
                body="开展活动三次。",
                due_on=dt.date(THIS_YEAR, 7, 15),
                submitted_on=dt.date(THIS_YEAR, 7, 1),
                late=False,
            )
        )
    round_id = await open_round(client, e)
    b_case = await achievement(
        client,
        e.b,
        e.b_leader,
        "B的课程资源",
        kind="COURSE_RESOURCE",
        subject="智能手机应用",
        audience="老年学习者",
        format="视频",
    )
    assignment = await assigned(
        client, e, await nominated(client, e, round_id, b_case, e.b_leader), e.guide_id
    )

    queue = (await gql(client, QUEUE, headers=e.guide))["data"]["reviewQueue"]
    assert queue["totalCount"] == 2
    report, achieved = (edge["node"] for edge in queue["edges"])
    assert (report["kind"], report["report"], report["community"]) == (
        "REPORT",
        {"title": "上半年发展概况"},
        {"slug": e.a},
    )
    assert achieved["kind"] == "ACHIEVEMENT" and achieved["kindLabel"] == "成果评审"
    assert achieved["assignment"]["id"] == assignment
    assert achieved["assignment"]["nomination"]["achievement"] == {"title": "B的课程资源"}
    assert achieved["waitingSince"] == today().isoformat()
    # A second page after the first item holds the second.
    first = (
        await gql(
            client,
            "{ reviewQueue(first: 1) { pageInfo { endCursor hasNextPage } } }",
            headers=e.guide,
        )
    )["data"]["reviewQueue"]["pageInfo"]
    assert first["hasNextPage"] is True
    rest = await gql(
        client,
        "query ($after: String) { reviewQueue(after: $after) { edges { node { kind } } } }",
        {"after": first["endCursor"]},
        headers=e.guide,
    )
    assert [x["node"]["kind"] for x in rest["data"]["reviewQueue"]["edges"]] == ["ACHIEVEMENT"]

    # Scored, it leaves the queue; another expert's queue never held it.
    await mutate(client, REVIEW_IT, review(assignment, 80, 80, 80), headers=e.guide)
    left = (await gql(client, QUEUE, headers=e.guide))["data"]["reviewQueue"]
    assert [x["node"]["kind"] for x in left["edges"]] == ["REPORT"]
    assert (await gql(client, QUEUE, headers=e.x))["data"]["reviewQueue"]["totalCount"] == 0
    assert error_codes(await gql(client, QUEUE, headers=e.leader)) == ["FORBIDDEN"]


async def test_the_assigned_expert_downloads_the_files_of_what_it_reviews(client, evaluation):
    e = evaluation
    sent = await client.post(
        "/uploads",
        content="银龄数字课堂教学设计".encode(),
        headers={**e.leader, "X-Filename": "design.txt"},
    )
    assert sent.status_code == 201, sent.text
    upload = sent.json()["id"]
    case = await achievement(client, e.a, e.leader, "附件案例", uploadIds=[upload])
    round_id = await open_round(client, e)
    await assigned(client, e, await nominated(client, e, round_id, case, e.leader), e.x_id)

    # The case is kept to A: X reads its file because it reviews it, Y does not.
    mine = await client.get(f"/uploads/{upload}", headers=e.x)
    assert mine.status_code == 200 and mine.text == "银龄数字课堂教学设计"
    assert (await client.get(f"/uploads/{upload}", headers=e.y)).status_code == 404


async def test_a_rounds_nominations_are_every_communitys_for_experts_and_own_for_members(
    client, evaluation
):
    e = evaluation
    round_id = await open_round(client, e)
    a_case = await achievement(client, e.a, e.leader, "A的案例")
    b_case = await achievement(client, e.b, e.b_leader, "B的案例")
    a_nomination = await nominated(client, e, round_id, a_case, e.leader)
    await nominated(client, e, round_id, b_case, e.b_leader)
    assignment = await assigned(client, e, a_nomination, e.x_id)
    await mutate(client, REVIEW_IT, review(assignment, 91, 85, 77), headers=e.x)
    await mutate(client, CLOSE, {"input": {"roundId": round_id}}, headers=e.pg)
    listed = """
    query ($id: ID!) { node(id: $id) { ... on EvaluationRound {
      nominations { totalCount edges { node { rank weightedScore spread community { slug } } } }
    } } }"""

    def places(body: dict) -> list[tuple]:
        edges = body["data"]["node"]["nominations"]["edges"]
        return [
            (n["node"]["community"]["slug"], n["node"]["rank"], n["node"]["weightedScore"])
            for n in edges
        ]

    # 91, 85, 77 weighted 40/40/20 is 85.8; B's case had no review and has no rank.
    everyone = [(e.a, 1, 85.8), (e.b, None, None)]
    assert places(await gql(client, listed, {"id": round_id}, headers=e.pg)) == everyone
    assert places(await gql(client, listed, {"id": round_id}, headers=e.y)) == everyone
    assert places(await gql(client, listed, {"id": round_id}, headers=e.member)) == [(e.a, 1, 85.8)]
    assert places(await gql(client, listed, {"id": round_id})) == []
