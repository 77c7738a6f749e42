"""Every statement that reads a community's rows says which community in its own SQL: run
here as the owner of the tables (row-level security does not apply to it), each returns A's
rows and none of B's. A dropped `community_id` condition fails here, though in production
row-level security would still hide it."""

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from sqlalchemy import BigInteger, bindparam, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

import server
from schema.core import loaders
from schema.core.projection import PROJECTIONS
from server.access import queries as access_queries
from server.access.guard import Actor, Guard
from server.accounts import queries as users_queries
from server.accounts.models import User
from server.achievements import queries as achievement_queries
from server.achievements.models import Achievement
from server.activities import queries as activities_queries
from server.activities.models import Activity, Attendance
from server.activities.service import enact_absences
from server.admission import queries as admission_queries
from server.audit.service import entries_statement
from server.communities import queries as communities_queries
from server.communities.models import Community, Membership
from server.compliance import national
from server.compliance import service as compliance_service
from server.compliance.models import AuditRun
from server.evaluation import queries as evaluation_queries
from server.evaluation.models import EvaluationRound, Nomination, ReviewAssignment
from server.fees import queries as fees_queries
from server.fees.models import FeeEntry, Invoice
from server.fees.readers import InvoiceReaders
from server.news import queries as news_queries
from server.news.models import News
from server.notifications.service import inbox_statement
from server.recognition import queries as recognition_queries
from server.recognition.models import Recognition
from server.reports import queries as reports_queries
from server.research import queries as research_queries
from server.research.models import ResearchTopic, SubTopic, TopicReport
from server.sql_count import note_statement
from server.statistics import queries as statistics_queries
from server.units import queries as units_queries
from server.units.models import ExitRecord, Unit
from server.vocabulary import (
    AchievementKind,
    ActivityKind,
    AttendanceStatus,
    AuditRunStatus,
    ExitScope,
    InvoiceStatus,
    LedgerEntryKind,
    MembershipRole,
    MembershipStatus,
    NewsStatus,
    RecognitionKind,
    Region,
    SiteStatus,
    SubTopicStatus,
    TopicStage,
    Visibility,
)
from tests.two_communities import seed

ABSENT = AttendanceStatus.ABSENT

# Statement builders that read no community's own business, and why.
NOT_A_TENANTS = {
    communities_queries.communities_statement: "the list of communities is public (Art. 17)",
    units_queries.units_statement: "the list of experiment sites is public",
    admission_queries.calls_statement: "calls for applications are published",
    admission_queries.may_read_application: "a decision on one row, not a statement",
    activities_queries.programme_activities_statement: "the project group's own activities",
    note_statement: "counts statements; builds none",
    compliance_service.programme_findings_statement: "findings about the programme itself",
    access_queries.holders_statement: "the programme's role grants, read by the project group",
    users_queries.users_statement: "the programme's accounts, listed to the project group only",
    **dict.fromkeys(
        (
            statistics_queries.communities_by_region,
            statistics_queries.communities_by_level,
            statistics_queries.sites_by_level,
            statistics_queries.sites_by_province,
            statistics_queries.activities_by_month,
        ),
        "national counts, public; no community's rows (tests/schema/test_statistics.py)",
    ),
    news_queries.programme_news_statement: "published news is public (Art. 5(6), 16(10))",
    news_queries.matching: "a condition of the news statements, which scope it",
    news_queries.shows_upload: "whether published news, public, shows an upload",
    research_queries.research_topics_statement: "the national research topics are public",
    achievement_queries.matching: "a condition of the achievement statements, which scope it",
    achievement_queries.readable: "a condition of the achievement statements, which scope it",
    achievement_queries.shows_upload: "whether a public achievement, public, shows an upload",
    recognition_queries.recognitions_statement: "recognitions are public (Art. 6(5)): verified by anyone",
    evaluation_queries.rounds_statement: "evaluation rounds are public programme information",
    recognition_queries.chosen_brands: "a national count of national brands a year (Art. 6(5))",
    recognition_queries.in_force: "a condition of the recognition statements",
    fees_queries.schedules_page: "the fee schedules are programme information (Art. 20)",
    fees_queries.paid: "a condition of the fee statements, which scope them",
    fees_queries.invoice_paid: "a sum over an invoice already read under its walls",
    fees_queries.invoice_balance: "a sum over an invoice already read under its walls",
    fees_queries.invoice_lines: "lines of an invoice already read under its walls",
    fees_queries.invoice_entries: "entries of an invoice already read under its walls",
    fees_queries.invoice_payments: "payments of an invoice already read under its walls",
    fees_queries.lines_statement: "lines of invoices already read under their walls, by id",
    fees_queries.entries_statement: "entries of invoices already read under their walls, by id",
    fees_queries.unit_balances_statement: (
        "per unit and community; the reader's walls kept by `InvoiceReaders.may_read` "
        "(tests/schema/fees/test_fees.py)"
    ),
    fees_queries.community_balances_statement: (
        "per community; read only for the project group and the community's leader "
        "(`Community.balanceFen`, tests/schema/fees/test_fees.py)"
    ),
    research_queries.topic_sub_topics_statement: (
        "approved sub-topics under a national topic are public programme information (16(7))"
    ),
}


