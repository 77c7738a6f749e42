"""Joint research (Art. 5(4), 16(7), 17(3)) as its users live it: the project group opens the
national topic, community A's leader registers a sub-topic with member units, the project group
approves it, the leader reports its progress and then its conclusion, which closes it. Two
communities, so that every id is also tried from the other one."""

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from schema.core import ids
from server.audit.models import AuditEntry
from tests.factories import bearer, make_community, make_units, make_user
from tests.graphql import error_codes, gql, mutate, refusal

ERRORS = "errors { code field message }"
SUB_TOPIC = "id title leaderName status statusLabel unit { name } memberUnits { name }"
OPEN = f"""
mutation ($input: OpenResearchTopicInput!) {{
  openResearchTopic(input: $input) {{ topic {{ id title year description }} {ERRORS} }}
}}"""
REGISTER = f"""
mutation ($input: RegisterSubTopicInput!) {{
  registerSubTopic(input: $input) {{ subTopic {{ {SUB_TOPIC} }} {ERRORS} }}
}}"""
REVIEW = f"""
mutation ($input: ReviewSubTopicInput!) {{
  reviewSubTopic(input: $input) {{ subTopic {{ {SUB_TOPIC} reviewedAt reviewComment }} {ERRORS} }}
}}"""
REPORT = f"""
mutation ($input: SubmitTopicReportInput!) {{
  submitTopicReport(input: $input) {{ subTopic {{ {SUB_TOPIC} concludedAt }} {ERRORS} }}
}}"""
COMMUNITY_SUB_TOPICS = """
query ($slug: String!, $status: SubTopicStatus) {
  community(slug: $slug) {
    subTopics(status: $status) { totalCount edges { node { title status statusLabel } } }
  }
}"""
PLAN = """
query ($slug: String!) {
  community(slug: $slug) { subTopics { edges { node { title plan } } } }
}"""
REPORTS = """
query ($slug: String!) {
  community(slug: $slug) {
    subTopics { edges { node { reports { edges { node { stage stageLabel body } } } } } }
  }
}"""
TOPICS = """
{ researchTopics { totalCount edges { node { title year
    subTopics { totalCount edges { node { title status community { slug } } } } } } } }"""
NATIONAL_TITLE = "区域协同服务全民终身学习实践研究"


@dataclass
class Research:
    a: str
    b: str
    a_units: list[str]  # A's leader unit and two members
    outsider: str  # a member unit of B's
    leader: dict[str, str]
    deputy: dict[str, str]
    member: dict[str, str]
    other_leader: dict[str, str]
    expert: dict[str, str]
    project_group: dict[str, str]


@pytest.fixture
async def research(runtime) -> Research:
    a, a_units = await make_community(runtime, "yrd-research-a", size=3)
    b, b_units = await make_community(runtime, "yrd-research-b", size=3)
    _, leader = await make_user(runtime, "leader-a@example.cn", ("LEADER", a.id))
    _, deputy = await make_user(runtime, "deputy-a@example.cn", ("DEPUTY", a.id))
    _, member = await make_user(runtime, "member-a@example.cn", ("MEMBER", a.id))
    _, other = await make_user(runtime, "leader-b@example.cn", ("LEADER", b.id))
    _, expert = await make_user(
        runtime, "expert@example.cn", ("EXPERT", None), ("EXPERT_ASSIGNED", a.id)
    )
    _, admin = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    return Research(
        a.slug,
        b.slug,
        [ids.encode("Unit", u.id) for u in a_units],
        ids.encode("Unit", b_units[1].id),
        bearer(leader),
        bearer(deputy),
        bearer(member),
        bearer(other),
        bearer(expert),
        bearer(admin),
    )


async def open_topic(client, r: Research) -> str:
    variables = {"input": {"title": NATIONAL_TITLE, "year": 2026, "description": "总课题"}}
    payload = await mutate(client, OPEN, variables, headers=r.project_group)
    return payload["topic"]["id"]


def registration(r: Research, topic: str, **changes) -> dict:
    return {
        "input": {
            "topicId": topic,
            "communitySlug": r.a,
            "unitId": r.a_units[0],
            "title": "社区老年教育协同服务模式研究",
            "leaderName": "王研究",
            "memberUnitIds": r.a_units[1:],
            "plan": "第一年调研，第二年试点，第三年总结。",
            **changes,
        }
    }


async def approved(client, r: Research) -> str:
    topic = await open_topic(client, r)
    sub_topic = (await mutate(client, REGISTER, registration(r, topic), headers=r.leader))[
        "subTopic"
    ]
    decision = {"input": {"id": sub_topic["id"], "decision": "APPROVE"}}
    await mutate(client, REVIEW, decision, headers=r.project_group)
    return sub_topic["id"]


