"""Two communities. A's leader calls every id-taking operation with B's ids and slugs,
through /graphql, /c/A/graphql and the X-Community header: refused every time, and nothing
of B's own business (nor, through A's door, even B's name) anywhere in the response."""

import datetime as dt
import re

import pytest
from sqlalchemy import update

from schema.core import ids
from server.activities.models import Activity, Attendance
from server.audit.service import record
from server.communities.models import Membership
from server.compliance.models import AuditRun, Finding
from server.reports.models import Report
from server.vocabulary import (
    ActivityKind,
    AuditRunStatus,
    FindingStatus,
    MembershipStatus,
    ReportKind,
    Severity,
)
from tests.factories import bearer, make_community, make_user
from tests.state import row_counts

B_NAME = "乙地区老年教育共同体"
B_SECRET_REASON = "乙方内部：经费未落实"
B_SECRET_ACTION = "b.secret-action"
B_SECRET_ACTIVITY = "乙方闭门研讨会"
B_SECRET_REPORT = "乙方半年报：两家成员单位未参加活动"
B_SECRET_FINDING = "乙方组长单位未指定负责人"
REFUSED = {"FORBIDDEN", "TENANT_MISMATCH", "NOT_FOUND", "UNAUTHENTICATED"}

DOORS = {
    "main": {"path": "/graphql", "headers": {}},
    "sub-platform": {"path": "/c/yrd-a/graphql", "headers": {}},
    "header": {"path": "/graphql", "headers": {"X-Community": "yrd-a"}},
}


async def _two_communities(runtime):
    a, _ = await make_community(runtime, "yrd-a", name="甲地区老年教育共同体")
    b, b_units = await make_community(runtime, "yrd-b", name=B_NAME, size=4)
    async with runtime.database.transaction(b.id) as session:
        left = await session.scalar(
            update(Membership)
            .where(Membership.community_id == b.id, Membership.unit_id == b_units[3].id)
            .values(
                status=MembershipStatus.WITHDRAWN,
                left_on=dt.date(2026, 6, 1),
                left_reason=B_SECRET_REASON,
            )
            .returning(Membership.id)
        )
        await record(
            session,
            actor_user_id=None,
            action=B_SECRET_ACTION,
            target_type="Community",
            target_id=b.id,
            community_id=b.id,
        )
        activity = Activity(
            community_id=b.id,
            kind=ActivityKind.SEMINAR,
            title=B_SECRET_ACTIVITY,
            held_on=dt.date(2026, 6, 1),
            expected_count=3,
        )
        report = Report(
            community_id=b.id,
            kind=ReportKind.SEMI_ANNUAL,
            year=2026,
            half=1,
            title="半年报",
            body=B_SECRET_REPORT,
            due_on=dt.date(2026, 7, 15),
            submitted_on=dt.date(2026, 7, 1),
            late=False,
        )
        finding = Finding(
            community_id=b.id,
            rule="structure",
            article="14",
            severity=Severity.ERROR,
            status=FindingStatus.OPEN,
            subject="community:person",
            period="",
            message_zh=B_SECRET_FINDING,
            message_en=B_SECRET_FINDING,
            evidence=[],
            fingerprint="x",
            first_seen_at=dt.datetime.now(dt.UTC),
            last_seen_at=dt.datetime.now(dt.UTC),
        )
        run = AuditRun(community_id=b.id, status=AuditRunStatus.SUCCEEDED, counts={})
        session.add_all([activity, report, finding, run])
        await session.flush()
        session.add_all(
            Attendance(community_id=b.id, activity_id=activity.id, unit_id=u.id)
            for u in b_units[:3]
        )
    async with runtime.database.transaction(a.id) as session:
        await record(
            session,
            actor_user_id=None,
            action="a.visible-action",
            target_type="Community",
            target_id=a.id,
            community_id=a.id,
        )
    _, leader = await make_user(runtime, "leader@a.cn", ("LEADER", a.id))
    b_user, _ = await make_user(runtime, "member@b.cn", ("MEMBER", b.id))
    variables = {
        "m": ids.encode("Membership", b.id, left),
        "c": ids.encode("Community", b.id),
        "u": ids.encode("User", b_user.id),
        "a": ids.encode("Activity", b.id, activity.id),
        "r": ids.encode("Report", b.id, report.id),
        "bu": ids.encode("Unit", b_units[1].id),
        "f": ids.encode("Finding", b.id, finding.id),
        "run": ids.encode("AuditRun", run.id),
    }
    return a, b, bearer(leader), b_user, variables


