"""`gongxue demo` tells a true story: communities whose cycles, activities and reports agree
with the regulation but for four deliberate lapses, which the audit finds and nothing else;
a sign-in for every role, each seeing what that role may see."""

import datetime as dt
import os
import subprocess
from collections import Counter

import pytest
from sqlalchemy import func, select

from server.activities.models import Activity
from server.clock import today
from server.communities.models import Community, Membership
from server.communities.rules import MAX_UNITS, MIN_UNITS
from server.compliance import audit
from server.demo import load
from server.demo.dataset import COMMUNITIES, STAFFED
from server.demo.load import DEMO_PASSWORD, load_demo, open_findings
from server.vocabulary import MembershipRole
from tests.cli import GONGXUE, cli_env
from tests.graphql import error_codes, gql

# The lapses the demo is built with, as the audit names them: (rule, community).
(ABSENTEE,) = [c for c in COMMUNITIES if c.absentee]
(SHORT,) = [c for c in COMMUNITIES if c.short_of]
(LATE,) = [c for c in COMMUNITIES if c.misses_semi_annual]
(UNREVIEWED,) = [c for c in COMMUNITIES if c.research_awaits_review]
DELIBERATE = {
    ("citizen-learning", SHORT.slug),
    ("semi-annual-report", LATE.slug),
    ("joint-research", UNREVIEWED.slug),
}

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token errors { code } }
}"""


async def test_the_demo_loads_communities_of_three_to_fifteen_units_once(client, runtime):
    first = await load_demo(runtime)
    second = await load_demo(runtime)
    await audit.run_now(runtime)

    assert {(rule, slug) for rule, _, slug, _ in await open_findings(runtime)} == DELIBERATE
    assert first.new_communities == len(COMMUNITIES) >= 5
    assert second.new_communities == second.new_units == 0
    assert second.new_activities == second.new_reports == 0
    assert [s.email for s in second.sign_ins] == [s.email for s in first.sign_ins]
    async with runtime.database.transaction() as session:
        sizes = (
            await session.execute(
                select(Membership.community_id, func.count()).group_by(Membership.community_id)
            )
        ).all()
        leaders = (
            await session.execute(
                select(Membership.community_id, func.count())
                .where(Membership.role == MembershipRole.LEADER)
                .group_by(Membership.community_id)
            )
        ).all()
        regions = set((await session.scalars(select(Community.region))).all())
        levels = set((await session.scalars(select(Community.level))).all())
    assert all(MIN_UNITS <= n <= MAX_UNITS for _, n in sizes)
    assert len(sizes) == len(COMMUNITIES)
    assert all(n == 1 for _, n in leaders) and len(leaders) == len(COMMUNITIES)
    assert len(regions) >= 3 and len(levels) >= 3

    body = await gql(client, "{ communities { totalCount } }")
    assert body["data"]["communities"]["totalCount"] == len(COMMUNITIES)


async def test_the_demo_holds_its_cycles_activities_and_one_unit_leaves(client, runtime):
    await load_demo(runtime)

    async with runtime.database.transaction(all_communities=True) as session:
        held = (
            await session.execute(
                select(
                    func.count(),
                    func.sum(Activity.expected_count),
                    func.sum(
                        Activity.attended_count + Activity.absent_count + Activity.excused_count
                    ),
                ).where(Activity.held_on < today())
            )
        ).one()
        outside = await session.scalar(
            select(func.count())
            .select_from(Activity)
            .join(Community, Community.id == Activity.community_id)
            .where(~Activity.held_on.between(Community.cycle_start, Community.cycle_end))
        )
    count, expected, recorded = held
    assert count >= 5 * len(COMMUNITIES)
    assert expected == recorded  # every held activity's attendance is on record
    assert outside == 0  # all within the communities' cycles
    exits = await gql(
        client, "{ exits { edges { node { kind unit { name } community { slug } } } } }"
    )
    (gone,) = [e["node"] for e in exits["data"]["exits"]["edges"]]
    assert gone["kind"] == "AUTO_EXITED" and gone["community"]["slug"] == ABSENTEE.slug
    sites = await gql(client, "{ units(first: 100) { edges { node { plaqueNumber } } } }")
    plaques = [e["node"]["plaqueNumber"] for e in sites["data"]["units"]["edges"]]
    assert len(set(plaques)) == len(plaques)
    assert all(p.startswith(f"LLC-{load.admitted_on(today()).year}-") for p in plaques)


# Days around the deadlines the audit counts with: a half year's report is due on 15 July and
# 15 January, the annual summaries on 31 January (Art. 18(4), 18(5), 19(3)), and a year's
# activities are counted once it is over (Art. 16(3), 16(12)).
ON = [
    None,  # today
    dt.date(2027, 1, 1),
    dt.date(2027, 1, 16),
    dt.date(2027, 2, 1),
    dt.date(2027, 7, 15),
    dt.date(2027, 7, 16),
    dt.date(2028, 6, 30),
]


@pytest.mark.parametrize("on", ON, ids=lambda d: str(d or "today"))
async def test_the_audit_of_the_demo_finds_its_deliberate_lapses_and_nothing_else(
    runtime, monkeypatch, on
):
    if on is not None:
        for module in (load, audit):
            monkeypatch.setattr(module, "today", lambda: on)

    await load_demo(runtime)
    await audit.run_now(runtime)

    found = await open_findings(runtime)
    assert {(rule, community) for rule, _, community, _ in found} == DELIBERATE
    assert len(found) == len(DELIBERATE)  # one of each: not a finding per period
    messages = {rule: message for rule, _, _, message in found}
    year = (on or today()).year - 1
    assert messages["citizen-learning"] == f"{year} 年只举办了 1 次市民学习活动，至少应有 2 次"


async def _sign_in(client, email: str) -> dict[str, str]:
    body = await gql(client, LOGIN, {"email": email, "password": DEMO_PASSWORD})
    assert body["data"]["login"]["errors"] == [], email
    return {"Authorization": f"Bearer {body['data']['login']['token']}"}


FINDINGS = "{ findings { edges { node { rule community { slug } } } } }"
REPORTS = """query ($slug: String!) {
  community(slug: $slug) { reports(kind: SEMI_ANNUAL) { totalCount } }
}"""
ACTIVITIES = """query ($slug: String!) {
  community(slug: $slug) { activities { totalCount } findings { totalCount } }
}"""
APPLICATIONS = "{ applications { edges { node { statusLabel unitName } } } }"


async def test_every_roles_sign_in_works_and_sees_what_the_role_may_see(client, runtime):
    summary = await load_demo(runtime)
    await audit.run_now(runtime)
    roles = {s.role.split()[1] for s in summary.sign_ins}
    assert roles == {"PROJECT_GROUP", "EXPERT", "LEADER", "DEPUTY", "MEMBER", "APPLICANT"}
    by_role = {(s.role.split()[1], s.community): s.email for s in summary.sign_ins}

    # The project group sees every community's findings.
    project_group = await _sign_in(client, by_role["PROJECT_GROUP", None])
    body = await gql(client, FINDINGS, headers=project_group)
    seen = {
        (e["node"]["rule"], e["node"]["community"]["slug"])
        for e in body["data"]["findings"]["edges"]
    }
    assert seen == DELIBERATE

    # The expert reads the reports of the communities it is assigned to, and no other's.
    expert = await _sign_in(client, by_role["EXPERT", LATE.slug])
    body = await gql(client, REPORTS, {"slug": LATE.slug}, headers=expert)
    assert body["data"]["community"]["reports"]["totalCount"] >= 1
    assert error_codes(await gql(client, REPORTS, {"slug": SHORT.slug}, headers=expert)) == [
        "FORBIDDEN"
    ]

    # A leader sees its own community's finding, and not another community's.
    leader = await _sign_in(client, by_role["LEADER", SHORT.slug])
    body = await gql(client, ACTIVITIES, {"slug": SHORT.slug}, headers=leader)
    assert body["data"]["community"]["findings"]["totalCount"] == 1
    assert error_codes(await gql(client, ACTIVITIES, {"slug": LATE.slug}, headers=leader)) == [
        "FORBIDDEN"
    ]

    # The deputy's and the member unit's staff read their community's activities.
    for role in ("DEPUTY", "MEMBER"):
        staff = await _sign_in(client, by_role[role, STAFFED])
        body = await gql(client, ACTIVITIES, {"slug": STAFFED}, headers=staff)
        assert "errors" not in body, (role, body)
        assert body["data"]["community"]["activities"]["totalCount"] >= 5

    # The applicant sees its own application, waiting for review, and nobody else's.
    applicant = await _sign_in(client, by_role["APPLICANT", None])
    body = await gql(client, APPLICATIONS, headers=applicant)
    (application,) = [e["node"] for e in body["data"]["applications"]["edges"]]
    assert application == {"statusLabel": "已提交", "unitName": "昆明市官渡区社区教育学院"}


def test_the_cli_prints_one_sign_in_per_line_at_80_columns(services, settings):
    env = cli_env(services, settings, COLUMNS="80")

    run = subprocess.run(
        [GONGXUE, "demo"], env=env, capture_output=True, text=True, timeout=180, check=False
    )

    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert f"规则审核 rule audit: {len(DELIBERATE)} 项发现 findings" in lines
    for rule, community in DELIBERATE:
        assert any(rule in line and community in line for line in lines), (rule, community)
    sign_ins = [line.split() for line in lines if "@demo.gongxue.test" in line]
    roles = {cells[1] for cells in sign_ins}
    assert roles == {"PROJECT_GROUP", "EXPERT", "LEADER", "DEPUTY", "MEMBER", "APPLICANT"}
    for cells in sign_ins:  # role (zh, en), community, email, password: whole, on one line
        assert len(cells) == 5 and cells[4] == DEMO_PASSWORD, cells
    leaders = {cells[2]: cells[3] for cells in sign_ins if cells[1] == "LEADER"}
    assert leaders == {c.slug: f"leader.{c.slug}@demo.gongxue.test" for c in COMMUNITIES}


def test_the_cli_refuses_the_demo_in_production(services):
    env = {
        **os.environ,
        "GONGXUE_DATABASE_URL": services.database_url,
        "GONGXUE_ENV": "production",
        "GONGXUE_SECRET_KEY": "p" * 40,
    }

    run = subprocess.run(
        [GONGXUE, "demo"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert run.returncode == 2
    assert "refused in production" in run.stdout


def test_create_admin_makes_a_project_group_account_once(services, settings):
    env = cli_env(services, settings)
    command = [GONGXUE, "create-admin", "--email", "pg@caea.test", "--password", "long-enough-pw"]

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    created = run()
    again = run()

    assert created.returncode == 0, created.stdout + created.stderr
    assert "pg@caea.test" in created.stdout
    assert again.returncode == 1
    assert "该邮箱已注册" in again.stdout


DEMO_NEWS = """
query ($slug: String!) {
  community(slug: $slug) {
    colour introHtml
    news { edges { node { title status } } }
    publicActivities { totalCount }
  }
  programmeNews(featuredOnly: true) { totalCount }
}"""


async def test_each_demo_sub_platform_has_a_profile_news_a_draft_and_public_activities(
    client, runtime
):
    await load_demo(runtime)
    await load_demo(runtime)
    slug = COMMUNITIES[0].slug
    signs = (await load_demo(runtime)).sign_ins
    leader = next(s for s in signs if s.community == slug and s.role == "组长 LEADER")
    login = await gql(
        client,
        "mutation ($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }",
        {"e": leader.email, "p": leader.password},
    )
    token = login["data"]["login"]["token"]

    public = (await gql(client, DEMO_NEWS, {"slug": slug}))["data"]
    own = await gql(client, DEMO_NEWS, {"slug": slug}, headers={"Authorization": f"Bearer {token}"})

    statuses = [e["node"]["status"] for e in own["data"]["community"]["news"]["edges"]]
    assert statuses.count("DRAFT") == 1 and statuses.count("PUBLISHED") >= 3
    assert len(public["community"]["news"]["edges"]) == statuses.count("PUBLISHED")
    assert public["community"]["colour"].startswith("#")
    assert public["community"]["introHtml"].startswith("<h2>")
    assert public["community"]["publicActivities"]["totalCount"] >= 1
    assert public["programmeNews"]["totalCount"] >= 1


async def test_the_demo_chose_three_national_brands_each_year_over_and_honoured_two_communities(
    client, runtime
):
    """Art. 6(5): 3-5 national brands a year; loading twice grants nothing more."""
    await load_demo(runtime)
    await load_demo(runtime)
    last_year = today().year - 1

    listed = await gql(
        client,
        "query ($y: Int) { recognitions(year: $y) { edges { node { number kindLabel"
        " holderName community { slug } } } } }",
        {"y": last_year},
    )

    nodes = [e["node"] for e in listed["data"]["recognitions"]["edges"]]
    kinds = Counter(n["kindLabel"] for n in nodes)
    # Last year's closed evaluation round gave its first one or two their achievement awards.
    awards = kinds.pop("成果奖")
    assert kinds == {"全国终身学习特色品牌": 3, "特色共同体": 1, "示范共同体": 1}
    assert 1 <= awards <= 2
    assert [n["number"] for n in nodes] == [f"GX-{last_year}-{n:04d}" for n in range(1, 6 + awards)]
    honoured = {
        n["community"]["slug"] for n in nodes if n["community"] and n["kindLabel"] != "成果奖"
    }
    assert honoured == {COMMUNITIES[0].slug, COMMUNITIES[1].slug}
    page = await client.get(f"/verify/GX-{last_year}-0001")
    assert page.status_code == 200 and "证书有效" in page.text


async def test_the_demo_holds_achievements_a_closed_round_and_the_experts_reviews_to_do(
    client, runtime
):
    """Art. 6b, 17(4): public achievements on the platforms; last year's round closed into a
    ranking; this year's open, its nominations waiting in the demo expert's queue."""
    await load_demo(runtime)
    await load_demo(runtime)

    public = await gql(client, "{ achievements(visibility: PUBLIC) { totalCount } }")
    assert public["data"]["achievements"]["totalCount"] == len(COMMUNITIES)
    rounds = await gql(
        client,
        "{ evaluationRounds { edges { node { year status ranking { rank weightedScore } } } } }",
    )
    (past, current) = [e["node"] for e in rounds["data"]["evaluationRounds"]["edges"]]
    assert (past["year"], past["status"]) == (today().year - 1, "CLOSED")
    assert (current["year"], current["status"]) == (today().year, "OPEN")
    assert current["ranking"] is None
    token = await gql(
        client,
        LOGIN,
        {"email": f"expert@{load.DEMO_DOMAIN}", "password": DEMO_PASSWORD},
    )
    headers = {"Authorization": f"Bearer {token['data']['login']['token']}"}
    ranked = await gql(
        client,
        "{ evaluationRounds(status: CLOSED) { edges { node { ranking { rank weightedScore"
        " nomination { community { slug } } } } } } }",
        headers=headers,
    )
    (closed,) = ranked["data"]["evaluationRounds"]["edges"]
    places = closed["node"]["ranking"]
    assert places and [p["rank"] for p in places] == list(range(1, len(places) + 1))
    scores = [p["weightedScore"] for p in places]
    assert scores == sorted(scores, reverse=True)
    # The expert guides some communities: none of those is among what it reviewed.
    guided = {c.slug for c in COMMUNITIES if c.expert_assigned}
    assert not guided & {p["nomination"]["community"]["slug"] for p in places}
    queue = await gql(client, "{ reviewQueue { edges { node { kind } } } }", headers=headers)
    kinds = [e["node"]["kind"] for e in queue["data"]["reviewQueue"]["edges"]]
    assert kinds.count("ACHIEVEMENT") == 3


OWED = """{ invoices(first: 50) { totalCount edges { node {
  status balanceFen daysOverdue unit { name } lines { kind amountFen } } } } }"""
ARREARS = (
    "{ arrears(first: 50) { totalCount edges { node { balanceFen daysOverdue unit { name } } } } }"
)


async def test_the_demo_s_fees_are_paid_but_for_one_member_unit_which_owes_part(client, runtime):
    """Art. 19(4), 20: every fee of the demo is paid but the member unit's conference fee
    (300 of 800 yuan paid, ten days past due) and its training fee (due in twenty days)."""
    await load_demo(runtime)
    await load_demo(runtime)  # loading again issues nothing twice

    member = await _sign_in(client, f"member.{STAFFED}@{load.DEMO_DOMAIN}")
    body = await gql(client, OWED, headers=member)
    mine = [e["node"] for e in body["data"]["invoices"]["edges"]]
    assert {n["unit"]["name"] for n in mine} == {"杭州市西湖区社区学院"}
    owed = {n["lines"][0]["kind"]: n for n in mine if n["status"] == "OPEN"}
    assert sum(n["balanceFen"] for n in owed.values()) == 100_000  # 1,000.00 yuan
    assert (owed["CONFERENCE"]["balanceFen"], owed["CONFERENCE"]["daysOverdue"]) == (50_000, 10)
    assert (owed["TRAINING"]["balanceFen"], owed["TRAINING"]["daysOverdue"]) == (50_000, 0)

    deputy = await _sign_in(client, f"deputy.{STAFFED}@{load.DEMO_DOMAIN}")
    body = await gql(client, OWED, headers=deputy)
    (paid,) = [e["node"] for e in body["data"]["invoices"]["edges"]]
    assert (paid["status"], paid["balanceFen"]) == ("PAID", 0)

    # The project group's arrears: that one conference fee, nothing else is past due.
    admin = await _sign_in(client, f"admin@{load.DEMO_DOMAIN}")
    body = await gql(client, ARREARS, headers=admin)
    (late,) = [e["node"] for e in body["data"]["arrears"]["edges"]]
    assert late == {
        "balanceFen": 50_000,
        "daysOverdue": 10,
        "unit": {"name": "杭州市西湖区社区学院"},
    }
    body = await gql(client, "{ invoices(status: CANCELLED) { totalCount } }", headers=admin)
    assert body["data"]["invoices"]["totalCount"] == 1