async def _rows(owner, statement, **values):
    async with owner.connect() as conn:
        return (await conn.execute(statement, values)).all()


@pytest.fixture
async def two(runtime, owner):
    return await seed(runtime, owner)


async def test_activities_statement(owner, two):
    rows = await _rows(owner, activities_queries.activities_statement(two.a.id))
    assert [r.id for r in rows] == [two.a.activity_id]


async def test_public_activities_statement(owner, two):
    async with AsyncSession(owner) as session, session.begin():
        await session.execute(update(Activity).values(is_public=True))
    rows = await _rows(owner, activities_queries.public_activities_statement(two.a.id))
    assert [r.id for r in rows] == [two.a.activity_id]


async def test_community_news_statement(owner, two):
    async with AsyncSession(owner) as session, session.begin():
        for side in (two.a, two.b):
            for status in NewsStatus:
                session.add(
                    News(
                        community_id=side.id,
                        title=f"{side.slug} {status.value}",
                        body="正文",
                        body_html="<p>正文</p>",
                        status=status,
                        author_user_id=side.leader_id,
                    )
                )
    drafts = await _rows(owner, news_queries.community_news_statement(two.a.id, drafts=True))
    public = await _rows(owner, news_queries.community_news_statement(two.a.id, "正文"))

    assert sorted(r.title for r in drafts) == ["scope-a DRAFT", "scope-a PUBLISHED"]
    assert [r.title for r in public] == ["scope-a PUBLISHED"]


async def _invoices(owner, two) -> dict[int, int]:
    """An open invoice of 100 yuan, overdue, to the first member unit of A and of B, both
    units in both communities' names; {community id: invoice id}."""
    made = {}
    async with AsyncSession(owner) as session, session.begin():
        for side in (two.a, two.b):
            invoice = Invoice(
                community_id=side.id,
                unit_id=side.units[1].id,
                number=f"FY-2026-{side.id:06d}",
                year=2026,
                total_fen=10000,
                issued_on=dt.date(2026, 1, 1),
                due_on=dt.date(2026, 1, 31),
                status=InvoiceStatus.OPEN,
            )
            session.add(invoice)
            await session.flush()
            session.add(
                FeeEntry(
                    community_id=side.id,
                    invoice_id=invoice.id,
                    unit_id=side.units[1].id,
                    kind=LedgerEntryKind.CHARGE,
                    amount_fen=10000,
                    entered_on=dt.date(2026, 1, 1),
                )
            )
            made[side.id] = invoice.id
    return made


def _leader_of(community_id: int) -> InvoiceReaders:
    return InvoiceReaders(False, frozenset({community_id}), None)


async def test_invoices_statement(owner, two):
    made = await _invoices(owner, two)
    a = two.a.id
    led = await _rows(owner, fees_queries.invoices_statement(_leader_of(a)))
    staff = await _rows(
        owner,
        fees_queries.invoices_statement(InvoiceReaders(False, frozenset(), two.a.units[1].id)),
    )
    everyone = InvoiceReaders(True, frozenset(), None)
    named = await _rows(owner, fees_queries.invoices_statement(everyone, a))
    nobody = await _rows(
        owner, fees_queries.invoices_statement(InvoiceReaders(False, frozenset(), None))
    )

    assert [r.id for r in led] == [r.id for r in staff] == [r.id for r in named] == [made[a]]
    assert nobody == []


