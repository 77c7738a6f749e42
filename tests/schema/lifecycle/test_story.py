"""The whole story through GraphQL, as the roles live it: a call, applications, review, the
published list with plaques, a community formed, a year of activities with attendance, a
unit absent twice leaves, reports submitted and reviewed, the exit list shows it."""

import datetime as dt
import io

import openpyxl

from schema.core import ids
from server.clock import today
from tests.factories import bearer, make_user
from tests.graphql import gql, mutate
from tests.schema.lifecycle.operations import (
    CREATE_COMMUNITY,
    OPEN_CALL,
    PUBLISH,
    RECORD,
    REVIEW_APPLICATION,
    REVIEW_REPORT,
    SCHEDULE,
    SUBMIT_APPLICATION,
    SUBMIT_REPORT,
    application,
)

REGISTER = """
mutation ($email: String!) {
  register(input: {email: $email, password: "long-enough-pw", displayName: "申报联系人"}) {
    errors { code }
  }
}"""
SIGN_IN = """
mutation ($email: String!) {
  login(input: {email: $email, password: "long-enough-pw"}) { token user { id } errors { code } }
}"""

SITES = [
    ("西湖区社区学院", "330106"),
    ("拱墅区社区学院", "330105"),
    ("上城区社区学院", "330102"),
    ("滨江区社区学院", "330108"),
]

COMMUNITY_PAGE = """
query ($slug: String!) {
  community(slug: $slug) {
    memberCount
    members { edges { node { role status leftReason unit { name } } } }
    activities { totalCount edges { node { title attendedCount absentCount excusedCount
      attendance { status unit { name } } } } }
    reports { edges { node { kind late reviewComment } } }
    reportsDue { kind year half dueOn overdue report { id } }
  }
}"""

EXITS = """
{ exits { totalCount edges { node { scope kind kindLabel reason evidence exitedOn
  unit { name siteStatus } community { slug } } } } }"""


