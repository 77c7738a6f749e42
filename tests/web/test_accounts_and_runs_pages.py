"""The lists the workspaces once worked around, over the API and over HTTP: every account
(`users`, the project group's alone, searched and filtered by role, paged), the audit runs
(`auditRuns`, newest first, a community's own for its leader) on `/admin/audit-runs/` and the
community's reports page, and a report's community (`Report.community`) read by the expert's
report page, which stays closed for a community the expert is not assigned to."""

import datetime as dt
import re

import pytest

from server.compliance.models import AuditRun
from server.demo.load import DEMO_DOMAIN, load_demo
from server.vocabulary import AuditRunStatus
from tests.factories import bearer, make_community, make_user
from tests.web.guided import expert_grants, seed

pytestmark = pytest.mark.asyncio

USERS = """
query ($search: String, $role: Role, $first: Int, $after: String) {
  users(search: $search, role: $role, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { email displayName isActive roles { role community { slug } } } }
  } }"""
RUNS = """
query ($slug: String, $first: Int, $after: String) {
  auditRuns(communitySlug: $slug, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { status opened resolved durationMs community { slug } } }
  } }"""
REPORT = """
query ($id: ID!) { node(id: $id) { ... on Report { title community { slug name } } } }"""


async def _ask(client, token, query, **variables):
    answer = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=bearer(token)
    )
    return answer.json()


def _codes(answer) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in answer.get("errors") or []}


def _emails(answer) -> list[str]:
    return [e["node"]["email"] for e in answer["data"]["users"]["edges"]]


def _signed_in(client, token):
    client.cookies.set("gx_session", token)


@pytest.fixture
async def people(runtime):
    """Accounts made straight in the database, as a seed makes them: none has an audit log
    entry. A project group account, a leader and a member of one community, an expert
    assigned to it, and someone with no role yet."""
    community, _ = await make_community(runtime, "registry-yrd", name="长三角县域老年教育共同体")
    _, admin = await make_user(
        runtime, "pg@registry.example.cn", ("PROJECT_GROUP", None), display_name="项目组老师"
    )
    _, leader = await make_user(
        runtime, "Leader@Registry.example.cn", ("LEADER", community.id), display_name="王组长"
    )
    await make_user(
        runtime, "member@registry.example.cn", ("MEMBER", community.id), display_name="李联络员"
    )
    await make_user(
        runtime,
        "expert@registry.example.cn",
        ("EXPERT", None),
        ("EXPERT_ASSIGNED", community.id),
        display_name="赵专家",
    )
    await make_user(runtime, "new@registry.example.cn", display_name="孙新人")
    return community, admin, leader


# -- users ---------------------------------------------------------------------------------


async def test_the_project_group_lists_every_account_with_its_roles(client, people):
    _, admin, _ = people

    answer = await _ask(client, admin, USERS, first=100)

    assert "errors" not in answer, answer
    listed = {e["node"]["email"]: e["node"] for e in answer["data"]["users"]["edges"]}
    # None of them is in the audit log: the list is the accounts themselves.
    assert set(listed) == {
        "pg@registry.example.cn",
        "Leader@Registry.example.cn",
        "member@registry.example.cn",
        "expert@registry.example.cn",
        "new@registry.example.cn",
    }
    assert answer["data"]["users"]["totalCount"] == 5
    assert listed["Leader@Registry.example.cn"]["roles"] == [
        {"role": "LEADER", "community": {"slug": "registry-yrd"}}
    ]
    assert listed["new@registry.example.cn"]["roles"] == []


async def test_the_accounts_are_paged_in_the_order_they_were_made(client, people):
    _, admin, _ = people

    first = await _ask(client, admin, USERS, first=2)
    after = first["data"]["users"]["pageInfo"]["endCursor"]
    second = await _ask(client, admin, USERS, first=2, after=after)
    third = await _ask(
        client, admin, USERS, first=2, after=second["data"]["users"]["pageInfo"]["endCursor"]
    )

    assert _emails(first) == ["pg@registry.example.cn", "Leader@Registry.example.cn"]
    assert first["data"]["users"]["pageInfo"]["hasNextPage"] is True
    assert _emails(second) == ["member@registry.example.cn", "expert@registry.example.cn"]
    assert _emails(third) == ["new@registry.example.cn"]
    assert third["data"]["users"]["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("search", "role", "found"),
    [
        ("组长", None, ["Leader@Registry.example.cn"]),  # a piece of a Chinese name
        ("leader@registry", None, ["Leader@Registry.example.cn"]),  # any case
        ("  赵专家 ", None, ["expert@registry.example.cn"]),
        ("registry.example", "MEMBER", ["member@registry.example.cn"]),
        (None, "EXPERT", ["expert@registry.example.cn"]),
        (None, "PROJECT_GROUP", ["pg@registry.example.cn"]),
        ("100%", None, []),  # a `%` is a character, not a wildcard
        ("王", "MEMBER", []),
    ],
)
async def test_accounts_are_found_by_email_or_name_and_by_role(client, people, search, role, found):
    _, admin, _ = people

    answer = await _ask(client, admin, USERS, search=search, role=role)

    assert "errors" not in answer, answer
    assert _emails(answer) == found
    assert answer["data"]["users"]["totalCount"] == len(found)