async def test_arrears_statement(owner, two):
    made = await _invoices(owner, two)
    rows = await _rows(
        owner, fees_queries.arrears_statement(_leader_of(two.a.id), dt.date(2026, 3, 1))
    )
    assert [r.id for r in rows] == [made[two.a.id]]


def _walls(everywhere=None, communities=None, staff_user=None) -> dict:
    """`invoices_page`'s and `arrears_page`'s walls, as the compiled reads bind them."""
    return {
        "everywhere": None if everywhere is None else literal(everywhere),
        "communities": None
        if communities is None
        else literal(communities, type_=ARRAY(BigInteger)),
        "staff_user": None if staff_user is None else literal(staff_user, type_=BigInteger),
    }


async def test_invoices_page(owner, two):
    made = await _invoices(owner, two)
    a = two.a.id
    led = await _rows(owner, fees_queries.invoices_page(**_walls(communities=[a])))
    async with AsyncSession(owner) as session, session.begin():
        user = User(
            email="staff@example.cn",
            password_hash="-",
            display_name="员工",
            unit_id=two.a.units[1].id,
        )
        session.add(user)
        await session.flush()
        user_id = user.id
    staff = await _rows(owner, fees_queries.invoices_page(**_walls(staff_user=user_id)))
    named = await _rows(
        owner, fees_queries.invoices_page(**_walls(everywhere=True), community_id=literal(a))
    )
    nobody = await _rows(owner, fees_queries.invoices_page(**_walls()))

    assert [r.id for r in led] == [r.id for r in staff] == [r.id for r in named] == [made[a]]
    assert nobody == []


async def test_arrears_page(owner, two):
    made = await _invoices(owner, two)
    rows = await _rows(
        owner,
        fees_queries.arrears_page(
            **_walls(communities=[two.a.id]), today=literal(dt.date(2026, 3, 1))
        ),
    )
    assert [r.id for r in rows] == [made[two.a.id]]


async def test_arrears_by_region_page(owner, two):
    await _invoices(owner, two)
    rows = await _rows(
        owner,
        fees_queries.arrears_by_region_page(
            **_walls(communities=[two.a.id]), today=literal(dt.date(2026, 3, 1))
        ),
    )
    assert [(r.invoices, r.owed_fen) for r in rows] == [(1, 10000)]


async def test_balance_statement(owner, two):
    made = await _invoices(owner, two)
    own = await _rows(owner, fees_queries.balance_statement(two.a.id, made[two.a.id]))
    crossed = await _rows(owner, fees_queries.balance_statement(two.a.id, made[two.b.id]))
    assert (own[0][0], crossed[0][0]) == (10000, 0)


async def test_open_invoices_statement(owner, two):
    made = await _invoices(owner, two)
    rows = await _rows(owner, fees_queries.open_invoices_statement([two.a.id], dt.date(2026, 3, 1)))
    assert [(r.id, r[-1]) for r in rows] == [(made[two.a.id], 10000)]


async def _sub_topics(owner, two) -> dict[tuple[int, SubTopicStatus], int]:
    """A sub-topic of each status in A and in B, each with a progress report."""
    made = {}
    async with AsyncSession(owner) as session, session.begin():
        topic = ResearchTopic(title="区域协同服务全民终身学习实践研究", year=2026)
        session.add(topic)
        await session.flush()
        for side in (two.a, two.b):
            for status in SubTopicStatus:
                row = SubTopic(
                    community_id=side.id,
                    topic_id=topic.id,
                    title=f"{side.slug} {status.value}",
                    leader_name="王",
                    plan="计划",
                    status=status,
                )
                session.add(row)
                await session.flush()
                session.add(
                    TopicReport(
                        community_id=side.id,
                        sub_topic_id=row.id,
                        stage=TopicStage.PROGRESS,
                        body=f"{side.slug} 进展",
                    )
                )
                made[(side.id, status)] = row.id
    return made


