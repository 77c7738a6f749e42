"""Every rule of the catalogue at its boundary: a community that breaks it and one that keeps
it, checked on real rows as of a chosen day."""

import datetime as dt

import pytest
from sqlalchemy import update

from policies.regulation import CATALOGUE, RULES
from server.communities.models import Community, Membership
from server.compliance.checks import COMMUNITY_CHECKS, PROGRAMME_CHECKS
from server.fees.models import FeeEntry, Invoice
from server.reports.models import Report
from server.research.models import ResearchTopic, SubTopic
from server.units.models import Unit
from server.vocabulary import (
    ActivityKind,
    InvoiceStatus,
    LedgerEntryKind,
    Level,
    MembershipRole,
    ReportKind,
    Severity,
    SubTopicStatus,
)
from tests.factories import make_community, make_units
from tests.server.compliance.helpers import found_on, hold, of_rule

JAN_1 = dt.date(2026, 1, 1)


def test_every_rule_in_the_catalogue_is_checked_or_says_what_it_awaits():
    checked = set(COMMUNITY_CHECKS) | set(PROGRAMME_CHECKS) | {"two-absences"}
    for rule in CATALOGUE:
        assert (rule.id in checked) != bool(rule.awaits), rule.id
        assert rule.severity in Severity.__members__
        assert rule.remedy_zh and rule.remedy_en and rule.title_zh
    assert [r.article for r in CATALOGUE][:3] == ["11", "10", "9"]


@pytest.mark.parametrize(("size", "breaks"), [(2, True), (3, False), (15, False), (16, True)])
async def test_community_size(runtime, size, breaks):
    community, _ = await make_community(runtime, "yrd-c", size=size)

    found = of_rule(await found_on(runtime, community, JAN_1), "community-size")

    assert [f.severity for f in found] == ([Severity.ERROR] if breaks else [])
    assert all(f.article == "11" for f in found)


@pytest.mark.parametrize("reason", [None, "街道社区学校承担区级老年大学分校"])
async def test_same_level_in_principle(runtime, reason):
    community, _ = await make_community(runtime, "yrd-c", size=3)
    (township,) = await make_units(runtime, 1, level=Level.TOWNSHIP)
    async with runtime.database.transaction(community.id) as session:
        session.add(
            Membership(
                community_id=community.id,
                unit_id=township.id,
                role=MembershipRole.MEMBER,
                status="ACTIVE",
                joined_on=JAN_1,
            )
        )
        await session.execute(
            update(Community).where(Community.id == community.id).values(mixed_level_reason=reason)
        )

    found = of_rule(await found_on(runtime, community, JAN_1), "same-level")

    if reason:
        assert found == []
    else:
        assert [(f.subject, f.severity) for f in found] == [
            (f"unit:{township.id}", Severity.WARNING)
        ]


async def test_nearby_region(runtime):
    community, _units = await make_community(runtime, "yrd", size=3)  # Yangtze delta, Zhejiang
    (sichuan,) = await make_units(runtime, 1, province="51")
    async with runtime.database.transaction(community.id) as session:
        session.add(
            Membership(
                community_id=community.id,
                unit_id=sichuan.id,
                role=MembershipRole.MEMBER,
                status="ACTIVE",
                joined_on=JAN_1,
            )
        )

    found = of_rule(await found_on(runtime, community, JAN_1), "nearby-region")

    assert [f.unit_id for f in found] == [sichuan.id]