async def test_a_leader_may_not_list_the_accounts_nor_open_the_page(client, people):
    _, _, leader = people

    answer = await _ask(client, leader, USERS)
    _signed_in(client, leader)
    page = await client.get("/admin/users/")

    assert _codes(answer) == {"FORBIDDEN"}
    assert answer["data"] is None
    assert page.status_code == 403
    assert "member@registry.example.cn" not in page.text


async def test_the_users_page_lists_seeded_accounts_searched_and_filtered(client, people):
    _, admin, _ = people
    _signed_in(client, admin)

    every = await client.get("/admin/users/")
    searched = await client.get("/admin/users/", params={"q": "赵"})
    experts = await client.get("/admin/users/", params={"role": "LEADER"})
    nobody = await client.get("/admin/users/", params={"q": "没有这个人"})

    assert every.status_code == 200
    listed = every.text.split('id="accounts"')[1]
    for email in ("member@registry.example.cn", "new@registry.example.cn"):
        assert email in listed
    assert "共 5 个" in listed
    assert "成员（长三角县域老年教育共同体）" in listed and "尚无角色" in listed
    assert "expert@registry.example.cn" in searched.text
    assert "member@registry.example.cn" not in searched.text
    assert 'value="赵"' in searched.text  # the search stays in its box
    assert "Leader@Registry.example.cn" in experts.text
    assert "expert@registry.example.cn" not in experts.text
    assert '<option value="LEADER" selected>' in experts.text
    assert "没有符合条件的账户" in nobody.text


async def test_the_users_page_lists_the_demos_accounts(client, runtime, people):
    _, admin, _ = people
    summary = await load_demo(runtime)
    _signed_in(client, admin)

    page = await client.get("/admin/users/", params={"q": f"@{DEMO_DOMAIN}"})

    assert page.status_code == 200
    demo = {s.email for s in summary.sign_ins}
    assert len(demo) >= 5
    for email in demo:
        assert email in page.text
    assert f"共 {len(demo)} 个" in page.text


# -- audit runs ----------------------------------------------------------------------------


@pytest.fixture
async def runs(runtime, people):
    """A national run (finished in 1.5 s, 4 findings opened, 1 resolved), then one of the
    YRD's own, then one of another community's, in that order."""
    yrd, admin, leader = people
    other, _ = await make_community(runtime, "registry-other", name="西南乡镇社区治理共同体")
    at = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)
    scopes = [
        (None, {"opened": 4, "resolved": 1, "findings": 9, "durationMs": 1500}),
        (yrd.id, {"opened": 2, "resolved": 3, "findings": 2, "durationMs": 250}),
        (other.id, {"opened": 7, "resolved": 0, "findings": 7, "durationMs": 300}),
    ]
    for i, (community_id, counts) in enumerate(scopes):
        scope = {"all_communities": True} if community_id is None else {}
        async with runtime.database.transaction(community_id, **scope) as session:
            session.add(
                AuditRun(
                    community_id=community_id,
                    status=AuditRunStatus.SUCCEEDED,
                    queued_at=at + dt.timedelta(hours=i),
                    started_at=at + dt.timedelta(hours=i),
                    finished_at=at + dt.timedelta(hours=i, seconds=1),
                    communities_total=1,
                    communities_done=1,
                    counts=counts,
                )
            )
    return yrd, other, admin, leader


def _scopes(answer) -> list[str | None]:
    return [
        (e["node"]["community"] or {}).get("slug") for e in answer["data"]["auditRuns"]["edges"]
    ]


async def test_the_project_group_lists_every_run_newest_first(client, runs):
    _, _, admin, _ = runs

    answer = await _ask(client, admin, RUNS)
    first = await _ask(client, admin, RUNS, first=1)
    rest = await _ask(
        client, admin, RUNS, after=first["data"]["auditRuns"]["pageInfo"]["endCursor"]
    )

    assert _scopes(answer) == ["registry-other", "registry-yrd", None]
    assert answer["data"]["auditRuns"]["totalCount"] == 3
    national = answer["data"]["auditRuns"]["edges"][2]["node"]
    assert (national["opened"], national["resolved"], national["durationMs"]) == (4, 1, 1500)
    assert _scopes(first) == ["registry-other"]
    assert _scopes(rest) == ["registry-yrd", None]