async def test_a_sub_topic_from_registration_to_conclusion(client, research, runtime):
    r = research
    topic = await open_topic(client, r)

    outside = await refusal(
        client, REGISTER, registration(r, topic, memberUnitIds=[r.outsider]), headers=r.leader
    )
    registered = await mutate(client, REGISTER, registration(r, topic), headers=r.leader)
    sub_topic = registered["subTopic"]
    decided = await mutate(
        client,
        REVIEW,
        {"input": {"id": sub_topic["id"], "decision": "APPROVE", "comment": "同意立项"}},
        headers=r.project_group,
    )
    progress = await mutate(
        client,
        REPORT,
        {"input": {"subTopicId": sub_topic["id"], "stage": "PROGRESS", "body": "完成调研"}},
        headers=r.leader,
    )
    concluded = await mutate(
        client,
        REPORT,
        {"input": {"subTopicId": sub_topic["id"], "stage": "CONCLUSION", "body": "形成报告"}},
        headers=r.deputy,
    )
    after = await refusal(
        client,
        REPORT,
        {"input": {"subTopicId": sub_topic["id"], "stage": "PROGRESS", "body": "补充"}},
        headers=r.leader,
    )
    reports = await gql(client, REPORTS, {"slug": r.a}, headers=r.member)
    async with runtime.database.transaction(all_communities=True) as session:
        actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()

    assert (outside["code"], outside["field"]) == ("NOT_FOUND", "memberUnitIds")
    assert outside["message"] == "该单位不是本共同体的在册成员单位"
    assert (sub_topic["status"], sub_topic["statusLabel"]) == ("PENDING", "待审核")
    assert sub_topic["unit"]["name"] and len(sub_topic["memberUnits"]) == 2
    assert (decided["subTopic"]["status"], decided["subTopic"]["statusLabel"]) == (
        "APPROVED",
        "已立项",
    )
    assert decided["subTopic"]["reviewedAt"] and decided["subTopic"]["reviewComment"] == "同意立项"
    assert progress["subTopic"]["status"] == "APPROVED"
    assert concluded["subTopic"]["status"] == "CONCLUDED"
    assert concluded["subTopic"]["concludedAt"]
    assert (after["code"], after["field"]) == ("INVALID_TRANSITION", "subTopicId")
    assert after["message"] == "该子课题已结题，不再提交报告"
    (node,) = reports["data"]["community"]["subTopics"]["edges"]
    assert [
        (e["node"]["stage"], e["node"]["stageLabel"]) for e in node["node"]["reports"]["edges"]
    ] == [
        ("PROGRESS", "进展报告"),
        ("CONCLUSION", "结题报告"),
    ]
    assert actions == [
        "research_topic.open",
        "sub_topic.register",
        "sub_topic.review",
        "sub_topic.report",
        "sub_topic.report",
    ]


async def test_a_unit_of_another_community_cannot_carry_a_sub_topic(client, research):
    r = research
    topic = await open_topic(client, r)

    refused = await refusal(
        client, REGISTER, registration(r, topic, unitId=r.outsider), headers=r.leader
    )
    listed = await gql(client, COMMUNITY_SUB_TOPICS, {"slug": r.a}, headers=r.leader)

    assert (refused["code"], refused["field"]) == ("NOT_FOUND", "unitId")
    assert listed["data"]["community"]["subTopics"]["totalCount"] == 0


async def test_a_rejection_needs_a_comment_and_only_a_pending_sub_topic_is_reviewed(
    client, research
):
    r = research
    topic = await open_topic(client, r)
    sub_topic = (await mutate(client, REGISTER, registration(r, topic), headers=r.leader))[
        "subTopic"
    ]

    silent = await refusal(
        client, REVIEW, {"input": {"id": sub_topic["id"], "decision": "REJECT"}},
        headers=r.project_group,
    )  # fmt: skip
    rejected = await mutate(
        client,
        REVIEW,
        {"input": {"id": sub_topic["id"], "decision": "REJECT", "comment": "研究计划过于笼统"}},
        headers=r.project_group,
    )
    again = await refusal(
        client, REVIEW, {"input": {"id": sub_topic["id"], "decision": "APPROVE"}},
        headers=r.project_group,
    )  # fmt: skip
    report = await refusal(
        client,
        REPORT,
        {"input": {"subTopicId": sub_topic["id"], "stage": "PROGRESS", "body": "进展"}},
        headers=r.leader,
    )

    assert (silent["code"], silent["field"]) == ("INVALID_INPUT", "comment")
    assert rejected["subTopic"]["status"] == "REJECTED"
    assert (again["code"], again["field"]) == ("INVALID_TRANSITION", "id")
    assert (report["code"], report["field"]) == ("INVALID_TRANSITION", "subTopicId")


async def test_an_id_that_names_no_achievement_cannot_be_linked(client, research):
    r = research
    sub_topic = await approved(client, r)

    refused = await refusal(
        client,
        REPORT,
        {
            "input": {
                "subTopicId": sub_topic,
                "stage": "CONCLUSION",
                "body": "结题",
                "achievementIds": [ids.encode("Achievement", 1)],
            }
        },
        headers=r.leader,
    )
    listed = await gql(client, COMMUNITY_SUB_TOPICS, {"slug": r.a}, headers=r.leader)

    assert (refused["code"], refused["field"]) == ("NOT_FOUND", "achievementIds")
    # Refused: nothing changed, the sub-topic is still under way.
    assert listed["data"]["community"]["subTopics"]["edges"][0]["node"]["status"] == "APPROVED"