async def test_structure_one_leader_named_with_the_office(runtime):
    kept, _ = await make_community(runtime, "kept-c", size=3)
    no_leader, _units = await make_community(runtime, "no-leader", size=3)
    async with runtime.database.transaction(no_leader.id) as session:
        await session.execute(
            update(Membership)
            .where(Membership.community_id == no_leader.id)
            .values(role=MembershipRole.MEMBER)
        )
    unnamed, unnamed_units = await make_community(runtime, "unnamed", size=3)
    moved, moved_units = await make_community(runtime, "moved", size=3)
    async with runtime.database.transaction(all_communities=True) as session:
        await session.execute(
            update(Unit).where(Unit.id == unnamed_units[0].id).values(responsible_person=None)
        )
        await session.execute(
            update(Community)
            .where(Community.id == moved.id)
            .values(office_unit_id=moved_units[1].id)
        )

    subjects = {
        c.slug: [f.subject for f in of_rule(await found_on(runtime, c, JAN_1), "structure")]
        for c in (kept, no_leader, unnamed, moved)
    }

    assert subjects == {
        "kept-c": [],
        "no-leader": ["community:leader"],
        "unnamed": ["community:person"],
        "moved": ["community:office"],
    }


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2028, 10, 1), []),  # 91 days before the end
        (dt.date(2028, 10, 2), [("community:ending", Severity.NOTICE)]),
        (dt.date(2028, 12, 31), [("community:ending", Severity.NOTICE)]),
        (dt.date(2029, 1, 1), [("community:ended", Severity.ERROR)]),
    ],
)
async def test_cycle_ending_and_ended(runtime, on, expected):
    community, _ = await make_community(runtime, "yrd-c", size=3)  # 2026-01-01 to 2028-12-31

    found = of_rule(await found_on(runtime, community, on), "cycle")

    assert [(f.subject, f.severity) for f in found] == expected


async def test_a_cycle_that_is_not_three_years(runtime):
    community, _ = await make_community(runtime, "yrd-c", size=3)
    async with runtime.database.transaction() as session:
        await session.execute(
            update(Community)
            .where(Community.id == community.id)
            .values(cycle_end=dt.date(2027, 12, 31))
        )
    community.cycle_end = dt.date(2027, 12, 31)

    found = of_rule(await found_on(runtime, community, JAN_1), "cycle")

    assert [f.subject for f in found] == ["community:length"]


async def test_at_least_one_theme(runtime):
    kept, _ = await make_community(runtime, "kept-c", size=3)
    none, _ = await make_community(runtime, "none-c", size=3)
    async with runtime.database.transaction() as session:
        await session.execute(update(Community).where(Community.id == none.id).values(themes=[]))

    assert of_rule(await found_on(runtime, kept, JAN_1), "theme") == []
    assert [f.article for f in of_rule(await found_on(runtime, none, JAN_1), "theme")] == ["16(2)"]


@pytest.mark.parametrize(
    ("kind", "rule"),
    [(ActivityKind.CITIZEN_LEARNING, "citizen-learning"), (ActivityKind.SEMINAR, "seminars")],
)
@pytest.mark.parametrize(("held", "breaks"), [(1, True), (2, False)])
async def test_two_a_year_once_the_year_is_over(runtime, kind, rule, held, breaks):
    community, _ = await make_community(runtime, "yrd-c", size=3)
    days = [dt.date(2026, 3, 1), dt.date(2026, 9, 1)][:held]
    ids = await hold(runtime, community, kind, *days)

    found = of_rule(await found_on(runtime, community, dt.date(2027, 1, 1)), rule)

    last_year = [f for f in found if f.period == "2026"]
    if breaks:
        (f,) = last_year
        assert f.severity is Severity.ERROR and f.article == RULES[rule].article
        assert f.evidence == tuple(f"Activity:{community.id}:{i}" for i in ids)
    else:
        assert last_year == []


@pytest.mark.parametrize(("planned", "warns"), [(1, True), (2, False)])
async def test_during_the_year_too_few_planned_is_a_warning(runtime, planned, warns):
    community, _ = await make_community(runtime, "yrd-c", size=3)
    await hold(runtime, community, ActivityKind.CITIZEN_LEARNING, dt.date(2026, 3, 1))
    if planned == 2:
        await hold(runtime, community, ActivityKind.CITIZEN_LEARNING, dt.date(2026, 10, 1))

    found = of_rule(await found_on(runtime, community, dt.date(2026, 6, 1)), "citizen-learning")

    assert [f.severity for f in found] == ([Severity.WARNING] if warns else [])


