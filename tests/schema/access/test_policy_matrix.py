"""Every role (and nobody) × every operation of the schema → allowed or refused.

A new operation without a row here fails `test_every_operation_has_a_row`."""

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from schema.api import SCHEMA
from schema.core import ids
from schema.core.strawberry_private import graphql_schema
from server.achievements.models import Achievement
from server.activities.models import Activity, Attendance, ProgrammeActivity, ProgrammeAttendance
from server.admission.models import Application, ApplicationCall
from server.clock import today
from server.compliance.models import AuditRun, Finding
from server.evaluation.models import EvaluationRound, Nomination, ReviewAssignment
from server.fees.models import FeeEntry, Invoice
from server.news.models import News
from server.recognition.models import Recognition
from server.reports.models import Report
from server.research.models import ResearchTopic, SubTopic
from server.units.models import ExitRecord
from server.vocabulary import (
    AchievementKind,
    ActivityKind,
    AuditRunStatus,
    ExitScope,
    FindingStatus,
    InvoiceStatus,
    LedgerEntryKind,
    Level,
    RecognitionKind,
    ReportKind,
    Severity,
    SiteStatus,
    SubTopicStatus,
    Visibility,
)
from tests.factories import bearer, make_community, make_units, make_user
from tests.graphql import error_codes, gql
from tests.schema.lifecycle.operations import application

ROLES = ("anonymous", "applicant", "member", "deputy", "leader", "expert", "project_group")
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
IN_COMMUNITY = {"member", "deputy", "leader", "expert", "project_group"}
PROJECT_GROUP = {"project_group"}


@dataclass
class World:
    slug: str
    community_id: str
    target_user: str  # a plain user, the object of account and role operations
    target_member: str  # holds MEMBER in the community
    free_expert: str  # an EXPERT not yet assigned
    n: int  # unique per case, for emails
    units: list[str]  # the community's: a leader and two members
    site: str  # an active site in no community
    call: str  # an open call for experiment sites
    application: str  # the target user's application to it
    activity: str  # the community's, held yesterday
    programme_activity: str
    semi_annual: str  # the community's semi-annual report
    exit: str  # a unit's exit from the community
    audit_run: str  # a finished audit of the community
    finding: str  # an open finding of the community
    news: str  # a draft of the community's news
    topic: str  # the national research topic
    pending_sub_topic: str  # the community's, awaiting review
    recognition: str  # the community's demonstration-community title, in force
    approved_sub_topic: str  # the community's, under way
    achievement: str  # the community's, kept to it
    invoice: str  # a member unit's, open, due in a month
    round: str  # an open evaluation round taking cases
    nomination: str  # the achievement's, in that round
    assignment: str  # the nomination's, assigned to the role "expert"


Call = Callable[[World], tuple[str, dict[str, Any]]]


def _q(query: str, **variables: Any) -> Call:
    return lambda w: (query, {k: v(w) if callable(v) else v for k, v in variables.items()})