async def test_a_leader_lists_its_own_communitys_runs_only(client, runs):
    _, _, _, leader = runs

    own = await _ask(client, leader, RUNS, slug="registry-yrd")
    unscoped = await _ask(client, leader, RUNS)
    other = await _ask(client, leader, RUNS, slug="registry-other")

    assert _scopes(own) == ["registry-yrd"]
    assert _scopes(unscoped) == ["registry-yrd"]  # no national run, no other community's
    assert _codes(other) == {"FORBIDDEN"}


async def test_the_audit_runs_page_lists_the_latest_runs(client, runs):
    _, _, admin, _ = runs
    _signed_in(client, admin)

    page = await client.get("/admin/audit-runs/")

    assert page.status_code == 200
    listed = page.text.split('id="runs"')[1]
    assert "共 3 次" in listed
    rows = re.findall(r"<tr>(.*?)</tr>", listed, re.S)[1:]
    assert [re.search(r'class="lead">([^<]+)<', r).group(1) for r in rows] == [
        "西南乡镇社区治理共同体",
        "长三角县域老年教育共同体",
        "全国",
    ]
    # Queued at 02:00 UTC: 10:00 in Beijing.
    assert "2026年11月3日 10:00" in rows[2] and "1.5 秒" in rows[2] and "已完成" in rows[2]
    assert re.search(r'data-label="新发现">4<', rows[2])
    assert re.search(r'data-label="已消除">1<', rows[2])
    assert re.search(r'href="/admin/audit-runs/[A-Za-z0-9_-]+/"', rows[2])


async def test_the_reports_page_lists_the_communitys_own_runs(client, runs):
    _, _, _, leader = runs
    _signed_in(client, leader)

    page = await client.get("/c/registry-yrd/manage/reports/")

    assert page.status_code == 200
    section = page.text.split('id="audit"')[1]
    assert "共 1 次" in section
    assert re.search(r'data-label="新发现">2<', section)
    assert re.search(r'data-label="已解决">3<', section)
    assert "0.2 秒" in section or "0.3 秒" in section  # 250 ms, rounded
    assert re.search(r'href="/c/registry-yrd/manage/audit/[A-Za-z0-9_-]+/"', section)
    assert 'data-label="新发现">7<' not in section  # the other community's run
    assert 'data-label="新发现">4<' not in section  # the national run


async def test_the_reports_page_without_runs_says_what_to_do(client, people):
    _, _, leader = people
    _signed_in(client, leader)

    page = await client.get("/c/registry-yrd/manage/reports/")

    assert "本共同体还没有运行过规则检查" in page.text


# -- a report's community ------------------------------------------------------------------


async def test_a_report_names_its_community(client, runtime):
    guided = await seed(runtime)
    _, admin = await make_user(runtime, "pg@report.example.cn", ("PROJECT_GROUP", None))

    answer = await _ask(client, admin, REPORT, id=guided.other_half)

    assert "errors" not in answer, answer
    assert answer["data"]["node"]["community"] == {
        "slug": "jingjinji-reading",
        "name": "京津冀全民阅读共同体",
    }


async def test_the_expert_opens_an_assigned_communitys_report_and_not_another(client, runtime):
    guided = await seed(runtime)
    _, expert = await make_user(runtime, "expert@report.example.cn", *expert_grants(guided))
    _signed_in(client, expert)

    own = await client.get(f"/expert/reports/{guided.chengyu_half}/")
    other = await client.get(f"/expert/reports/{guided.other_half}/")

    assert own.status_code == 200
    assert 'href="/expert/communities/chengyu-community/">成渝社区治理共同体</a>' in own.text
    assert other.status_code == 403
    assert "京津冀" not in other.text


async def test_a_community_page_does_not_show_another_communitys_report(client, runtime):
    guided = await seed(runtime)
    _, admin = await make_user(runtime, "pg@report.example.cn", ("PROJECT_GROUP", None))
    _signed_in(client, admin)

    own = await client.get(f"/c/jingjinji-reading/manage/reports/{guided.other_half}/")
    elsewhere = await client.get(f"/c/yrd-county-elderly/manage/reports/{guided.other_half}/")

    assert own.status_code == 200
    assert elsewhere.status_code == 404
