"""Every list a workspace shows can be paged the latest first (`newestFirst`), keyset as in
the other direction: pages one and two hold the latest rows in descending order, with no row
twice and none skipped; the lists a compiled statement answers give the same pages as the
usual execution. Without the argument each list keeps its order (oldest first; the audit
runs the latest first)."""

import datetime as dt
import itertools

import pytest

from server.admission.models import Application, ApplicationCall
from server.audit.models import AuditEntry
from server.clock import today
from server.compliance.models import AuditRun, Finding, ProgrammeFinding
from server.vocabulary import AuditRunStatus, FindingStatus, Level, Severity
from tests.factories import make_user
from tests.graphql import both_ways, gql

pytestmark = pytest.mark.asyncio

PAGE = 3
EDGES = "pageInfo { hasNextPage endCursor } edges { node { id } }"
# (name, the document for one page, whether a compiled statement answers it)
LISTS = [
    (
        "findings",
        f"query ($n: Boolean, $after: String) {{ findings(newestFirst: $n, first: {PAGE}, "
        f"after: $after) {{ {EDGES} }} }}",
        False,
    ),
    (
        "programmeFindings",
        f"query ($n: Boolean, $after: String) {{ programmeFindings(newestFirst: $n, "
        f"first: {PAGE}, after: $after) {{ {EDGES} }} }}",
        False,
    ),
    (
        "communities",
        f"query ($n: Boolean, $after: String) {{ communities(newestFirst: $n, first: {PAGE}, "
        f"after: $after) {{ {EDGES} }} }}",
        True,
    ),
    (
        "units",
        f"query ($n: Boolean, $after: String) {{ units(newestFirst: $n, first: {PAGE}, "
        f"after: $after) {{ {EDGES} }} }}",
        True,
    ),
    (
        "users",
        f"query ($n: Boolean, $after: String) {{ users(newestFirst: $n, first: {PAGE}, "
        f"after: $after) {{ {EDGES} }} }}",
        False,
    ),
    (
        "auditLog",
        f"query ($n: Boolean, $after: String) {{ auditLog(newestFirst: $n, first: {PAGE}, "
        f"after: $after) {{ {EDGES} }} }}",
        False,
    ),
    (
        "auditRuns",
        f"query ($n: Boolean, $after: String) {{ auditRuns(newestFirst: $n, first: {PAGE}, "
        f"after: $after) {{ {EDGES} }} }}",
        False,
    ),
    (
        "applicationCalls",
        f"query ($n: Boolean, $after: String) {{ applicationCalls(newestFirst: $n, "
        f"first: {PAGE}, after: $after) {{ {EDGES} }} }}",
        False,
    ),
    (
        "applications",
        f"query ($n: Boolean, $after: String) {{ applications(newestFirst: $n, first: {PAGE}, "
        f"after: $after) {{ {EDGES} }} }}",
        False,
    ),
    (
        "reports",
        f"query ($slug: String!, $n: Boolean, $after: String) {{ community(slug: $slug) {{ "
        f"reports(newestFirst: $n, first: {PAGE}, after: $after) {{ {EDGES} }} }} }}",
        True,
    ),
    (
        "community findings",
        f"query ($slug: String!, $n: Boolean, $after: String) {{ community(slug: $slug) {{ "
        f"findings(newestFirst: $n, first: {PAGE}, after: $after) {{ {EDGES} }} }} }}",
        True,
    ),
]


def _connection(data):
    (value,) = data.values()
    if "edges" not in value:  # a community's list
        (value,) = value.values()
    return value


async def _page(client, query, variables, headers, compiled):
    if compiled:
        answer, usual, _ = await both_ways(client, query, variables, headers)
        assert answer == usual
    else:
        answer = await gql(client, query, variables, headers=headers)
    assert "errors" not in answer, answer
    return _connection(answer["data"])


async def _every_id(client, query, variables, headers) -> list[str]:
    """The whole list, oldest first, page by page."""
    ids, after = [], None
    while True:
        page = await _page(client, query, {**variables, "n": False, "after": after}, headers, False)
        ids += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


