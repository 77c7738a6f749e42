"""Reports (Art. 18(4), 18(5), 19(3)): who submits, who reviews, what is due."""

import datetime as dt

import pytest

from schema.core import ids
from server.clock import today
from tests.factories import bearer, make_community, make_user
from tests.graphql import gql, mutate, refusal
from tests.schema.lifecycle.operations import REVIEW_REPORT, SUBMIT_REPORT
from tests.state import row_counts


@pytest.fixture
async def community(runtime):
    row, units = await make_community(
        runtime, "yrd", size=3, cycle_start=today() - dt.timedelta(days=400)
    )
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", row.id))
    return row, units, bearer(token)


def report(kind: str = "ANNUAL_SUMMARY", year: int | None = None, **extra) -> dict:
    return {
        "input": {
            "communitySlug": "yrd",
            "kind": kind,
            "year": year or today().year - 1,
            "title": "年度工作总结",
            "body": "全年开展活动五次。",
            **extra,
        }
    }


async def test_a_period_is_reported_once(client, community, owner):
    _, _, leader = community
    await mutate(client, SUBMIT_REPORT, report(), headers=leader)
    before = await row_counts(owner)

    error = await refusal(client, SUBMIT_REPORT, report(), headers=leader)

    assert error["code"] == "DUPLICATE"
    assert await row_counts(owner) == before


@pytest.mark.parametrize(
    ("kind", "extra", "field"),
    [
        ("SEMI_ANNUAL", {}, "half"),
        ("SEMI_ANNUAL", {"half": 3}, "half"),
        ("PLAN", {"half": 1}, "half"),
        ("MEMBER_ANNUAL", {}, "unitId"),
        ("ANNUAL_SUMMARY", {"title": " "}, "body"),
    ],
    ids=["no-half", "half-3", "plan-with-half", "member-without-unit", "blank"],
)
async def test_a_report_for_no_real_period_is_refused(client, community, owner, kind, extra, field):
    _, _, leader = community
    before = await row_counts(owner)

    error = await refusal(client, SUBMIT_REPORT, report(kind, **extra), headers=leader)

    assert (error["code"], error["field"]) == ("INVALID_INPUT", field)
    assert await row_counts(owner) == before


async def test_a_member_unit_submits_its_own_annual_report_only(client, runtime, community, owner):
    _, units, _ = community
    _, staff = await make_user(runtime, "staff@example.cn", unit_id=units[1].id)
    own = report("MEMBER_ANNUAL", unitId=ids.encode("Unit", units[1].id))
    others = report("MEMBER_ANNUAL", unitId=ids.encode("Unit", units[2].id))

    submitted = await mutate(client, SUBMIT_REPORT, own, headers=bearer(staff))
    assert submitted["report"]["kind"] == "MEMBER_ANNUAL"
    before = await row_counts(owner)
    body = await gql(client, SUBMIT_REPORT, others, headers=bearer(staff))

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await row_counts(owner) == before


async def test_a_report_on_time_is_not_late_and_one_after_is(client, community):
    _, _, leader = community
    year = today().year

    on_time = await mutate(client, SUBMIT_REPORT, report("PLAN", year + 1), headers=leader)
    late = await mutate(client, SUBMIT_REPORT, report("PLAN", year - 1), headers=leader)

    assert (on_time["report"]["dueOn"], on_time["report"]["late"]) == (f"{year + 1}-03-31", False)
    assert (late["report"]["dueOn"], late["report"]["late"]) == (f"{year - 1}-03-31", True)


async def test_semi_annual_reports_go_to_the_assigned_experts(client, runtime, community, owner):
    row, _, leader = community
    _, expert = await make_user(
        runtime, "expert@example.cn", ("EXPERT", None), ("EXPERT_ASSIGNED", row.id)
    )
    _, stranger = await make_user(runtime, "stranger@example.cn", ("EXPERT", None))
    semi = await mutate(client, SUBMIT_REPORT, report("SEMI_ANNUAL", half=1), headers=leader)
    summary = await mutate(client, SUBMIT_REPORT, report(), headers=leader)
    before = await row_counts(owner)

    refusals = [
        await gql(
            client,
            REVIEW_REPORT,
            {"input": {"reportId": report_id, "comment": "意见"}},
            headers=headers,
        )
        for report_id, headers in (
            (semi["report"]["id"], bearer(stranger)),  # not assigned to this community
            (summary["report"]["id"], bearer(expert)),  # the summary is the project group's
            (semi["report"]["id"], leader),  # nobody reviews their own
        )
    ]
    assert [r["errors"][0]["extensions"]["code"] for r in refusals] == ["FORBIDDEN"] * 3
    assert await row_counts(owner) == before

    reviewed = await mutate(
        client,
        REVIEW_REPORT,
        {"input": {"reportId": semi["report"]["id"], "comment": "活动记录翔实"}},
        headers=bearer(expert),
    )
    assert reviewed["report"]["reviewComment"] == "活动记录翔实"
    assert reviewed["report"]["reviewedAt"] is not None


DUE = """
query ($until: Date) { community(slug: "yrd") { reportsDue(until: $until) {
  kind year half dueOn overdue unit { name } } } }"""


async def test_what_is_due_lists_every_report_owed_with_each_members_own(client, community):
    row, units, leader = community
    year = today().year
    until = dt.date(year + 1, 2, 1)  # the last year's annual reports fall due on 31 January

    body = await gql(client, DUE, {"until": until.isoformat()}, headers=leader)

    owed = body["data"]["community"]["reportsDue"]
    annual = [d for d in owed if d["kind"] == "MEMBER_ANNUAL" and d["year"] == year]
    assert sorted(d["unit"]["name"] for d in annual) == sorted(u.name for u in units)
    assert all(d["dueOn"] == f"{year + 1}-01-31" and not d["overdue"] for d in annual)
    assert all(row.cycle_start.isoformat() <= d["dueOn"] <= until.isoformat() for d in owed)
    past = [d for d in owed if d["dueOn"] < today().isoformat()]
    assert past and all(d["overdue"] for d in past)  # nothing was submitted