async def test_a_year_the_cycle_covers_less_than_half_of_is_not_counted(runtime):
    community, _ = await make_community(runtime, "yrd-c", size=3, cycle_start=dt.date(2026, 9, 1))

    found = of_rule(await found_on(runtime, community, dt.date(2027, 6, 1)), "seminars")

    assert {f.period for f in found} == {"2027"}  # 2026 had four months of the cycle


@pytest.mark.parametrize(("trained", "breaks"), [(False, True), (True, False)])
async def test_educator_training_once_a_cycle(runtime, trained, breaks):
    community, _ = await make_community(runtime, "yrd-c", size=3)
    if trained:
        await hold(runtime, community, ActivityKind.TRAINING, dt.date(2027, 5, 1))

    ended = of_rule(await found_on(runtime, community, dt.date(2029, 1, 1)), "educator-training")
    ending = of_rule(await found_on(runtime, community, dt.date(2028, 7, 5)), "educator-training")
    early = of_rule(await found_on(runtime, community, dt.date(2028, 7, 3)), "educator-training")

    assert [f.severity for f in ended] == ([Severity.ERROR] if breaks else [])
    assert [f.severity for f in ending] == ([Severity.WARNING] if breaks else [])
    assert early == []  # 181 days before the end: not yet


@pytest.mark.parametrize(("weeks", "breaks"), [(0, True), (1, False)])
async def test_the_learning_week_every_year(runtime, weeks, breaks):
    community, _ = await make_community(runtime, "yrd-c", size=3)
    if weeks:
        await hold(runtime, community, ActivityKind.LEARNING_WEEK, dt.date(2026, 11, 1))

    found = of_rule(await found_on(runtime, community, dt.date(2027, 1, 1)), "learning-week")

    assert [(f.period, f.severity) for f in found] == (
        [("2026", Severity.WARNING)] if breaks else []
    )


@pytest.mark.parametrize(
    ("status", "breaks"),
    [
        (None, True),
        (SubTopicStatus.PENDING, True),
        (SubTopicStatus.REJECTED, True),
        (SubTopicStatus.APPROVED, False),
        (SubTopicStatus.CONCLUDED, False),
    ],
)
async def test_joint_research_is_an_approved_sub_topic_365_days_into_the_cycle(
    runtime, status, breaks
):
    # A cycle from 1 January 2026: 365 days in is 1 January 2027. A research meeting held
    # in the first year is not a sub-topic: it keeps nothing.
    community, _ = await make_community(runtime, "yrd-c", size=3, cycle_start=JAN_1)
    await hold(runtime, community, ActivityKind.RESEARCH, dt.date(2026, 4, 1))
    if status is not None:
        async with runtime.database.transaction(community.id) as session:
            topic = ResearchTopic(title="区域协同服务全民终身学习实践研究", year=2026)
            session.add(topic)
            await session.flush()
            session.add(
                SubTopic(
                    community_id=community.id,
                    topic_id=topic.id,
                    title="社区老年教育协同研究",
                    leader_name="王",
                    plan="计划",
                    status=status,
                    created_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                )
            )

    first_year = of_rule(
        await found_on(runtime, community, dt.date(2026, 12, 31)), "joint-research"
    )
    after = of_rule(await found_on(runtime, community, dt.date(2027, 1, 1)), "joint-research")

    assert first_year == []
    assert [(f.severity, f.article) for f in after] == (
        [(Severity.WARNING, "16(7)")] if breaks else []
    )


@pytest.mark.parametrize(
    ("on", "overdue"),
    [(dt.date(2026, 7, 15), False), (dt.date(2026, 7, 16), True)],
    ids=["the-day-it-falls-due", "the-day-after"],
)
async def test_a_semi_annual_report_is_overdue_the_day_after_it_falls_due(runtime, on, overdue):
    community, _ = await make_community(runtime, "yrd-c", size=3)

    found = of_rule(await found_on(runtime, community, on), "semi-annual-report")

    assert [(f.period, f.article) for f in found] == ([("2026H1", "18(4)")] if overdue else [])


