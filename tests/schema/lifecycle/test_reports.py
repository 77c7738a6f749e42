"""Reports (Art. 18(4), 18(5), 19(3)): who submits, who reviews, what is due."""

import datetime as dt

import pytest

from schema.core import ids
from server.clock import today
from tests.factories import bearer, make_community, make_user
from tests.graphql import gql, mutate, refusal
from tests.schema.lifecycle.operations import RENEW, REVIEW_REPORT, SUBMIT_REPORT
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


@pytest.mark.parametrize(
    ("kind", "year", "half", "refused_on"),
    [
        ("SEMI_ANNUAL", 2025, 1, "half"),
        ("SEMI_ANNUAL", 2025, 2, None),
        ("SEMI_ANNUAL", 2028, 2, None),
        ("SEMI_ANNUAL", 2029, 1, "year"),
        ("SEMI_ANNUAL", 2030, 1, "year"),
        ("ANNUAL_SUMMARY", 2024, None, "year"),
        ("ANNUAL_SUMMARY", 2028, None, None),
        ("ANNUAL_SUMMARY", 2029, None, "year"),
    ],
    ids=lambda v: str(v),
)
async def test_a_report_speaks_for_a_period_of_the_cycle(
    client, runtime, owner, kind, year, half, refused_on
):
    """A cycle from 1 September 2025 ends on 31 August 2028: a period it covers in part may be
    reported on (the second half of 2025, of 2028), one it does not cover may not."""
    community, _ = await make_community(runtime, "yrd", size=3, cycle_start=dt.date(2025, 9, 1))
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    given = report(kind, year, **({"half": half} if half else {}))
    before = await row_counts(owner)

    body = await gql(client, SUBMIT_REPORT, given, headers=bearer(token))

    (payload,) = body["data"].values()
    if refused_on is None:
        assert payload["errors"] == []
        assert (payload["report"]["kind"], payload["report"]["year"]) == (kind, year)
    else:
        (error,) = payload["errors"]
        assert (error["code"], error["field"]) == ("INVALID_INPUT", refused_on)
        assert "2025-09-01 至 2028-08-31" in error["message"]
        assert await row_counts(owner) == before


async def test_after_a_renewal_the_earlier_cycles_reports_are_still_taken(client, runtime):
    """Renewed 30 days before its end, the community may still send the last reports of the
    cycle that is ending; the year before its first cycle stays outside."""
    now = today()
    first_start = now.replace(year=now.year - 3) + dt.timedelta(days=30)
    community, _ = await make_community(runtime, "yrd", size=3, cycle_start=first_start)
    _, leader = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    _, pg = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    renewed = await mutate(client, RENEW, {"input": {"communitySlug": "yrd"}}, headers=bearer(pg))
    assert renewed["community"]["cycleStart"] > now.isoformat()

    earlier = await mutate(
        client, SUBMIT_REPORT, report("ANNUAL_SUMMARY", first_start.year), headers=bearer(leader)
    )
    before = await refusal(
        client,
        SUBMIT_REPORT,
        report("ANNUAL_SUMMARY", first_start.year - 1),
        headers={**bearer(leader), "Accept-Language": "en"},
    )

    assert earlier["report"]["year"] == first_start.year
    assert (before["code"], before["field"]) == ("INVALID_INPUT", "year")
    assert "the period must fall within the community's cycle" in before["message"]


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
    semi = await mutate(client, SUBMIT_REPORT, report("SEMI_ANNUAL", half=2), headers=leader)
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
