"""`programmeCompliance`: the whole programme's open findings counted in SQL for the project
group, the same as `findings(status: OPEN)` lists them (a waived or resolved finding is not
open, the programme's own counted apart), refused to anyone else; and `Community.compliance`
read for a whole page of communities in a fixed number of statements."""

import datetime as dt
from collections import Counter

import pytest

from server.compliance.models import Finding, ProgrammeFinding
from server.vocabulary import FindingStatus, Level, Region, Severity
from tests.factories import bearer, make_community, make_user
from tests.graphql import error_codes, gql

pytestmark = pytest.mark.asyncio

NOW = dt.datetime(2026, 11, 3, 3, 0, tzinfo=dt.UTC)
E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTICE
OPEN, WAIVED, RESOLVED = FindingStatus.OPEN, FindingStatus.WAIVED, FindingStatus.RESOLVED

NATIONAL = """{ programmeCompliance {
  communities compliant open
  bySeverity { key label count } byRegion { key label count } byLevel { key label count }
  byArticle { key label count } byRule { key label count }
  worst(first: 2) { slug name regionLabel levelLabel errors warnings notices }
  programme { open bySeverity { key count } byRule { key count } byArticle { key label count } }
} }"""
LISTED = """query ($after: String) { findings(status: OPEN, first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { rule article severity community { slug region level } } } } }"""
PAGE = """query ($first: Int) { communities(first: $first) {
  edges { node { slug compliance { errors warnings notices waived } } } } }"""


async def _finding(runtime, community_id, rule, article, severity, status, subject="community"):
    async with runtime.database.transaction(community_id) as session:
        session.add(
            Finding(
                community_id=community_id,
                rule=rule,
                article=article,
                severity=severity,
                status=status,
                subject=subject,
                period="2026",
                message_zh="问题",
                message_en="finding",
                evidence=[],
                fingerprint=f"{community_id}-{rule}-{subject}",
                first_seen_at=NOW,
                last_seen_at=NOW,
                resolved_at=NOW if status is RESOLVED else None,
            )
        )


async def _programme_finding(runtime, rule, article, severity, status):
    async with runtime.database.transaction() as session:
        session.add(
            ProgrammeFinding(
                rule=rule,
                article=article,
                severity=severity,
                status=status,
                subject="programme",
                period="2026",
                message_zh="项目问题",
                message_en="programme finding",
                evidence=[],
                fingerprint=f"programme-{rule}",
                first_seen_at=NOW,
                last_seen_at=NOW,
            )
        )


@pytest.fixture
async def country(runtime):
    """Three communities: the Delta's (county) with 2 open errors, 1 open warning, 1 waived
    warning and 1 resolved error; the South-West's (township) with 1 open error and 2 open
    notices; the North's with nothing open. And 2 programme findings (1 open, 1 waived)."""
    a, _ = await make_community(runtime, "yrd-national", name="长三角县域共同体")
    b, _ = await make_community(
        runtime,
        "xinan-national",
        region=Region.SOUTHWEST,
        level=Level.TOWNSHIP,
        province="51",
        name="西南乡镇共同体",
    )
    c, _ = await make_community(
        runtime,
        "jjj-national",
        region=Region.BEIJING_TIANJIN_HEBEI,
        province="11",
        name="京津冀共同体",
    )
    for args in [
        (a.id, "structure", "14", E, OPEN),
        (a.id, "citizen-learning", "16(3)", E, OPEN),
        (a.id, "same-level", "10", W, OPEN),
        (a.id, "nearby-region", "9", W, WAIVED),
        (a.id, "community-size", "11", E, RESOLVED),
        (b.id, "citizen-learning", "16(3)", E, OPEN),
        (b.id, "same-level", "10", N, OPEN, "unit:1"),
        (b.id, "same-level", "10", N, OPEN, "unit:2"),
        (c.id, "nearby-region", "9", W, WAIVED),
    ]:
        await _finding(runtime, *args)
    await _programme_finding(runtime, "site-evidence", "7", W, OPEN)
    await _programme_finding(runtime, "pg-cadence", "17", N, WAIVED)
    return a, b, c


async def _project_group(runtime):
    _, token = await make_user(runtime, "pg-national@example.cn", ("PROJECT_GROUP", None))
    return bearer(token)


async def _listed(client, headers) -> list[dict]:
    nodes, after = [], None
    while True:
        body = await gql(client, LISTED, {"after": after}, headers=headers)
        assert "errors" not in body, body
        connection = body["data"]["findings"]
        nodes += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


def _counts(tallies: list[dict]) -> dict[str, int]:
    return {t["key"]: t["count"] for t in tallies if t["count"]}