@pytest.mark.parametrize("who", ["member", "other_leader", "expert", "anonymous"])
async def test_who_may_not_register_a_sub_topic(client, research, who):
    r = research
    topic = await open_topic(client, r)
    headers = {} if who == "anonymous" else getattr(r, who)

    body = await gql(client, REGISTER, registration(r, topic), headers=headers)

    assert error_codes(body) == ["UNAUTHENTICATED" if who == "anonymous" else "FORBIDDEN"]


@pytest.mark.parametrize("who", ["member", "other_leader", "anonymous"])
async def test_who_may_not_report_on_a_sub_topic(client, research, who):
    r = research
    sub_topic = await approved(client, r)
    headers = {} if who == "anonymous" else getattr(r, who)
    variables = {"input": {"subTopicId": sub_topic, "stage": "PROGRESS", "body": "进展"}}

    body = await gql(client, REPORT, variables, headers=headers)

    assert error_codes(body) == ["UNAUTHENTICATED" if who == "anonymous" else "FORBIDDEN"]


@pytest.mark.parametrize("who", ["leader", "other_leader", "anonymous"])
async def test_only_the_project_group_opens_topics_and_reviews(client, research, who):
    r = research
    topic = await open_topic(client, r)
    sub_topic = (await mutate(client, REGISTER, registration(r, topic), headers=r.leader))[
        "subTopic"
    ]
    headers = {} if who == "anonymous" else getattr(r, who)
    expected = ["UNAUTHENTICATED" if who == "anonymous" else "FORBIDDEN"]

    opened = await gql(
        client, OPEN, {"input": {"title": "另一课题", "year": 2026}}, headers=headers
    )
    reviewed = await gql(
        client, REVIEW, {"input": {"id": sub_topic["id"], "decision": "APPROVE"}}, headers=headers
    )

    assert error_codes(opened) == expected
    assert error_codes(reviewed) == expected


async def test_what_each_reader_sees_of_a_communitys_sub_topics(client, research):
    r = research
    topic = await open_topic(client, r)
    await approved_in(client, r, topic, "已立项的子课题")
    await mutate(client, REGISTER, registration(r, topic, title="待审核的子课题"), headers=r.leader)

    def titles(body: dict) -> list[str]:
        return [e["node"]["title"] for e in body["data"]["community"]["subTopics"]["edges"]]

    seen = {
        who: titles(await gql(client, COMMUNITY_SUB_TOPICS, {"slug": r.a}, headers=headers))
        for who, headers in (
            ("member", r.member),
            ("expert", r.expert),
            ("project_group", r.project_group),
            ("other_leader", r.other_leader),
            ("anonymous", {}),
        )
    }
    public = await gql(client, TOPICS, headers={})
    plan_own = await gql(client, PLAN, {"slug": r.a}, headers=r.expert)
    plan_other = await gql(client, PLAN, {"slug": r.a}, headers=r.other_leader)
    plan_anonymous = await gql(client, PLAN, {"slug": r.a})

    both = ["已立项的子课题", "待审核的子课题"]
    assert seen == {
        "member": both,
        "expert": both,
        "project_group": both,
        "other_leader": ["已立项的子课题"],
        "anonymous": ["已立项的子课题"],
    }
    (national,) = public["data"]["researchTopics"]["edges"]
    assert national["node"]["title"] == NATIONAL_TITLE
    assert [e["node"]["title"] for e in national["node"]["subTopics"]["edges"]] == [
        "已立项的子课题"
    ]
    assert plan_own["data"]["community"]["subTopics"]["edges"][0]["node"]["plan"]
    assert error_codes(plan_other) == ["FORBIDDEN"]
    assert error_codes(plan_anonymous) == ["UNAUTHENTICATED"]


async def approved_in(client, r: Research, topic: str, title: str) -> str:
    registered = await mutate(
        client, REGISTER, registration(r, topic, title=title), headers=r.leader
    )
    sub_topic = registered["subTopic"]["id"]
    decision = {"input": {"id": sub_topic, "decision": "APPROVE"}}
    await mutate(client, REVIEW, decision, headers=r.project_group)
    return sub_topic


async def test_another_communitys_leader_cannot_reach_a_sub_topic_through_its_own_door(
    client, research
):
    r = research
    sub_topic = await approved(client, r)
    variables = {"input": {"subTopicId": sub_topic, "stage": "PROGRESS", "body": "进展"}}

    refused = await refusal(
        client, REPORT, variables, headers={**r.other_leader, "X-Community": r.b}
    )

    assert refused["code"] == "NOT_FOUND"


async def test_the_units_must_be_active_members(client, research, runtime):
    r = research
    topic = await open_topic(client, r)
    (site,) = await make_units(runtime, 1)

    refused = await refusal(
        client,
        REGISTER,
        registration(r, topic, memberUnitIds=[ids.encode("Unit", site.id)]),
        headers=r.deputy,
    )

    assert (refused["code"], refused["field"]) == ("NOT_FOUND", "memberUnitIds")