async def test_a_submitted_report_is_no_finding(runtime):
    community, _ = await make_community(runtime, "yrd-c", size=3)
    async with runtime.database.transaction(community.id) as session:
        session.add(
            Report(
                community_id=community.id,
                kind=ReportKind.SEMI_ANNUAL,
                year=2026,
                half=1,
                title="半年报",
                body="概况",
                due_on=dt.date(2026, 7, 15),
                submitted_on=dt.date(2026, 7, 20),
                late=True,
            )
        )

    found = of_rule(await found_on(runtime, community, dt.date(2026, 8, 1)), "semi-annual-report")

    assert found == []


async def test_annual_summaries_of_the_community_and_of_each_member(runtime):
    community, units = await make_community(runtime, "yrd-c", size=3)
    async with runtime.database.transaction(community.id) as session:
        session.add(
            Report(
                community_id=community.id,
                kind=ReportKind.MEMBER_ANNUAL,
                year=2026,
                unit_id=units[0].id,
                title="年度总结与计划",
                body="……",
                due_on=dt.date(2027, 1, 31),
                submitted_on=dt.date(2027, 1, 20),
                late=False,
            )
        )

    on_time = await found_on(runtime, community, dt.date(2027, 1, 31))
    after = await found_on(runtime, community, dt.date(2027, 2, 1))

    assert of_rule(on_time, "annual-summary") == of_rule(on_time, "member-summary") == []
    assert [f.period for f in of_rule(after, "annual-summary")] == ["2026"]
    assert sorted(f.unit_id for f in of_rule(after, "member-summary")) == sorted(
        u.id for u in units[1:]
    )


async def _owing(runtime, community, unit_id, due_on: dt.date, total: int, paid: int) -> int:
    """An open invoice of `total` fen due on `due_on`, `paid` of it paid."""
    async with runtime.database.transaction(community.id) as session:
        invoice = Invoice(
            community_id=community.id,
            unit_id=unit_id,
            number=f"FY-2026-{due_on.toordinal():06d}",
            year=due_on.year,
            total_fen=total,
            issued_on=due_on - dt.timedelta(days=30),
            due_on=due_on,
            status=InvoiceStatus.OPEN if paid < total else InvoiceStatus.PAID,
        )
        session.add(invoice)
        await session.flush()
        for kind, amount in ((LedgerEntryKind.CHARGE, total), (LedgerEntryKind.PAYMENT, -paid)):
            if amount:
                session.add(
                    FeeEntry(
                        community_id=community.id,
                        invoice_id=invoice.id,
                        unit_id=unit_id,
                        kind=kind,
                        amount_fen=amount,
                        entered_on=due_on,
                    )
                )
    return invoice.id


@pytest.mark.parametrize(
    ("days_late", "paid", "breaks"),
    [(30, 0, False), (31, 0, True), (31, 40000, True), (31, 50000, False), (200, 0, True)],
)
async def test_fees_an_invoice_unpaid_more_than_30_days_after_its_due_date(
    runtime, days_late, paid, breaks
):
    community, units = await make_community(runtime, "yrd-c", size=3)
    on = dt.date(2026, 6, 30)
    invoice_id = await _owing(
        runtime, community, units[1].id, on - dt.timedelta(days=days_late), 50000, paid
    )

    found = of_rule(await found_on(runtime, community, on), "fees")

    assert [(f.severity, f.article, f.subject) for f in found] == (
        [(Severity.WARNING, "7(6)", f"unit:{units[1].id}")] if breaks else []
    )
    assert all(f.evidence == (f"Invoice:{community.id}:{invoice_id}",) for f in found)
    assert all(f"逾期 {days_late} 天" in f.zh for f in found)