OPERATIONS: dict[str, tuple[Call, set[str]]] = {
    "Query.me": (_q("{ me { email } }"), EVERYONE),
    "Query.node": (
        _q("query ($id: ID!) { node(id: $id) { id } }", id=lambda w: w.community_id),
        EVERYONE,
    ),
    "Query.community": (
        _q("query ($s: String!) { community(slug: $s) { name } }", s=lambda w: w.slug),
        EVERYONE,
    ),
    "Query.communities": (_q("{ communities { totalCount } }"), EVERYONE),
    "Query.units": (_q("{ units { totalCount } }"), EVERYONE),
    "Query.users": (_q("{ users { totalCount } }"), PROJECT_GROUP),
    "Query.auditLog": (
        _q(
            "query ($s: String) { auditLog(communitySlug: $s) { totalCount } }",
            s=lambda w: w.slug,
        ),
        {"leader", "project_group"},
    ),
    "Mutation.register": (
        _q(
            'mutation ($e: String!) { register(input: {email: $e, password: "long-enough-pw",'
            ' displayName: "新用户"}) { token errors { code } } }',
            e=lambda w: f"new{w.n}@example.cn",
        ),
        EVERYONE,
    ),
    "Mutation.login": (
        _q(
            'mutation { login(input: {email: "target@example.cn", password: "wrong-password"})'
            " { token errors { code } } }"
        ),
        EVERYONE,
    ),
    "Mutation.logout": (_q("mutation { logout { ok } }"), SIGNED_IN),
    "Mutation.createUser": (
        _q(
            'mutation ($e: String!) { createUser(input: {email: $e, password: "long-enough-pw",'
            ' displayName: "新用户"}) { errors { code } } }',
            e=lambda w: f"made{w.n}@example.cn",
        ),
        PROJECT_GROUP,
    ),
    "Mutation.deactivateUser": (
        _q(
            "mutation ($u: ID!) { deactivateUser(input: {userId: $u}) { errors { code } } }",
            u=lambda w: w.target_user,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.grantRole": (
        _q(
            "mutation ($u: ID!, $s: String) { grantRole(input: {userId: $u, role: DEPUTY,"
            " communitySlug: $s}) { errors { code } } }",
            u=lambda w: w.target_user,
            s=lambda w: w.slug,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.revokeRole": (
        _q(
            "mutation ($u: ID!, $s: String) { revokeRole(input: {userId: $u, role: MEMBER,"
            " communitySlug: $s}) { errors { code } } }",
            u=lambda w: w.target_member,
            s=lambda w: w.slug,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.assignExpert": (
        _q(
            "mutation ($u: ID!, $s: String!) { assignExpert(input: {userId: $u,"
            " communitySlug: $s}) { errors { code } } }",
            u=lambda w: w.free_expert,
            s=lambda w: w.slug,
        ),
        PROJECT_GROUP,
    ),
    "Query.exits": (_q("{ exits { totalCount } }"), EVERYONE),
    "Query.programmeStatistics": (
        _q("{ programmeStatistics { activitiesByMonth { count } } }"),
        EVERYONE,
    ),
    "Query.applicationCalls": (_q("{ applicationCalls { totalCount } }"), EVERYONE),
    "Query.applications": (_q("{ applications { totalCount } }"), SIGNED_IN),
    "Query.programmeActivities": (_q("{ programmeActivities { totalCount } }"), SIGNED_IN),
    "Query.notifications": (_q("{ notifications { totalCount } }"), SIGNED_IN),
    "Community.activities": (
        _q(
            "query ($s: String!) { community(slug: $s) { activities { totalCount } } }",
            s=lambda w: w.slug,
        ),
        IN_COMMUNITY,
    ),
    "Community.reports": (
        _q(
            "query ($s: String!) { community(slug: $s) { reports { totalCount } } }",
            s=lambda w: w.slug,
        ),
        IN_COMMUNITY,
    ),
    "Community.reportsDue": (
        _q(
            "query ($s: String!) { community(slug: $s) { reportsDue { dueOn } } }",
            s=lambda w: w.slug,
        ),
        IN_COMMUNITY,
    ),
    "Activity.attendance": (
        _q(
            "query ($a: ID!) { node(id: $a) { ... on Activity { title attendance { status } } } }",
            a=lambda w: w.activity,
        ),
        IN_COMMUNITY,
    ),
    "Mutation.createUnit": (
        _q(
            'mutation ($c: String!) { createUnit(input: {name: "新实验点", level: COUNTY,'
            " divisionCode: $c}) { errors { code } } }",
            c=lambda w: f"3301{w.n % 90 + 10:02d}",
        ),
        PROJECT_GROUP,
    ),
    "Mutation.openApplicationCall": (
        _q(
            'mutation { openApplicationCall(input: {title: "申报", year: 2026,'
            ' opensOn: "2026-01-01", closesOn: "2026-12-31"}) { errors { code } } }'
        ),
        PROJECT_GROUP,
    ),
    "Mutation.submitApplication": (
        _q(
            "mutation ($i: SubmitApplicationInput!) { submitApplication(input: $i) { errors { code } } }",
            i=lambda w: application(w.call, "申报单位", f"3302{w.n % 90 + 10:02d}"),
        ),
        SIGNED_IN,
    ),
    "Mutation.reviewApplication": (
        _q(
            "mutation ($a: ID!) { reviewApplication(input: {applicationId: $a, decision: APPROVE})"
            " { errors { code } } }",
            a=lambda w: w.application,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.publishSiteList": (
        _q(
            "mutation ($c: ID!) { publishSiteList(input: {callId: $c}) { errors { code } } }",
            c=lambda w: w.call,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.withdrawSite": (
        _q(
            'mutation ($u: ID!) { withdrawSite(input: {unitId: $u, reason: "撤并"}) { errors { code } } }',
            u=lambda w: w.site,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.reinstate": (
        _q(
            'mutation ($e: ID!) { reinstate(input: {exitId: $e, reason: "经核实恢复"}) { errors { code } } }',
            e=lambda w: w.exit,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.createCommunity": (
        _q(
            "mutation ($s: String!, $l: ID!, $m: [ID!]!) { createCommunity(input: {slug: $s,"
            ' name: "新共同体", region: YANGTZE_RIVER_DELTA, level: COUNTY,'
            ' themes: [ELDERLY_EDUCATION], cycleStart: "2026-01-01", leaderUnitId: $l,'
            " deputyUnitIds: [], memberUnitIds: $m}) { errors { code } } }",
            s=lambda w: f"new-{w.n}",
            l=lambda w: w.units[0],
            m=lambda w: w.units[1:],
        ),
        PROJECT_GROUP,
    ),
    "Mutation.addMember": (
        _q(
            "mutation ($s: String!, $u: ID!) { addMember(input: {communitySlug: $s, unitId: $u,"
            " role: MEMBER}) { errors { code } } }",
            s=lambda w: w.slug,
            u=lambda w: w.site,
        ),
        {"leader", "project_group"},
    ),
    "Mutation.leaveCommunity": (
        _q(
            "mutation ($s: String!, $u: ID!) { leaveCommunity(input: {communitySlug: $s,"
            ' unitId: $u, reason: "书面申请"}) { errors { code } } }',
            s=lambda w: w.slug,
            u=lambda w: w.units[2],
        ),
        {"leader", "project_group"},
    ),
    "Mutation.changeMemberRole": (
        _q(
            "mutation ($s: String!, $u: ID!) { changeMemberRole(input: {communitySlug: $s,"
            " unitId: $u, role: DEPUTY}) { errors { code } } }",
            s=lambda w: w.slug,
            u=lambda w: w.units[1],
        ),
        {"leader", "project_group"},
    ),
    "Mutation.renewCycle": (
        _q(
            "mutation ($s: String!) { renewCycle(input: {communitySlug: $s}) { errors { code } } }",
            s=lambda w: w.slug,
        ),
        {"leader", "project_group"},
    ),
    "Mutation.scheduleActivity": (
        _q(
            "mutation ($s: String!) { scheduleActivity(input: {communitySlug: $s, kind: SEMINAR,"
            ' title: "研讨会", heldOn: "2026-06-01"}) { errors { code } } }',
            s=lambda w: w.slug,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.scheduleActivity-project-wide": (
        _q(
            'mutation { scheduleActivity(input: {kind: TRAINING, title: "全国培训",'
            ' heldOn: "2026-06-01"}) { errors { code } } }'
        ),
        PROJECT_GROUP,
    ),
    "Mutation.recordAttendance": (
        _q(
            "mutation ($a: ID!, $u: ID!) { recordAttendance(input: {activityId: $a,"
            " entries: [{unitId: $u, status: ATTENDED}]}) { errors { code } } }",
            a=lambda w: w.activity,
            u=lambda w: w.units[1],
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.recordAttendance-project-wide": (
        _q(
            "mutation ($a: ID!, $u: ID!) { recordAttendance(input: {activityId: $a,"
            " entries: [{unitId: $u, status: ATTENDED}]}) { errors { code } } }",
            a=lambda w: w.programme_activity,
            u=lambda w: w.units[1],
        ),
        PROJECT_GROUP,
    ),
    "Mutation.importAttendance": (
        _q(
            "mutation ($a: ID!, $f: ID!) { importAttendance(input: {activityId: $a,"
            " uploadId: $f}) { errors { code } } }",
            a=lambda w: w.activity,
            f=lambda w: ids.encode("Upload", 1),
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.submitReport": (
        _q(
            "mutation ($s: String!) { submitReport(input: {communitySlug: $s, kind: PLAN,"
            ' year: 2027, title: "计划", body: "全年计划"}) { errors { code } } }',
            s=lambda w: w.slug,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.reviewReport": (
        _q(
            'mutation ($r: ID!) { reviewReport(input: {reportId: $r, comment: "意见"})'
            " { errors { code } } }",
            r=lambda w: w.semi_annual,
        ),
        {"expert", "project_group"},
    ),
    "Query.activities": (
        _q("{ activities(region: YANGTZE_RIVER_DELTA, first: 5) { totalCount } }"),
        PROJECT_GROUP,
    ),
    "Query.findings": (_q("{ findings { totalCount } }"), SIGNED_IN),
    "Query.programmeFindings": (_q("{ programmeFindings { totalCount } }"), PROJECT_GROUP),
    "Query.programmeCompliance": (
        _q("{ programmeCompliance { open compliant worst { slug } } }"),
        PROJECT_GROUP,
    ),
    "Query.auditRun": (
        _q("query ($r: ID!) { auditRun(id: $r) { status } }", r=lambda w: w.audit_run),
        IN_COMMUNITY,
    ),
    # As `auditRun`: a community's runs for whoever reads the community ...
    "Query.auditRuns": (
        _q(
            "query ($s: String) { auditRuns(communitySlug: $s) { totalCount } }",
            s=lambda w: w.slug,
        ),
        IN_COMMUNITY,
    ),
    # ... and, without one, the runs of the reader's own communities (none for some).
    "Query.auditRuns-everywhere": (_q("{ auditRuns { totalCount } }"), SIGNED_IN),
    "Community.findings": (
        _q(
            "query ($s: String!) { community(slug: $s) { findings { totalCount } } }",
            s=lambda w: w.slug,
        ),
        IN_COMMUNITY,
    ),
    "Community.compliance": (
        _q(
            "query ($s: String!) { community(slug: $s) { compliance { errors compliant } } }",
            s=lambda w: w.slug,
        ),
        IN_COMMUNITY,
    ),
    "Mutation.runAudit": (
        _q(
            "mutation ($s: String) { runAudit(input: {communitySlug: $s}) { auditRun { status } errors { code } } }",
            s=lambda w: w.slug,
        ),
        {"leader", "expert", "project_group"},
    ),
    "Mutation.runAudit-national": (
        _q("mutation { runAudit(input: {}) { auditRun { status } errors { code } } }"),
        PROJECT_GROUP,
    ),
    "Mutation.waiveFinding": (
        _q(
            'mutation ($f: ID!) { waiveFinding(input: {findingId: $f, reason: "已书面说明"}) { errors { code } } }',
            f=lambda w: w.finding,
        ),
        PROJECT_GROUP,
    ),
    "Query.programmeNews": (_q("{ programmeNews { totalCount } }"), EVERYONE),
    "Community.news": (
        _q(
            "query ($s: String!) { community(slug: $s) { news { totalCount } } }",
            s=lambda w: w.slug,
        ),
        EVERYONE,
    ),
    "Community.publicActivities": (
        _q(
            "query ($s: String!) { community(slug: $s) { publicActivities { totalCount } } }",
            s=lambda w: w.slug,
        ),
        EVERYONE,
    ),
    "Mutation.createNews": (
        _q(
            'mutation ($s: String!) { createNews(input: {communitySlug: $s, title: "新闻",'
            ' body: "正文"}) { errors { code } } }',
            s=lambda w: w.slug,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.updateNews": (
        _q(
            'mutation ($n: ID!) { updateNews(input: {id: $n, title: "改"}) { errors { code } } }',
            n=lambda w: w.news,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.publishNews": (
        _q(
            "mutation ($n: ID!) { publishNews(input: {id: $n}) { errors { code } } }",
            n=lambda w: w.news,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.unpublishNews": (
        _q(
            "mutation ($n: ID!) { unpublishNews(input: {id: $n}) { errors { code } } }",
            n=lambda w: w.news,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.featureNews": (
        _q(
            "mutation ($n: ID!) { featureNews(input: {id: $n, featured: true})"
            " { errors { code } } }",
            n=lambda w: w.news,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.updateCommunityProfile": (
        _q(
            "mutation ($s: String!) { updateCommunityProfile(input: {communitySlug: $s,"
            ' colour: "#1a5fb4"}) { errors { code } } }',
            s=lambda w: w.slug,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.setActivityPublic": (
        _q(
            "mutation ($a: ID!) { setActivityPublic(input: {activityId: $a, isPublic: true})"
            " { errors { code } } }",
            a=lambda w: w.activity,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Query.researchTopics": (_q("{ researchTopics { totalCount } }"), EVERYONE),
    "Community.subTopics": (
        _q(
            "query ($s: String!) { community(slug: $s) { subTopics { totalCount } } }",
            s=lambda w: w.slug,
        ),
        EVERYONE,
    ),
    "SubTopic.plan": (
        _q(
            "query ($s: String!) { community(slug: $s) { subTopics { edges { node { plan } } } } }",
            s=lambda w: w.slug,
        ),
        IN_COMMUNITY,
    ),
    "Mutation.openResearchTopic": (
        _q(
            'mutation { openResearchTopic(input: {title: "总课题", year: 2026})'
            " { errors { code } } }"
        ),
        PROJECT_GROUP,
    ),
    "Mutation.registerSubTopic": (
        _q(
            "mutation ($t: ID!, $s: String!) { registerSubTopic(input: {topicId: $t,"
            ' communitySlug: $s, title: "子课题", leaderName: "王", plan: "计划"})'
            " { errors { code } } }",
            t=lambda w: w.topic,
            s=lambda w: w.slug,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.reviewSubTopic": (
        _q(
            "mutation ($i: ID!) { reviewSubTopic(input: {id: $i, decision: APPROVE})"
            " { errors { code } } }",
            i=lambda w: w.pending_sub_topic,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.submitTopicReport": (
        _q(
            "mutation ($i: ID!) { submitTopicReport(input: {subTopicId: $i, stage: PROGRESS,"
            ' body: "进展"}) { errors { code } } }',
            i=lambda w: w.approved_sub_topic,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Query.achievements": (_q("{ achievements { totalCount } }"), EVERYONE),
    "Community.achievements": (
        _q(
            "query ($s: String!) { community(slug: $s) { achievements { totalCount } } }",
            s=lambda w: w.slug,
        ),
        EVERYONE,
    ),
    "Mutation.submitAchievement": (
        _q(
            "mutation ($s: String!) { submitAchievement(input: {kind: CASE, communitySlug: $s,"
            ' title: "案例", summary: "简介", authors: ["王"], visibility: PUBLIC})'
            " { errors { code } } }",
            s=lambda w: w.slug,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.updateAchievement": (
        _q(
            'mutation ($i: ID!) { updateAchievement(input: {id: $i, title: "改"})'
            " { errors { code } } }",
            i=lambda w: w.achievement,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.setAchievementVisibility": (
        _q(
            "mutation ($i: ID!) { setAchievementVisibility(input: {id: $i, visibility: PUBLIC})"
            " { errors { code } } }",
            i=lambda w: w.achievement,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Query.recognitions": (_q("{ recognitions { totalCount } }"), EVERYONE),
    "Query.certificate": (_q('{ certificate(number: "GX-2026-0001") { number } }'), EVERYONE),
    "Community.recognitions": (
        _q(
            "query ($s: String!) { community(slug: $s) { recognitions { totalCount } } }",
            s=lambda w: w.slug,
        ),
        EVERYONE,
    ),
    "Mutation.grantRecognition": (
        _q(
            "mutation ($s: String!) { grantRecognition(input: {kind: FEATURED_COMMUNITY,"
            " year: 2026, communitySlug: $s}) { errors { code } } }",
            s=lambda w: w.slug,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.revokeRecognition": (
        _q(
            'mutation ($i: ID!) { revokeRecognition(input: {id: $i, reason: "录入错误"})'
            " { errors { code } } }",
            i=lambda w: w.recognition,
        ),
        PROJECT_GROUP,
    ),
    "Query.evaluationRounds": (_q("{ evaluationRounds { totalCount } }"), EVERYONE),
    "Query.reviewQueue": (_q("{ reviewQueue { totalCount } }"), {"expert"}),
    "Mutation.openEvaluationRound": (
        _q(
            'mutation { openEvaluationRound(input: {title: "评审", year: 2026, kinds: [CASE],'
            ' closesOn: "2099-01-01", criteria: [{name: "创新性", weight: 1}]})'
            " { errors { code } } }"
        ),
        PROJECT_GROUP,
    ),
    "Mutation.nominate": (
        _q(
            "mutation ($r: ID!, $a: ID!) { nominate(input: {roundId: $r, achievementId: $a})"
            " { errors { code } } }",
            r=lambda w: w.round,
            a=lambda w: w.achievement,
        ),
        {"leader", "deputy", "project_group"},
    ),
    "Mutation.assignReviewer": (
        _q(
            "mutation ($n: ID!, $e: ID!) { assignReviewer(input: {nominationId: $n,"
            " expertUserId: $e}) { errors { code } } }",
            n=lambda w: w.nomination,
            e=lambda w: w.free_expert,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.declareConflict": (
        _q(
            'mutation ($a: ID!) { declareConflict(input: {assignmentId: $a, reason: "回避"})'
            " { errors { code } } }",
            a=lambda w: w.assignment,
        ),
        {"expert", "project_group"},
    ),
    "Mutation.submitReview": (
        _q(
            "mutation ($a: ID!) { submitReview(input: {assignmentId: $a, scores:"
            ' [{criterion: "创新性", score: 90}], comment: "好"}) { errors { code } } }',
            a=lambda w: w.assignment,
        ),
        {"expert", "project_group"},
    ),
    "Mutation.closeEvaluationRound": (
        _q(
            "mutation ($r: ID!) { closeEvaluationRound(input: {roundId: $r}) { errors { code } } }",
            r=lambda w: w.round,
        ),
        PROJECT_GROUP,
    ),
    "Query.feeSchedules": (_q("{ feeSchedules { totalCount } }"), EVERYONE),
    # Signed in: each reads the invoices it may (none, for most), never another unit's.
    "Query.invoices": (_q("{ invoices { totalCount } }"), SIGNED_IN),
    "Query.arrears": (_q("{ arrears { totalCount } }"), SIGNED_IN),
    "Query.arrearsByRegion": (_q("{ arrearsByRegion { owedFen } }"), SIGNED_IN),
    "Unit.balanceFen": (
        _q(
            "query ($id: ID!) { node(id: $id) { ... on Unit { balanceFen } } }",
            id=lambda w: w.units[1],
        ),
        EVERYONE,
    ),
    "Mutation.setFeeSchedule": (
        _q(
            "mutation { setFeeSchedule(input: {year: 2026, kind: TRAINING, amountFen: 100})"
            " { errors { code } } }"
        ),
        PROJECT_GROUP,
    ),
    "Mutation.issueInvoice": (
        _q(
            "mutation ($s: String!) { issueInvoice(input: {communitySlug: $s, dueOn:"
            ' "2026-12-31", lines: [{kind: SUB_SITE, amountFen: 100}]}) { errors { code } } }',
            s=lambda w: w.slug,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.issueMemberInvoices": (
        _q(
            "mutation ($s: String!) { issueMemberInvoices(input: {communitySlug: $s, dueOn:"
            ' "2026-12-31", lines: [{kind: CONFERENCE, amountFen: 100}]}) { errors { code } } }',
            s=lambda w: w.slug,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.issueAttendeeInvoices": (
        _q(
            "mutation ($a: ID!) { issueAttendeeInvoices(input: {activityId: $a, dueOn:"
            ' "2026-12-31", lines: [{kind: CONFERENCE, amountFen: 100}]}) { errors { code } } }',
            a=lambda w: w.programme_activity,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.recordPayment": (
        _q(
            "mutation ($i: ID!) { recordPayment(input: {invoiceId: $i, amountFen: 100, paidOn:"
            ' "2026-01-05", method: "转账", idempotencyKey: "k"}) { errors { code } } }',
            i=lambda w: w.invoice,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.refundPayment": (
        _q(
            "mutation ($i: ID!) { refundPayment(input: {invoiceId: $i, amountFen: 100,"
            ' refundedOn: "2026-01-05", method: "转账", reason: "退还", idempotencyKey: "r"})'
            " { errors { code } } }",
            i=lambda w: w.invoice,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.cancelInvoice": (
        _q(
            'mutation ($i: ID!) { cancelInvoice(input: {id: $i, reason: "重复开具"})'
            " { errors { code } } }",
            i=lambda w: w.invoice,
        ),
        PROJECT_GROUP,
    ),
    "Mutation.markNotificationsRead": (
        _q("mutation { markNotificationsRead(input: {notificationIds: []}) { marked } }"),
        SIGNED_IN,
    ),
}

_counter = itertools.count()


async def _life_cycle(
    runtime, community_id: int, units, applicant_id: int, expert_id: int
) -> dict[str, str]:
    """A call with an application, an activity of each kind, a report and an exit."""
    yesterday = today() - dt.timedelta(days=1)
    (site,) = await make_units(runtime, 1)
    async with runtime.database.transaction(community_id) as session:
        call = ApplicationCall(
            title="申报", year=2026, opens_on=yesterday, closes_on=today() + dt.timedelta(days=9)
        )
        session.add(call)
        await session.flush()
        submitted = Application(
            call_id=call.id,
            applicant_user_id=applicant_id,
            unit_name="申报单位",
            level=Level.COUNTY,
            division_code="330106",
            province="33",
            address="杭州",
            responsible_person="张",
            project_team="张、李",
        )
        activity = Activity(
            community_id=community_id, kind=ActivityKind.SEMINAR, title="研讨", held_on=yesterday
        )
        programme = ProgrammeActivity(kind=ActivityKind.TRAINING, title="培训", held_on=yesterday)
        semi = Report(
            community_id=community_id,
            kind=ReportKind.SEMI_ANNUAL,
            year=2026,
            half=1,
            title="半年报",
            body="概况",
            due_on=dt.date(2026, 7, 15),
            submitted_on=dt.date(2026, 7, 1),
            late=False,
        )
        gone = ExitRecord(
            unit_id=site.id,
            community_id=community_id,
            scope=ExitScope.COMMUNITY,
            kind=SiteStatus.WITHDRAWN,
            exited_on=yesterday,
            reason="书面申请",
            evidence=[],
        )
        run = AuditRun(community_id=community_id, status=AuditRunStatus.SUCCEEDED, counts={})
        finding = Finding(
            community_id=community_id,
            rule="theme",
            article="16(2)",
            severity=Severity.ERROR,
            status=FindingStatus.OPEN,
            subject="community",
            period="",
            message_zh="未选择共同体项目",
            message_en="no theme",
            evidence=[],
            fingerprint="x",
            first_seen_at=dt.datetime.now(dt.UTC),
            last_seen_at=dt.datetime.now(dt.UTC),
        )
        draft = News(
            community_id=community_id,
            title="草稿",
            body="正文",
            body_html="<p>正文</p>",
            author_user_id=applicant_id,
        )
        topic = ResearchTopic(title="区域协同服务全民终身学习实践研究", year=2026)
        honour = Recognition(
            community_id=community_id,
            kind=RecognitionKind.MODEL_COMMUNITY,
            year=2026,
            holder_name="示范共同体",
            number="GX-2026-0001",
            granted_on=yesterday,
        )
        session.add_all(
            [submitted, activity, programme, semi, gone, run, finding, draft, topic, honour]
        )
        await session.flush()
        pending, approved = (
            SubTopic(
                community_id=community_id,
                topic_id=topic.id,
                title=f"子课题{status.zh}",
                leader_name="王",
                plan="计划",
                status=status,
            )
            for status in (SubTopicStatus.PENDING, SubTopicStatus.APPROVED)
        )
        kept = Achievement(
            community_id=community_id,
            kind=AchievementKind.CASE,
            title="社区治理典型案例",
            summary="简介",
            authors=["王"],
            visibility=Visibility.COMMUNITY,
        )
        opened = EvaluationRound(
            title="评审",
            year=2026,
            kinds=["CASE"],
            closes_on=today() + dt.timedelta(days=9),
            criteria=[{"name": "创新性", "weight": 1}],
        )
        session.add_all([pending, approved, kept, opened])
        await session.flush()
        nominated = Nomination(
            community_id=community_id, round_id=opened.id, achievement_id=kept.id
        )
        session.add(nominated)
        await session.flush()
        assigned = ReviewAssignment(
            community_id=community_id, nomination_id=nominated.id, expert_user_id=expert_id
        )
        session.add(assigned)
        owed = Invoice(
            community_id=community_id,
            unit_id=units[1].id,
            number="FY-2026-000001",
            year=2026,
            total_fen=10000,
            issued_on=yesterday,
            due_on=today() + dt.timedelta(days=30),
            status=InvoiceStatus.OPEN,
        )
        session.add(owed)
        await session.flush()
        session.add(
            FeeEntry(
                community_id=community_id,
                invoice_id=owed.id,
                unit_id=units[1].id,
                kind=LedgerEntryKind.CHARGE,
                amount_fen=10000,
                entered_on=yesterday,
            )
        )
        session.add_all(
            [
                *(
                    Attendance(community_id=community_id, activity_id=activity.id, unit_id=u.id)
                    for u in units
                ),
                *(ProgrammeAttendance(activity_id=programme.id, unit_id=u.id) for u in units),
            ]
        )
    return {
        "units": [ids.encode("Unit", u.id) for u in units],
        "site": ids.encode("Unit", site.id),
        "call": ids.encode("ApplicationCall", call.id),
        "application": ids.encode("Application", submitted.id),
        "activity": ids.encode("Activity", community_id, activity.id),
        "programme_activity": ids.encode("ProgrammeActivity", programme.id),
        "recognition": ids.encode("Recognition", honour.id),
        "semi_annual": ids.encode("Report", community_id, semi.id),
        "exit": ids.encode("Exit", gone.id),
        "audit_run": ids.encode("AuditRun", run.id),
        "finding": ids.encode("Finding", community_id, finding.id),
        "news": ids.encode("News", community_id, draft.id),
        "topic": ids.encode("ResearchTopic", topic.id),
        "pending_sub_topic": ids.encode("SubTopic", community_id, pending.id),
        "approved_sub_topic": ids.encode("SubTopic", community_id, approved.id),
        "achievement": ids.encode("Achievement", community_id, kept.id),
        "round": ids.encode("EvaluationRound", opened.id),
        "nomination": ids.encode("Nomination", community_id, nominated.id),
        "assignment": ids.encode("ReviewAssignment", community_id, assigned.id),
        "invoice": ids.encode("Invoice", community_id, owed.id),
    }


async def _world(runtime) -> tuple[World, dict[str, dict[str, str]]]:
    community, units = await make_community(runtime, "yrd-a")
    await make_community(runtime, "yrd-b")
    cid = community.id
    grants = {
        "applicant": (),
        "member": (("MEMBER", cid),),
        "deputy": (("DEPUTY", cid),),
        "leader": (("LEADER", cid),),
        "expert": (("EXPERT", None), ("EXPERT_ASSIGNED", cid)),
        "project_group": (("PROJECT_GROUP", None),),
    }
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    made: dict[str, int] = {}
    for role, held in grants.items():
        user, token = await make_user(runtime, f"{role}@example.cn", *held)
        headers[role] = bearer(token)
        made[role] = user.id
    target, _ = await make_user(runtime, "target@example.cn")
    member, _ = await make_user(runtime, "member2@example.cn", ("MEMBER", cid))
    expert, _ = await make_user(runtime, "expert2@example.cn", ("EXPERT", None))
    world = World(
        slug="yrd-a",
        community_id=ids.encode("Community", cid),
        target_user=ids.encode("User", target.id),
        target_member=ids.encode("User", member.id),
        free_expert=ids.encode("User", expert.id),
        n=next(_counter),
        **await _life_cycle(runtime, cid, units, target.id, made["expert"]),
    )
    return world, headers


CASES = [(op, role) for op in OPERATIONS for role in ROLES]


@pytest.mark.parametrize(("operation", "role"), CASES, ids=[f"{o}-{r}" for o, r in CASES])
async def test_policy_matrix(client, runtime, operation, role):
    world, headers = await _world(runtime)
    call, allowed = OPERATIONS[operation]
    query, variables = call(world)

    body = await gql(client, query, variables, headers=headers[role])

    refusals = {"UNAUTHENTICATED", "FORBIDDEN"} & set(error_codes(body))
    if role in allowed:
        assert not refusals, body
    else:
        expected = "UNAUTHENTICATED" if role == "anonymous" else "FORBIDDEN"
        assert refusals == {expected}, body


def test_every_operation_has_a_row():
    schema = graphql_schema(SCHEMA)
    operations = {f"Query.{name}" for name in schema.query_type.fields}
    operations |= {f"Mutation.{name}" for name in schema.mutation_type.fields}
    root_rows = {op.split("-")[0] for op in OPERATIONS if op.split(".")[0] in ("Query", "Mutation")}
    assert operations == root_rows