OPERATIONS = {
    "community": (
        '{ community(slug: "yrd-b") { name members { edges { node { leftReason } } } } }',
    ),
    "membership-node": ("query ($m: ID!) { node(id: $m) { ... on Membership { leftReason } } }",),
    "community-node": (
        "query ($c: ID!) { node(id: $c) { ... on Community { members { edges { node { leftReason } } } } } }",
    ),
    "auditLog": ('{ auditLog(communitySlug: "yrd-b") { edges { node { action } } } }',),
    "grantRole": (
        'mutation ($u: ID!) { grantRole(input: {userId: $u, role: LEADER, communitySlug: "yrd-b"}) { user { email } errors { code } } }',
    ),
    "revokeRole": (
        'mutation ($u: ID!) { revokeRole(input: {userId: $u, role: MEMBER, communitySlug: "yrd-b"}) { user { email } errors { code } } }',
    ),
    "assignExpert": (
        'mutation ($u: ID!) { assignExpert(input: {userId: $u, communitySlug: "yrd-b"}) { user { email } errors { code } } }',
    ),
    "deactivateUser": (
        "mutation ($u: ID!) { deactivateUser(input: {userId: $u}) { user { email } errors { code } } }",
    ),
    "user-node": ("query ($u: ID!) { node(id: $u) { ... on User { email } } }",),
    "activities": ('{ community(slug: "yrd-b") { activities { edges { node { title } } } } }',),
    "reports": ('{ community(slug: "yrd-b") { reports { edges { node { body } } } } }',),
    "reportsDue": ('{ community(slug: "yrd-b") { reportsDue { report { body } } } }',),
    "activity-node": ("query ($a: ID!) { node(id: $a) { ... on Activity { title } } }",),
    "report-node": ("query ($r: ID!) { node(id: $r) { ... on Report { body } } }",),
    "recordAttendance": (
        "mutation ($a: ID!, $bu: ID!) { recordAttendance(input: {activityId: $a, entries:"
        " [{unitId: $bu, status: ABSENT}]}) { activity { title } errors { code } } }",
    ),
    "importAttendance": (
        'mutation ($a: ID!) { importAttendance(input: {activityId: $a, uploadId: "VXBsb2FkOjE"})'
        " { activity { title } errors { code } } }",
    ),
    "reviewReport": (
        'mutation ($r: ID!) { reviewReport(input: {reportId: $r, comment: "看过"})'
        " { report { body } errors { code } } }",
    ),
    "scheduleActivity": (
        'mutation { scheduleActivity(input: {communitySlug: "yrd-b", kind: SEMINAR,'
        ' title: "插入", heldOn: "2026-06-02"}) { activity { id } errors { code } } }',
    ),
    "submitReport": (
        'mutation { submitReport(input: {communitySlug: "yrd-b", kind: PLAN, year: 2027,'
        ' title: "计划", body: "插入"}) { report { id } errors { code } } }',
    ),
    "addMember": (
        'mutation ($bu: ID!) { addMember(input: {communitySlug: "yrd-b", unitId: $bu,'
        " role: DEPUTY}) { membership { id } errors { code } } }",
    ),
    "leaveCommunity": (
        'mutation ($bu: ID!) { leaveCommunity(input: {communitySlug: "yrd-b", unitId: $bu,'
        ' reason: "恶意"}) { membership { id } errors { code } } }',
    ),
    "changeMemberRole": (
        'mutation ($bu: ID!) { changeMemberRole(input: {communitySlug: "yrd-b", unitId: $bu,'
        " role: LEADER}) { memberships { id } errors { code } } }",
    ),
    "findings": ('{ findings(communitySlug: "yrd-b") { edges { node { message } } } }',),
    "community-findings": (
        '{ community(slug: "yrd-b") { findings { edges { node { message } } } compliance { errors } } }',
    ),
    "finding-node": ("query ($f: ID!) { node(id: $f) { ... on Finding { message } } }",),
    "auditRun": ("query ($run: ID!) { auditRun(id: $run) { status community { name } } }",),
    "runAudit": (
        'mutation { runAudit(input: {communitySlug: "yrd-b"}) { auditRun { id } errors { code } } }',
    ),
    "waiveFinding": (
        'mutation ($f: ID!) { waiveFinding(input: {findingId: $f, reason: "越权"})'
        " { finding { message } errors { code } } }",
    ),
    "renewCycle": (
        'mutation { renewCycle(input: {communitySlug: "yrd-b"}) { community { id } errors { code } } }',
    ),
}


# Through the main door another community's members are public, their reasons for leaving
# not: these answer with every `leftReason` null rather than refuse.
REASONS_NULLED = {"community", "membership-node", "community-node"}


def _codes(body: dict) -> set[str]:
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict):
            codes |= {e["code"] for e in payload.get("errors") or []}
    return codes


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("operation", OPERATIONS)
async def test_another_communitys_ids_are_refused(client, runtime, owner, door, operation):
    _, _, leader, b_user, variables = await _two_communities(runtime)
    roles_before = runtime.policy.roles_of(f"user:{b_user.id}")
    (query,) = OPERATIONS[operation]
    used = {k: v for k, v in variables.items() if re.search(rf"\${k}\b", query)}
    before = await row_counts(owner)

    response = await client.post(
        DOORS[door]["path"],
        json={"query": query, "variables": used},
        headers={**leader, **DOORS[door]["headers"]},
    )
    body = response.json()

    if door == "main" and operation in REASONS_NULLED:
        assert "errors" not in body and "leftReason" in response.text, body
    else:
        assert _codes(body) & REFUSED, body
    text = response.text
    assert B_SECRET_REASON not in text
    assert B_SECRET_ACTION not in text
    assert "member@b.cn" not in text
    assert B_SECRET_ACTIVITY not in text
    assert B_SECRET_REPORT not in text
    assert B_SECRET_FINDING not in text
    assert await row_counts(owner) == before
    if door != "main":
        assert B_NAME not in text  # through A's door, not even B's public name
    assert runtime.policy.roles_of(f"user:{b_user.id}") == roles_before


@pytest.mark.parametrize("door", ["sub-platform", "header"])
async def test_through_its_door_a_leader_reads_only_its_own_log(client, runtime, door):
    _, _, leader, _, _ = await _two_communities(runtime)

    response = await client.post(
        DOORS[door]["path"],
        json={"query": "{ auditLog { edges { node { action } } } }"},
        headers={**leader, **DOORS[door]["headers"]},
    )

    actions = [e["node"]["action"] for e in response.json()["data"]["auditLog"]["edges"]]
    assert actions == ["a.visible-action"]