async def test_the_programmes_story_end_to_end(client, runtime):
    now = today()
    _, pg_token = await make_user(runtime, "xiangmuzu@example.cn", ("PROJECT_GROUP", None))
    pg = bearer(pg_token)

    # 1. The project group opens a call; applicants register and apply.
    call = await mutate(
        client,
        OPEN_CALL,
        {
            "input": {
                "title": f"{now.year}年度项目实验点申报",
                "year": now.year,
                "opensOn": (now - dt.timedelta(days=30)).isoformat(),
                "closesOn": (now + dt.timedelta(days=30)).isoformat(),
            }
        },
        headers=pg,
    )
    call_id = call["call"]["id"]
    assert call["call"]["isOpen"] is True

    applicants, applications = [], []
    for i, (name, code) in enumerate([*SITES, ("余杭区社区学院", "330110")]):
        email = f"apply{i}@example.cn"
        assert await mutate(client, REGISTER, {"email": email}) == {"errors": []}
        signed_in = await mutate(client, SIGN_IN, {"email": email})
        token = signed_in["token"]
        applicants.append((signed_in["user"]["id"], bearer(token)))
        submitted = await mutate(
            client,
            SUBMIT_APPLICATION,
            {"input": application(call_id, name, code)},
            headers=bearer(token),
        )
        assert submitted["application"]["status"] == "SUBMITTED"
        assert len(submitted["application"]["conditions"]) == 7
        applications.append(submitted["application"]["id"])

    # 2. Review: four approved, one rejected with its reason.
    for application_id in applications[:4]:
        reviewed = await mutate(
            client,
            REVIEW_APPLICATION,
            {"input": {"applicationId": application_id, "decision": "APPROVE"}},
            headers=pg,
        )
        assert reviewed["application"]["status"] == "APPROVED"
    rejected = await mutate(
        client,
        REVIEW_APPLICATION,
        {
            "input": {
                "applicationId": applications[4],
                "decision": "REJECT",
                "reason": "未落实专项经费",
            }
        },
        headers=pg,
    )
    assert rejected["application"]["reviewReason"] == "未落实专项经费"

    # 3. The published list: four sites, plaques in order; the download shows them.
    published = await mutate(client, PUBLISH, {"input": {"callId": call_id}}, headers=pg)
    sites = published["sites"]
    assert [s["plaqueNumber"] for s in sites] == [f"LLC-{now.year}-{n:04d}" for n in (1, 2, 3, 4)]
    assert {s["siteStatus"] for s in sites} == {"ACTIVE"}
    listing = await gql(client, "{ units(status: ACTIVE) { edges { node { name } } } }")
    assert {e["node"]["name"] for e in listing["data"]["units"]["edges"]} == {n for n, _ in SITES}
    download = await client.get("/exports/sites.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("授牌编号", "单位名称")
    assert [r[0] for r in rows[1:]] == [s["plaqueNumber"] for s in sites]
    assert isinstance(rows[1][5], dt.datetime)  # a real date cell
    assert rows[1][5].date() == now

    # 4. A community forms: leader, deputy, two members, a cycle that began a year ago.
    unit_ids = [s["id"] for s in sites]
    cycle_start = now - dt.timedelta(days=365)
    formed = await mutate(
        client,
        CREATE_COMMUNITY,
        {
            "input": {
                "slug": "hz-learning",
                "name": "杭州学习型城区共同体",
                "region": "YANGTZE_RIVER_DELTA",
                "level": "COUNTY",
                "themes": ["LEARNING_COMMUNITY", "ELDERLY_EDUCATION"],
                "cycleStart": cycle_start.isoformat(),
                "agreementSignedOn": cycle_start.isoformat(),
                "leaderUnitId": unit_ids[0],
                "deputyUnitIds": [unit_ids[1]],
                "memberUnitIds": unit_ids[2:],
            }
        },
        headers=pg,
    )
    assert formed["community"]["memberCount"] == 4
    community_id = ids.decode_as(formed["community"]["id"], "Community")[0]
    leader_user = applicants[0][0]
    await mutate(
        client,
        'mutation ($u: ID!) { grantRole(input: {userId: $u, role: LEADER, communitySlug: "hz-learning"}) { errors { code } } }',
        {"u": leader_user},
        headers=pg,
    )
    leader = applicants[0][1]
    _, expert_token = await make_user(
        runtime, "zhuanjia@example.cn", ("EXPERT", None), ("EXPERT_ASSIGNED", community_id)
    )

    # 5. A year of activities, scheduled and recorded by the leader. 滨江 (the fourth) is
    # absent, excused, absent: the excused one breaks neither count nor chain, so it leaves.
    # 上城 (the third) is absent, attends, is absent: the chain is broken, it stays.
    plan = [
        ("CITIZEN_LEARNING", "市民学习节", 300, {}),
        ("SEMINAR", "共同体年度研讨会", 200, {2: "ABSENT", 3: "ABSENT"}),
        ("TRAINING", "社区教育工作者培训", 100, {3: "EXCUSED"}),
        ("LEARNING_WEEK", "全民终身学习活动周", 10, {2: "ABSENT", 3: "ABSENT"}),
    ]
    exits = []
    for kind, title, days_ago, absences in plan:
        scheduled = await mutate(
            client,
            SCHEDULE,
            {
                "input": {
                    "communitySlug": "hz-learning",
                    "kind": kind,
                    "title": title,
                    "heldOn": (now - dt.timedelta(days=days_ago)).isoformat(),
                }
            },
            headers=leader,
        )
        assert scheduled["activity"]["expectedCount"] == 4
        entries = [
            {"unitId": unit_id, "status": absences.get(i, "ATTENDED")}
            for i, unit_id in enumerate(unit_ids)
        ]
        recorded = await mutate(
            client,
            RECORD,
            {"input": {"activityId": scheduled["activity"]["id"], "entries": entries}},
            headers=leader,
        )
        exits.append((scheduled["activity"]["id"], recorded["exits"]))
    assert [len(e) for _, e in exits] == [0, 0, 0, 1]
    (left,) = exits[3][1]
    assert left["unit"]["name"] == "滨江区社区学院"
    assert left["scope"] == "COMMUNITY" and left["kind"] == "AUTO_EXITED"
    assert left["evidence"] == [exits[1][0], exits[3][0]]  # the two absences

    page = (await gql(client, COMMUNITY_PAGE, {"slug": "hz-learning"}, headers=leader))["data"]
    community = page["community"]
    assert community["memberCount"] == 3
    statuses = {
        m["node"]["unit"]["name"]: m["node"]["status"] for m in community["members"]["edges"]
    }
    assert statuses["滨江区社区学院"] == "AUTO_EXITED"
    assert statuses["上城区社区学院"] == "ACTIVE"
    assert community["activities"]["totalCount"] == 4
    last = community["activities"]["edges"][3]["node"]
    assert (last["attendedCount"], last["absentCount"], last["excusedCount"]) == (2, 2, 0)

    # The unit's contact and the leader are told.
    for headers in (applicants[3][1], leader):
        inbox = await gql(
            client, "{ notifications { edges { node { kind title body } } } }", headers=headers
        )
        (note,) = inbox["data"]["notifications"]["edges"]
        assert note["node"]["kind"] == "exit.auto"
        assert "滨江区社区学院" in note["node"]["title"]
    quiet = await gql(client, "{ notifications { totalCount } }", headers=applicants[2][1])
    assert quiet["data"]["notifications"]["totalCount"] == 0

    # 6. Reports: an overdue semi-annual report is submitted late, an expert comments; next
    # year's plan is on time and the project group comments.
    overdue = [d for d in community["reportsDue"] if d["overdue"] and d["kind"] == "SEMI_ANNUAL"]
    assert overdue, community["reportsDue"]
    owed = overdue[0]
    semi = await mutate(
        client,
        SUBMIT_REPORT,
        {
            "input": {
                "communitySlug": "hz-learning",
                "kind": "SEMI_ANNUAL",
                "year": owed["year"],
                "half": owed["half"],
                "title": "半年发展概况",
                "body": "开展活动四次，出勤情况见附表。",
            }
        },
        headers=leader,
    )
    assert semi["report"]["late"] is True
    assert semi["report"]["dueOn"] == owed["dueOn"]
    plan_report = await mutate(
        client,
        SUBMIT_REPORT,
        {
            "input": {
                "communitySlug": "hz-learning",
                "kind": "PLAN",
                "year": now.year + 1,
                "title": f"{now.year + 1}年工作推进计划",
                "body": "全年计划开展活动六次。",
            }
        },
        headers=leader,
    )
    assert plan_report["report"]["late"] is False
    await mutate(
        client,
        REVIEW_REPORT,
        {"input": {"reportId": semi["report"]["id"], "comment": "请补充成员单位参与情况"}},
        headers=bearer(expert_token),
    )
    await mutate(
        client,
        REVIEW_REPORT,
        {"input": {"reportId": plan_report["report"]["id"], "comment": "同意"}},
        headers=pg,
    )
    page = (await gql(client, COMMUNITY_PAGE, {"slug": "hz-learning"}, headers=leader))["data"]
    reports = page["community"]["reports"]["edges"]
    assert [r["node"]["reviewComment"] for r in reports] == ["请补充成员单位参与情况", "同意"]
    now_due = next(
        d
        for d in page["community"]["reportsDue"]
        if (d["kind"], d["year"], d["half"]) == ("SEMI_ANNUAL", owed["year"], owed["half"])
    )
    assert now_due["overdue"] is False and now_due["report"]["id"] == semi["report"]["id"]

    # 7. The exit list, public, names the unit and its evidence; so does the download.
    listed = (await gql(client, EXITS))["data"]["exits"]
    assert listed["totalCount"] == 1
    entry = listed["edges"][0]["node"]
    assert entry["unit"]["name"] == "滨江区社区学院"
    assert entry["community"]["slug"] == "hz-learning"
    assert entry["kindLabel"] == "视为自动退出"
    assert entry["exitedOn"] == now.isoformat()
    evidence = await gql(
        client,
        "query ($id: ID!) { node(id: $id) { ... on Activity { title heldOn } } }",
        {"id": entry["evidence"][0]},
        headers=leader,
    )
    assert evidence["data"]["node"]["title"] == "共同体年度研讨会"
    sheet = openpyxl.load_workbook(io.BytesIO((await client.get("/exports/exits.xlsx")).content))
    rows = list(sheet.active.values)
    assert rows[0][0] == "单位名称"
    assert rows[1][0] == "滨江区社区学院" and rows[1][3] == "杭州学习型城区共同体"
    assert rows[1][5].date() == now