async def test_community_sub_topics_statement(owner, two):
    await _sub_topics(owner, two)
    every = await _rows(
        owner, research_queries.community_sub_topics_statement(two.a.id, every=True)
    )
    public = await _rows(owner, research_queries.community_sub_topics_statement(two.a.id))
    pending = await _rows(
        owner,
        research_queries.community_sub_topics_statement(two.a.id, SubTopicStatus.PENDING, True),
    )

    assert sorted(r.title for r in every) == sorted(f"scope-a {s.value}" for s in SubTopicStatus)
    assert sorted(r.title for r in public) == ["scope-a APPROVED", "scope-a CONCLUDED"]
    assert [r.title for r in pending] == ["scope-a PENDING"]


async def test_topic_reports_statement(owner, two):
    made = await _sub_topics(owner, two)
    own = await _rows(
        owner,
        research_queries.topic_reports_statement(
            two.a.id, made[(two.a.id, SubTopicStatus.APPROVED)]
        ),
    )
    # B's sub-topic asked for in A's name: nothing.
    mixed = await _rows(
        owner,
        research_queries.topic_reports_statement(
            two.a.id, made[(two.b.id, SubTopicStatus.APPROVED)]
        ),
    )

    assert [r.body for r in own] == ["scope-a 进展"]
    assert mixed == []


async def _achievements(owner, two) -> None:
    async with AsyncSession(owner) as session, session.begin():
        for side in (two.a, two.b):
            for visibility in Visibility:
                session.add(
                    Achievement(
                        community_id=side.id,
                        kind=AchievementKind.COURSE_RESOURCE,
                        title=f"{side.slug} {visibility.value}",
                        summary="老年教育课程",
                        authors=["王"],
                        visibility=visibility,
                        subject="老年教育",
                        audience="老年学习者",
                        format="视频",
                    )
                )


async def test_community_achievements_statement(owner, two):
    await _achievements(owner, two)
    statement = achievement_queries.community_achievements_statement
    own = await _rows(owner, statement(two.a.id, own=True))
    shared = await _rows(owner, statement(two.a.id, search="老年", shared=True))
    public = await _rows(owner, statement(two.a.id))

    assert sorted(r.title for r in own) == sorted(f"scope-a {v.value}" for v in Visibility)
    assert sorted(r.title for r in shared) == ["scope-a ALL_COMMUNITIES", "scope-a PUBLIC"]
    assert [r.title for r in public] == ["scope-a PUBLIC"]


async def test_programme_achievements_statement(owner, two):
    await _achievements(owner, two)
    statement = achievement_queries.programme_achievements_statement
    a_member = await _rows(owner, statement(shared=True, own_communities=[two.a.id]))
    anonymous = await _rows(owner, statement())

    assert sorted(r.title for r in a_member) == [
        "scope-a ALL_COMMUNITIES",
        "scope-a COMMUNITY",
        "scope-a PUBLIC",
        "scope-b ALL_COMMUNITIES",
        "scope-b PUBLIC",
    ]
    assert sorted(r.title for r in anonymous) == ["scope-a PUBLIC", "scope-b PUBLIC"]


async def _nominations(owner, two) -> None:
    """Each community's achievement nominated to one round, assigned to A's leader (as the
    expert), in a round that is open."""
    await _achievements(owner, two)
    async with AsyncSession(owner) as session, session.begin():
        opened = EvaluationRound(
            title="评审",
            year=2026,
            kinds=["COURSE_RESOURCE"],
            closes_on=dt.date(2026, 12, 1),
            criteria=[{"name": "创新性", "weight": 1}],
        )
        session.add(opened)
        await session.flush()
        for side in (two.a, two.b):
            achievement = await session.scalar(
                select(Achievement.id).where(Achievement.community_id == side.id).limit(1)
            )
            nomination = Nomination(
                community_id=side.id, round_id=opened.id, achievement_id=achievement
            )
            session.add(nomination)
            await session.flush()
            session.add(
                ReviewAssignment(
                    community_id=side.id,
                    nomination_id=nomination.id,
                    expert_user_id=two.a.leader_id,
                )
            )


async def test_round_nominations_statement(owner, two):
    await _nominations(owner, two)
    (round_id,) = {r.round_id for r in await _rows(owner, select(Nomination))}
    statement = evaluation_queries.round_nominations_statement

    assert [r.community_id for r in await _rows(owner, statement(round_id, [two.a.id]))] == [
        two.a.id
    ]
    assert await _rows(owner, statement(round_id, [])) == []