@pytest.fixture
async def listed(national):
    """The national data set, with the rows it lacks for two full pages of each list: audit
    log entries, audit runs, programme findings, the first community's findings, calls and
    applications."""
    runtime, client, communities, _, admin = national
    applicant, _ = await make_user(runtime, "applicant@example.cn")
    now = dt.datetime(2026, 11, 3, 3, 0, tzinfo=dt.UTC)
    count = itertools.count()
    async with runtime.database.transaction(all_communities=True) as session:
        for n in range(2 * PAGE + 1):
            session.add(
                AuditEntry(action="finding.waive", target_type="Finding", target_id=str(n), at=now)
            )
            session.add(AuditRun(status=AuditRunStatus.SUCCEEDED, counts={}))
            session.add(
                ProgrammeFinding(
                    rule="admission-evidence",
                    article="7",
                    severity=Severity.WARNING,
                    status=FindingStatus.OPEN,
                    subject=f"unit:{n}",
                    period="2026",
                    message_zh="申报材料不全",
                    message_en="Evidence missing",
                    evidence=[],
                    fingerprint=f"{next(count):064d}",
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
            call = ApplicationCall(
                title=f"第{n}批实验点申报",
                year=2026,
                opens_on=today(),
                closes_on=today() + dt.timedelta(days=9),
            )
            session.add(call)
            await session.flush()
            session.add(
                Application(
                    call_id=call.id,
                    applicant_user_id=applicant.id,
                    unit_name=f"申报单位{n}",
                    level=Level.COUNTY,
                    division_code="330106",
                    province="33",
                    address="杭州",
                    responsible_person="张",
                    project_team="张、李",
                )
            )
    community_id = communities[0].id
    async with runtime.database.transaction(community_id) as session:
        for n in range(2 * PAGE + 1):
            session.add(
                Finding(
                    community_id=community_id,
                    rule="seminars",
                    article="16(12)",
                    severity=Severity.NOTICE,
                    status=FindingStatus.RESOLVED,
                    subject=f"period:{n}",
                    period=str(2000 + n),
                    message_zh="研讨会议不足",
                    message_en="Too few seminars",
                    evidence=[],
                    fingerprint=f"{next(count):064d}",
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
    return client, {"slug": communities[0].slug}, admin


@pytest.mark.parametrize(("name", "query", "compiled"), LISTS, ids=[n for n, _, _ in LISTS])
async def test_the_latest_come_first_page_after_page(listed, name, query, compiled):
    client, slug, admin = listed
    variables = slug if "$slug" in query else {}
    oldest_first = await _every_id(client, query, variables, admin)
    assert len(oldest_first) > 2 * PAGE, name  # two full pages and more

    first = await _page(client, query, {**variables, "n": True}, admin, compiled)
    after = first["pageInfo"]["endCursor"]
    second = await _page(client, query, {**variables, "n": True, "after": after}, admin, compiled)

    shown = [edge["node"]["id"] for page in (first, second) for edge in page["edges"]]
    assert shown == oldest_first[::-1][: 2 * PAGE]
    assert first["pageInfo"]["hasNextPage"] and second["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize(("name", "query", "compiled"), LISTS, ids=[n for n, _, _ in LISTS])
async def test_without_the_argument_each_list_keeps_its_order(listed, name, query, compiled):
    client, slug, admin = listed
    variables = slug if "$slug" in query else {}
    oldest_first = await _every_id(client, query, variables, admin)
    unargued = query.replace("newestFirst: $n, ", "").replace("$n: Boolean, ", "")

    page = await _page(client, unargued, variables, admin, compiled)

    shown = [edge["node"]["id"] for edge in page["edges"]]
    # The audit runs always listed the latest first; every other list the oldest first.
    expected = oldest_first[::-1] if name == "auditRuns" else oldest_first
    assert shown == expected[:PAGE]