async def test_the_figures_are_what_findings_lists_as_open(client, runtime, country):
    headers = await _project_group(runtime)

    body = await gql(client, NATIONAL, headers=headers)
    listed = await _listed(client, headers)

    assert "errors" not in body, body
    national = body["data"]["programmeCompliance"]
    assert national["open"] == len(listed) == 6  # the waived and the resolved are not open
    assert _counts(national["bySeverity"]) == Counter(f["severity"] for f in listed)
    assert _counts(national["bySeverity"]) == {"ERROR": 3, "WARNING": 1, "NOTICE": 2}
    assert _counts(national["byRule"]) == Counter(f["rule"] for f in listed)
    assert _counts(national["byArticle"]) == Counter(f["article"] for f in listed)
    assert _counts(national["byRegion"]) == Counter(f["community"]["region"] for f in listed)
    assert _counts(national["byLevel"]) == Counter(f["community"]["level"] for f in listed)
    # Every region and level in its order, 0 where nothing is open, by its Chinese name.
    assert [t["key"] for t in national["byRegion"]] == [r.value for r in Region]
    assert {t["label"]: t["count"] for t in national["byRegion"]}["京津冀"] == 0
    assert [t["label"] for t in national["byArticle"]] == ["第10条", "第14条", "第16条第3项"]
    # Most first, each rule by its title in the catalogue.
    assert national["byRule"][0] == {
        "key": "same-level",
        "label": "成员单位原则上与共同体同一层级",
        "count": 3,
    }
    # Three communities: only the North's has no open error.
    assert national["communities"] == 3 and national["compliant"] == 1


async def test_the_programmes_own_findings_are_counted_apart(client, runtime, country):
    headers = await _project_group(runtime)

    national = (await gql(client, NATIONAL, headers=headers))["data"]["programmeCompliance"]

    assert national["programme"]["open"] == 1  # the waived one is not
    assert _counts(national["programme"]["bySeverity"]) == {"WARNING": 1}
    assert _counts(national["programme"]["byRule"]) == {"site-evidence": 1}
    assert national["programme"]["byArticle"] == [{"key": "7", "label": "第7条", "count": 1}]
    assert "site-evidence" not in _counts(national["byRule"])


async def test_the_worst_come_first_by_errors_then_warnings(client, runtime, country):
    headers = await _project_group(runtime)

    national = (await gql(client, NATIONAL, headers=headers))["data"]["programmeCompliance"]

    assert national["worst"] == [
        {
            "slug": "yrd-national",
            "name": "长三角县域共同体",
            "regionLabel": "长三角",
            "levelLabel": "区县级",
            "errors": 2,
            "warnings": 1,
            "notices": 0,
        },
        {
            "slug": "xinan-national",
            "name": "西南乡镇共同体",
            "regionLabel": "西南",
            "levelLabel": "街镇级",
            "errors": 1,
            "warnings": 0,
            "notices": 2,
        },
    ]  # the North's, with only a waived warning, is not among them


async def test_waiving_a_finding_takes_it_out_of_the_figures(client, runtime, country):
    a, _, _ = country
    headers = await _project_group(runtime)
    await _finding(runtime, a.id, "annual-summary", "18(5)", E, WAIVED)

    national = (await gql(client, NATIONAL, headers=headers))["data"]["programmeCompliance"]

    assert national["open"] == 6
    assert "annual-summary" not in _counts(national["byRule"])
    assert national["worst"][0]["errors"] == 2


@pytest.mark.parametrize(
    "grants", [[("LEADER", "a")], [("EXPERT", None)], []], ids=["leader", "expert", "nobody"]
)
async def test_anyone_but_the_project_group_is_refused(client, runtime, country, grants):
    a, _, _ = country
    _, token = await make_user(
        runtime, "someone@example.cn", *[(r, a.id if c else None) for r, c in grants]
    )

    body = await gql(client, NATIONAL, headers=bearer(token))

    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]


async def test_a_page_of_communities_costs_the_same_statements_whatever_its_size(counted):
    runtime, client = counted
    communities = []
    for n in range(12):
        community, _ = await make_community(runtime, f"page-{n:02}")
        communities.append(community)
        await _finding(runtime, community.id, "structure", "14", E, OPEN)
        await _finding(runtime, community.id, "same-level", "10", W, WAIVED)
    headers = await _project_group(runtime)

    costs = {}
    for first in (2, 12):
        answer = await client.post(
            "/graphql", json={"query": PAGE, "variables": {"first": first}}, headers=headers
        )
        body = answer.json()
        assert "errors" not in body, body
        edges = body["data"]["communities"]["edges"]
        assert len(edges) == first
        assert all(
            e["node"]["compliance"] == {"errors": 1, "warnings": 0, "notices": 0, "waived": 1}
            for e in edges
        )
        costs[first] = int(answer.headers["x-sql-statements"])

    assert costs[2] == costs[12] <= 4, costs