async def test_review_queue_statement(owner, two):
    """An expert guiding A is given A's unreviewed semi-annual report, never B's; and what is
    assigned to it, wherever from (the assignment is its own, not a community's view)."""
    await _nominations(owner, two)
    guided = await _rows(owner, evaluation_queries.review_queue_statement(0, [two.a.id]))
    assigned = await _rows(owner, evaluation_queries.review_queue_statement(two.a.leader_id, []))

    assert [(r.kind, r.community_id, r.id) for r in guided] == [
        ("REPORT", two.a.id, two.a.report_id)
    ]
    assert sorted(r.community_id for r in assigned) == sorted([two.a.id, two.b.id])
    assert {r.kind for r in assigned} == {"ACHIEVEMENT"}


async def test_region_activities_statement(owner, two):
    rows = await _rows(
        owner, activities_queries.region_activities_statement(Region.YANGTZE_RIVER_DELTA)
    )
    assert [r.id for r in rows] == [two.a.activity_id]


async def test_attendance_statement(owner, two):
    own = await _rows(owner, activities_queries.attendance_statement(two.a.id, two.a.activity_id))
    # A's community with B's activity: the activity's id alone would find B's attendance.
    mixed = await _rows(owner, activities_queries.attendance_statement(two.a.id, two.b.activity_id))

    assert sorted(r.unit_id for r in own) == sorted(u.id for u in two.a.units)
    assert {r.community_id for r in own} == {two.a.id}
    assert mixed == []


async def test_latest_activity_on(owner, two):
    latest = activities_queries.latest_activity_on(two.a.id, dt.date(2026, 12, 31))
    (row,) = await _rows(owner, select(latest))

    assert row[0] == dt.date(2026, 5, 1)  # A's, not B's later 1 June


async def test_memberships_statement(owner, two):
    rows = await _rows(owner, communities_queries.memberships_statement(two.a.id))
    assert sorted(r.unit_id for r in rows) == sorted(u.id for u in two.a.units)


async def test_active_member_count(owner, two):
    (row,) = await _rows(owner, select(communities_queries.active_member_count(two.a.id)))
    assert row[0] == 3  # A has 3 active members, B 4


async def test_reports_statement(owner, two):
    rows = await _rows(owner, reports_queries.reports_statement(two.a.id))
    assert [r.id for r in rows] == [two.a.report_id]


async def test_exits_statement(owner, two):
    rows = await _rows(owner, units_queries.exits_statement(community_id=two.a.id))
    assert [r.id for r in rows] == [two.a.exit_id]


async def test_community_recognitions_statement(owner, two):
    async with AsyncSession(owner) as session, session.begin():
        made = [
            Recognition(
                community_id=community.id,
                kind=RecognitionKind.MODEL_COMMUNITY,
                year=2026,
                holder_name=community.slug,
                number=f"GX-2026-{n:04d}",
                granted_on=dt.date(2026, 12, 1),
                revoked_at=dt.datetime(2026, 12, 2, tzinfo=dt.UTC) if revoked else None,
            )
            for n, (community, revoked) in enumerate(
                ((two.a, False), (two.a, True), (two.b, False)), start=1
            )
        ]
        session.add_all(made)
    rows = await _rows(owner, recognition_queries.community_recognitions_statement(two.a.id))
    assert [r.number for r in rows] == ["GX-2026-0001"]  # in force, and A's alone


async def test_findings_statement(owner, two):
    rows = await _rows(owner, compliance_service.findings_statement([two.a.id], None, None, None))
    assert [r.id for r in rows] == [two.a.finding_id]


async def test_standings(owner, two):
    statement = national.standings(bindparam("ids", type_=ARRAY(BigInteger)))
    rows = await _rows(owner, statement, ids=[two.a.id])
    assert [r.community_id for r in rows] == [two.a.id]
    assert sum(rows[0][1:]) == 1  # A's one open finding, not B's too


async def test_entries_statement(owner, two):
    rows = await _rows(owner, entries_statement(community_id=two.a.id))
    assert [r.action for r in rows] == ["scope-a.action"]


async def test_inbox_statement(owner, two):
    rows = await _rows(owner, inbox_statement(two.a.leader_id))
    assert [r.id for r in rows] == [two.a.notification_ids[0]]


async def test_grants_statement(owner, two):
    rows = await _rows(owner, access_queries.grants_statement(literal(two.a.leader_id, BigInteger)))
    assert [(r.role, r.community_id) for r in rows] == [("LEADER", two.a.id)]


async def test_applications_statement_gives_an_applicant_only_their_own(runtime, owner, two):
    guard = Guard(runtime.policy, Actor(two.a.leader_id, None))
    rows = await _rows(owner, admission_queries.applications_statement(guard, None, None))
    assert [r.id for r in rows] == [two.a.application_id]


async def test_runs_statement_gives_a_leader_only_its_communitys_runs(runtime, owner, two):
    async with AsyncSession(owner) as session, session.begin():
        for community_id in (two.a.id, two.b.id, None):
            session.add(AuditRun(community_id=community_id, status=AuditRunStatus.SUCCEEDED))
    guard = Guard(runtime.policy, Actor(two.a.leader_id, None))
    for asked in (None, two.a.id):
        statement, _ = compliance_service.runs_statement(guard, asked)
        rows = await _rows(owner, statement)
        assert {r.community_id for r in rows} == {two.a.id}  # not B's, not national ones


async def test_the_dataloaders_read_the_ids_asked_for(owner, two):
    per_row = PROJECTIONS["Community"].fields
    units = await _rows(owner, loaders.rows_of(Unit).statement.statement, ids=[two.a.units[0].id])
    communities = await _rows(owner, loaders.rows_of(Community).statement.statement, ids=[two.a.id])
    counts = await _rows(owner, per_row["member_count"].statement.statement, k0=[two.a.id])
    latest = await _rows(
        owner,
        per_row["last_activity_on"].statement.statement,
        k0=[two.a.id],
        today=dt.date(2026, 12, 31),
    )

    assert [r.id for r in units] == [two.a.units[0].id]
    assert [r.id for r in communities] == [two.a.id]
    assert [tuple(r) for r in counts] == [(two.a.id, 3)]
    assert [tuple(r) for r in latest] == [(two.a.id, dt.date(2026, 5, 1))]


COVERED = {
    activities_queries.activities_statement: test_activities_statement,
    activities_queries.region_activities_statement: test_region_activities_statement,
    activities_queries.public_activities_statement: test_public_activities_statement,
    news_queries.community_news_statement: test_community_news_statement,
    activities_queries.attendance_statement: test_attendance_statement,
    activities_queries.latest_activity_on: test_latest_activity_on,
    communities_queries.memberships_statement: test_memberships_statement,
    communities_queries.active_member_count: test_active_member_count,
    reports_queries.reports_statement: test_reports_statement,
    research_queries.community_sub_topics_statement: test_community_sub_topics_statement,
    research_queries.topic_reports_statement: test_topic_reports_statement,
    achievement_queries.community_achievements_statement: test_community_achievements_statement,
    achievement_queries.programme_achievements_statement: test_programme_achievements_statement,
    units_queries.exits_statement: test_exits_statement,
    evaluation_queries.round_nominations_statement: test_round_nominations_statement,
    evaluation_queries.review_queue_statement: test_review_queue_statement,
    recognition_queries.community_recognitions_statement: test_community_recognitions_statement,
    fees_queries.invoices_statement: test_invoices_statement,
    fees_queries.arrears_statement: test_arrears_statement,
    fees_queries.invoices_page: test_invoices_page,
    fees_queries.arrears_page: test_arrears_page,
    fees_queries.arrears_by_region_page: test_arrears_by_region_page,
    fees_queries.balance_statement: test_balance_statement,
    fees_queries.open_invoices_statement: test_open_invoices_statement,
    compliance_service.findings_statement: test_findings_statement,
    national.standings: test_standings,
    compliance_service.runs_statement: test_runs_statement_gives_a_leader_only_its_communitys_runs,
    entries_statement: test_entries_statement,
    inbox_statement: test_inbox_statement,
    access_queries.grants_statement: test_grants_statement,
    admission_queries.applications_statement: (
        test_applications_statement_gives_an_applicant_only_their_own
    ),
}


def _statement_builders() -> set:
    """Every function of a `server/*/queries.py`, and every `*_statement` elsewhere in
    `server/`."""
    found = set()
    for info in pkgutil.walk_packages(server.__path__, "server."):
        if ".migrations" in info.name or ".demo" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            if info.name.endswith(".queries") or name.endswith("_statement"):
                found.add(function)
    return found


def test_every_statement_builder_is_tested_here_or_named_public():
    unaccounted = _statement_builders() - COVERED.keys() - NOT_A_TENANTS.keys()
    assert not unaccounted, sorted(f"{f.__module__}.{f.__name__}" for f in unaccounted)


async def _shared_unit_with_absences(owner, two, *, in_a, in_b, reinstated_in_b=None, left_a=False):
    """A's first member unit made a member of B too, with its attendance at A's and B's
    activities (ATTENDED/ABSENT in date order), if given a reinstatement in B, and if
    `left_a` its membership of A withdrawn."""
    unit_id = two.a.units[1].id
    async with AsyncSession(owner) as session, session.begin():
        if left_a:
            await session.execute(
                update(Membership)
                .where(Membership.community_id == two.a.id, Membership.unit_id == unit_id)
                .values(status=MembershipStatus.WITHDRAWN, left_on=dt.date(2026, 1, 15))
            )
        session.add(
            Membership(
                community_id=two.b.id,
                unit_id=unit_id,
                role=MembershipRole.MEMBER,
                status=MembershipStatus.ACTIVE,
                joined_on=dt.date(2026, 1, 1),
            )
        )
        for side, marks in ((two.a, in_a), (two.b, in_b)):
            for day, status in enumerate(marks, start=1):
                activity = Activity(
                    community_id=side.id,
                    kind=ActivityKind.SEMINAR,
                    title=f"{side.slug} 第{day}次",
                    held_on=dt.date(2026, 2, day),
                    expected_count=1,
                )
                session.add(activity)
                await session.flush()
                session.add(
                    Attendance(
                        community_id=side.id,
                        activity_id=activity.id,
                        unit_id=unit_id,
                        status=status,
                    )
                )
        if reinstated_in_b is not None:
            session.add(
                ExitRecord(
                    unit_id=unit_id,
                    community_id=two.b.id,
                    scope=ExitScope.COMMUNITY,
                    kind=SiteStatus.AUTO_EXITED,
                    exited_on=reinstated_in_b,
                    reason="B 的退出",
                    reinstated_on=reinstated_in_b,
                )
            )
    return unit_id


async def _exits_in_a(owner, two, unit_id):
    async with AsyncSession(owner) as session, session.begin():
        exits = await enact_absences(session, two.a.id, [unit_id])
        await session.rollback()  # the decision is what is asked, not its writing
    return [(e.community_id, e.unit_id) for e in exits]


async def test_absences_at_another_community_do_not_count_towards_leaving_this_one(owner, two):
    unit_id = await _shared_unit_with_absences(
        owner, two, in_a=[AttendanceStatus.ATTENDED], in_b=[ABSENT, ABSENT]
    )
    assert await _exits_in_a(owner, two, unit_id) == []


async def test_two_absences_in_this_community_still_make_the_unit_leave_it(owner, two):
    unit_id = await _shared_unit_with_absences(owner, two, in_a=[ABSENT, ABSENT], in_b=[])
    assert await _exits_in_a(owner, two, unit_id) == [(two.a.id, unit_id)]


async def test_a_reinstatement_in_another_community_does_not_spend_this_ones_absences(owner, two):
    unit_id = await _shared_unit_with_absences(
        owner, two, in_a=[ABSENT, ABSENT], in_b=[], reinstated_in_b=dt.date(2026, 3, 1)
    )
    assert await _exits_in_a(owner, two, unit_id) == [(two.a.id, unit_id)]


async def test_absences_in_a_community_the_unit_left_make_it_leave_no_other(owner, two):
    unit_id = await _shared_unit_with_absences(
        owner, two, in_a=[ABSENT, ABSENT], in_b=[], left_a=True
    )
    assert await _exits_in_a(owner, two, unit_id) == []
