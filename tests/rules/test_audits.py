"""Every audit rule as a pure check over facts built by hand: each kept and each broken, and
each exactly at its threshold and one day or one count off (the date arithmetic that the
database-backed tests in `tests/server/compliance/test_rules.py` pin only by a day on either
side of a wider gap). No database: mutation testing runs this file once per mutant."""

import dataclasses
import datetime as dt

import pytest

from policies.regulation import RULES
from server.communities import rules as community_rules
from server.communities.models import Community
from server.compliance.checks import CADENCE, check_community, check_programme
from server.compliance.facts import Facts, Held, Member, ProgrammeFacts
from server.recognition import rules as recognition_rules
from server.research.rules import Registered
from server.vocabulary import (
    ActivityKind,
    Level,
    MembershipRole,
    ReportKind,
    Severity,
    SubTopicStatus,
    Theme,
)

COMMUNITY_ID = 1
LEADER_ID = 101


def community(start: dt.date, end: dt.date, **changes) -> Community:
    row = {
        "id": COMMUNITY_ID,
        "slug": "yrd-c",
        "name": "长三角共同体",
        "region": "YANGTZE_RIVER_DELTA",
        "level": Level.COUNTY,
        "themes": [Theme.ELDERLY_EDUCATION.value],
        "cycle_start": start,
        "cycle_end": end,
        "office_unit_id": LEADER_ID,
        "mixed_level_reason": None,
    }
    return Community(**(row | changes))


def units(count: int = 3) -> list[Member]:
    """A leader unit (101) with its responsible person named, and `count` - 1 members: all of
    the community's level, in Zhejiang (33), in its region."""
    return [
        Member(LEADER_ID + i, f"单位{i}", MembershipRole.LEADER if i == 0 else MembershipRole.MEMBER,
               Level.COUNTY, "33", "张三")
        for i in range(count)
    ]  # fmt: skip


def found(
    on: dt.date,
    start: dt.date,
    end: dt.date,
    *,
    members: list[Member] | None = None,
    reports: set | frozenset = frozenset(),
    sub_topics: list[Registered] | None = None,
    row: dict | None = None,
    **activities: list[dt.date],
) -> list:
    """The findings on the day `on` for a community (by default of three units that keep
    every rule of their own); `activities` by kind name: the days they are held (those after
    `on` are planned only); `reports`: (kind, year, half, unit id) of those submitted; `row`:
    changes to the community's row."""
    community_row = community(start, end, **(row or {}))
    held: dict = {}
    for kind, days in activities.items():
        for day in days:
            key = (COMMUNITY_ID, ActivityKind[kind], day.year)
            ids, planned = held.get(key, ((), 0))
            held[key] = (ids + ((len(ids) + 1,) if day <= on else ()), planned + 1)
    facts = Facts(
        today=on,
        communities=[community_row],
        members={COMMUNITY_ID: units() if members is None else members},
        region_provinces={"YANGTZE_RIVER_DELTA": {"33", "32", "31"}},
        activities={key: Held(ids, planned) for key, (ids, planned) in held.items()},
        reports={(COMMUNITY_ID, *r) for r in reports},
        sub_topics={COMMUNITY_ID: sub_topics or []},
    )
    return check_community(facts, community_row)


def of_rule(findings: list, rule: str) -> list[tuple[str, Severity]]:
    return [(f.period, f.severity) for f in findings if f.rule == rule]


CYCLE = (dt.date(2026, 1, 1), dt.date(2028, 12, 31))
JAN_2 = dt.date(2026, 1, 2)


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        # 2 Jul to 31 Dec is 183 days, half of 2026: counted; 1 Jan to 1 Jul 2029 is 182: not
        (dt.date(2026, 7, 2), dt.date(2029, 7, 1), ["2026", "2027", "2028"]),
        # 3 Jul to 31 Dec is 182 days: not counted; 1 Jan to 2 Jul 2029 is 183: counted
        (dt.date(2026, 7, 3), dt.date(2029, 7, 2), ["2027", "2028", "2029"]),
    ],
)
def test_a_year_counts_when_the_cycle_covers_183_of_its_days(start, end, years):
    findings = found(dt.date(2030, 1, 1), start, end)

    assert [p for p, _ in of_rule(findings, "seminars")] == years
    assert [p for p, _ in of_rule(findings, "citizen-learning")] == years


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2026, 12, 31), [("2026", Severity.WARNING)]),  # the year's last day: not over
        (dt.date(2027, 1, 1), [("2026", Severity.ERROR), ("2027", Severity.WARNING)]),
    ],
)
def test_one_seminar_is_a_warning_during_the_year_and_an_error_once_it_is_over(on, expected):
    findings = found(on, *CYCLE, SEMINAR=[dt.date(2026, 3, 1)])

    assert of_rule(findings, "seminars") == expected


@pytest.mark.parametrize(
    ("held", "expected"),
    [(1, [("2026", Severity.ERROR)]), (2, []), (3, [])],
)
def test_two_seminars_and_two_citizen_learning_activities_a_year(held, expected):
    days = [dt.date(2026, 3, 1), dt.date(2026, 6, 1), dt.date(2026, 9, 1)][:held]

    findings = found(dt.date(2027, 1, 1), *CYCLE, SEMINAR=days, CITIZEN_LEARNING=days)

    assert [f for f in of_rule(findings, "seminars") if f[0] == "2026"] == expected
    assert [f for f in of_rule(findings, "citizen-learning") if f[0] == "2026"] == expected


@pytest.mark.parametrize(("planned", "warns"), [(1, True), (2, False)])
def test_during_the_year_two_held_or_scheduled_are_enough(planned, warns):
    days = [dt.date(2026, 3, 1), dt.date(2026, 10, 1)][:planned]

    findings = found(dt.date(2026, 6, 1), *CYCLE, SEMINAR=days)

    assert of_rule(findings, "seminars") == ([("2026", Severity.WARNING)] if warns else [])


def test_a_year_the_cycle_has_not_reached_is_not_judged():
    start = dt.date(2026, 3, 1)
    end = dt.date(2029, 2, 28)

    assert of_rule(found(dt.date(2026, 2, 28), start, end), "seminars") == []
    assert of_rule(found(start, start, end), "seminars") == [("2026", Severity.WARNING)]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2028, 7, 3), []),  # 181 days before the end
        (dt.date(2028, 7, 4), [Severity.WARNING]),  # 180 days
        (dt.date(2028, 12, 31), [Severity.WARNING]),  # the cycle's last day: not over yet
        (dt.date(2029, 1, 1), [Severity.ERROR]),
    ],
)
def test_educator_training_warns_180_days_before_the_end_and_errs_after_it(on, expected):
    findings = found(on, *CYCLE)

    assert [s for _, s in of_rule(findings, "educator-training")] == expected


def test_one_educator_training_in_the_cycle_is_enough():
    findings = found(dt.date(2029, 1, 1), *CYCLE, TRAINING=[dt.date(2028, 12, 31)])

    assert of_rule(findings, "educator-training") == []


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2028, 10, 1), []),  # 91 days before the end
        (dt.date(2028, 10, 2), [("community:ending", Severity.NOTICE)]),  # 90 days
        (dt.date(2028, 12, 31), [("community:ending", Severity.NOTICE)]),
        (dt.date(2029, 1, 1), [("community:ended", Severity.ERROR)]),
    ],
)
def test_the_cycle_ends_within_90_days_and_then_is_over(on, expected):
    findings = found(on, *CYCLE)

    assert [(f.subject, f.severity) for f in findings if f.rule == "cycle"] == expected


@pytest.mark.parametrize(
    ("on", "warns"), [(dt.date(2026, 12, 31), False), (dt.date(2027, 1, 1), True)]
)
def test_joint_research_is_expected_365_days_into_the_cycle(on, warns):
    # The cycle starts on 1 January 2026: its 365th day after is 1 January 2027.
    findings = found(on, *CYCLE)

    assert of_rule(findings, "joint-research") == (
        [("cycle:2026-01-01", Severity.WARNING)] if warns else []
    )


def test_research_meetings_are_no_sub_topic():
    """The rule counted meetings once: a community that held research activities every
    month of its first year, and registered no sub-topic, is still warned."""
    monthly = [dt.date(2026, month, 10) for month in range(1, 13)]

    findings = found(dt.date(2027, 1, 1), *CYCLE, RESEARCH=monthly, SEMINAR=monthly)

    assert of_rule(findings, "joint-research") == [("cycle:2026-01-01", Severity.WARNING)]


@pytest.mark.parametrize(
    ("status", "warns"),
    [
        (SubTopicStatus.PENDING, True),
        (SubTopicStatus.REJECTED, True),
        (SubTopicStatus.APPROVED, False),
        (SubTopicStatus.CONCLUDED, False),
    ],
)
def test_only_an_approved_or_concluded_sub_topic_keeps_joint_research(status, warns):
    sub_topic = Registered(status, dt.date(2026, 3, 1))

    findings = found(dt.date(2027, 1, 1), *CYCLE, sub_topics=[sub_topic])

    assert len(of_rule(findings, "joint-research")) == (1 if warns else 0)


@pytest.mark.parametrize(
    ("registered", "concluded", "warns"),
    [
        (dt.date(2025, 3, 1), dt.date(2025, 12, 31), True),  # ended the day before the cycle
        (dt.date(2025, 3, 1), dt.date(2026, 1, 1), False),  # under way on the cycle's first day
        (dt.date(2025, 3, 1), None, False),  # an earlier cycle's, still under way
        (dt.date(2028, 12, 31), None, False),  # approved on the cycle's last day
        (dt.date(2029, 1, 1), None, True),  # after the cycle
    ],
)
def test_a_sub_topic_counts_for_the_cycle_it_is_under_way_in(registered, concluded, warns):
    status = SubTopicStatus.CONCLUDED if concluded else SubTopicStatus.APPROVED
    sub_topic = Registered(status, registered, concluded)

    findings = found(dt.date(2027, 1, 1), *CYCLE, sub_topics=[sub_topic])

    assert len(of_rule(findings, "joint-research")) == (1 if warns else 0)


def test_a_pending_registration_is_named_in_the_warning():
    findings = found(
        dt.date(2027, 1, 1), *CYCLE, sub_topics=[Registered(SubTopicStatus.PENDING, JAN_2)]
    )

    (finding,) = [f for f in findings if f.rule == "joint-research"]
    assert finding.zh == "合作一年来尚无经项目组立项的子课题（1 项子课题待项目组审核）"


@pytest.mark.parametrize(
    ("on", "overdue"),
    [
        (dt.date(2027, 1, 15), []),  # the second half's report falls due on 15 January
        (dt.date(2027, 1, 16), ["2026H2"]),
    ],
)
def test_the_second_halfs_report_is_overdue_from_16_january(on, overdue):
    findings = found(on, *CYCLE)

    assert [p for p, _ in of_rule(findings, "semi-annual-report") if p != "2026H1"] == overdue


@pytest.mark.parametrize(
    ("on", "overdue"),
    [(dt.date(2027, 1, 31), False), (dt.date(2027, 2, 1), True)],
)
def test_the_annual_summaries_are_overdue_from_1_february(on, overdue):
    findings = found(on, *CYCLE)

    assert of_rule(findings, "annual-summary") == ([("2026", Severity.ERROR)] if overdue else [])
    assert [f.unit_id for f in findings if f.rule == "member-summary"] == (
        [101, 102, 103] if overdue else []
    )


@pytest.mark.parametrize(("conditions", "breaks"), [(6, True), (7, False)])
def test_a_site_needs_all_seven_conditions_evidenced(conditions, breaks):
    facts = ProgrammeFacts(today=dt.date(2027, 1, 1), evidenced={5: ("西湖区社区学院", conditions)})

    found_ = [f.unit_id for f in check_programme(facts) if f.rule == "admission-evidence"]

    assert found_ == ([5] if breaks else [])


@pytest.mark.parametrize(
    ("seminars", "trainings", "subjects"),
    [
        (1, 3, ["programme:SEMINAR"]),
        (2, 3, []),
        (3, 4, []),
        (4, 4, ["programme:SEMINAR"]),
        (2, 2, ["programme:TRAINING"]),
        (2, 5, ["programme:TRAINING"]),
    ],
)
def test_the_project_group_holds_2_to_3_seminars_and_3_to_4_trainings_a_year(
    seminars, trainings, subjects
):
    facts = ProgrammeFacts(
        today=dt.date(2027, 6, 1),
        activities={
            (ActivityKind.SEMINAR, 2026): seminars,
            (ActivityKind.TRAINING, 2026): trainings,
        },
        first_year=2026,
    )

    found_ = [f for f in check_programme(facts) if f.rule == "project-group-cadence"]

    # 2027 is not over: only 2026 is judged
    assert [(f.subject, f.period) for f in found_] == [(s, "2026") for s in subjects]


@pytest.mark.parametrize(
    ("chosen", "found"),
    [(0, ["2025", "2026"]), (2, ["2025", "2026"]), (3, ["2025"]), (5, ["2025"])],
)
def test_a_year_over_with_fewer_than_3_national_brands_is_a_brand_selection_notice(chosen, found):
    """Art. 6(5): 3-5 national brands a year. 2025 chose none; 2026 chose `chosen`; 2027 is
    not over, so its single brand is not judged yet."""
    facts = ProgrammeFacts(
        today=dt.date(2027, 6, 1), first_year=2025, brands={2026: chosen, 2027: 1}
    )

    found_ = [f for f in check_programme(facts) if f.rule == "brand-selection"]

    assert [f.period for f in found_] == found
    assert {(f.subject, f.severity, f.article, f.community_id) for f in found_} <= {
        ("programme:NATIONAL_BRAND", Severity.NOTICE, "6(5)", None)
    }
    assert found_[0].zh == "2025 年评定全国终身学习特色品牌 0 个，每年应为 3-5 个"


# A community that keeps every rule, seen on 1 February 2027: 2026 is over and judged, its
# reports are due, and 2027 has its two seminars and two citizen learning activities ahead.
KEPT_ON = dt.date(2027, 2, 1)
KEPT_ACTIVITIES = {
    "SEMINAR": [dt.date(2026, 3, 1), dt.date(2026, 9, 1), dt.date(2027, 3, 1), dt.date(2027, 9, 1)],
    "CITIZEN_LEARNING": [dt.date(2026, 4, 1), dt.date(2026, 10, 1), dt.date(2027, 4, 1),
                         dt.date(2027, 10, 1)],
    "LEARNING_WEEK": [dt.date(2026, 11, 1)],
    "TRAINING": [dt.date(2027, 5, 1)],
}  # fmt: skip
# Its joint research (Art. 16(7)): a sub-topic the project group approved in its first year.
KEPT_SUB_TOPICS = [Registered(SubTopicStatus.APPROVED, dt.date(2026, 5, 1))]
KEPT_REPORTS = {
    (ReportKind.SEMI_ANNUAL, 2026, 1, None),
    (ReportKind.SEMI_ANNUAL, 2026, 2, None),
    (ReportKind.ANNUAL_SUMMARY, 2026, None, None),
    *((ReportKind.MEMBER_ANNUAL, 2026, None, unit) for unit in (101, 102, 103)),
}


def test_a_community_that_keeps_every_rule_has_no_finding():
    assert (
        found(KEPT_ON, *CYCLE, reports=KEPT_REPORTS, sub_topics=KEPT_SUB_TOPICS, **KEPT_ACTIVITIES)
        == []
    )


def test_a_kept_community_missing_one_report_has_that_one_finding():
    reports = KEPT_REPORTS - {(ReportKind.MEMBER_ANNUAL, 2026, None, 102)}

    findings = found(
        KEPT_ON, *CYCLE, reports=reports, sub_topics=KEPT_SUB_TOPICS, **KEPT_ACTIVITIES
    )

    assert [(f.rule, f.subject, f.period, f.unit_id) for f in findings] == [
        ("member-summary", "unit:102", "2026", 102)
    ]


@pytest.mark.parametrize(("size", "breaks"), [(2, True), (3, False), (15, False), (16, True)])
def test_a_community_has_3_to_15_active_units(size, breaks):
    findings = found(dt.date(2026, 1, 1), *CYCLE, members=units(size))

    assert of_rule(findings, "community-size") == ([("", Severity.ERROR)] if breaks else [])


def _with(unit_id: int, **changes) -> list[Member]:
    return [dataclasses.replace(m, **changes) if m.unit_id == unit_id else m for m in units()]


@pytest.mark.parametrize(
    ("members", "row", "subjects"),
    [
        (units(), {}, []),
        (_with(LEADER_ID, role=MembershipRole.MEMBER), {}, [("community:leader", "现有 0 个")]),
        (_with(102, role=MembershipRole.LEADER), {}, [("community:leader", "现有 2 个")]),
        (_with(LEADER_ID, responsible_person=None), {}, [("community:person", "单位0")]),
        (_with(LEADER_ID, responsible_person="\u3000 "), {}, [("community:person", "单位0")]),
        (units(), {"office_unit_id": 102}, [("community:office", "办公室")]),
        (
            _with(LEADER_ID, responsible_person=""),
            {"office_unit_id": 103},
            [("community:person", "单位0"), ("community:office", "办公室")],
        ),
    ],
    ids=["kept", "no-leader", "two-leaders", "no-person", "blank-person", "office", "both"],
)
def test_one_leader_unit_with_a_named_person_and_the_office_there(members, row, subjects):
    """Art. 14."""
    findings = [f for f in found(dt.date(2026, 1, 1), *CYCLE, members=members, row=row)
                if f.rule == "structure"]  # fmt: skip

    assert [(f.subject, f.severity) for f in findings] == [(s, Severity.ERROR) for s, _ in subjects]
    assert all(said in f.zh for f, (_, said) in zip(findings, subjects, strict=True))


@pytest.mark.parametrize(
    ("reason", "warned"),
    [(None, [102, 103]), ("", [102, 103]), ("街道社区学校承担区级老年大学分校", [])],
)
def test_members_of_another_level_need_a_written_reason(reason, warned):
    """Art. 10: in principle the community's level (county); two township members here."""
    members = [dataclasses.replace(m, level=Level.TOWNSHIP) if m.unit_id != LEADER_ID else m
               for m in units()]  # fmt: skip

    findings = found(
        dt.date(2026, 1, 1), *CYCLE, members=members, row={"mixed_level_reason": reason}
    )

    same_level = [f for f in findings if f.rule == "same-level"]
    assert [(f.unit_id, f.subject, f.severity) for f in same_level] == [
        (u, f"unit:{u}", Severity.WARNING) for u in warned
    ]


@pytest.mark.parametrize(("province", "warns"), [("51", True), ("32", False)])
def test_members_lie_in_the_communitys_region(province, warns):
    """Art. 9: Sichuan (51) is not in the Yangtze delta; Jiangsu (32) is."""
    findings = found(dt.date(2026, 1, 1), *CYCLE, members=_with(103, province=province))

    assert [(f.unit_id, f.severity) for f in findings if f.rule == "nearby-region"] == (
        [(103, Severity.WARNING)] if warns else []
    )


@pytest.mark.parametrize(
    ("themes", "breaks"), [([], True), ([Theme.ELDERLY_EDUCATION.value], False)]
)
def test_a_community_implements_at_least_one_theme(themes, breaks):
    """Art. 16(2)."""
    findings = found(dt.date(2026, 1, 1), *CYCLE, row={"themes": themes})

    assert [f.article for f in findings if f.rule == "theme"] == (["16(2)"] if breaks else [])


def test_a_cycle_that_is_not_three_years_is_an_error():
    """Art. 15: 1 January 2026 to 31 December 2028; one that ends a year early is wrong."""
    findings = found(dt.date(2026, 1, 1), dt.date(2026, 1, 1), dt.date(2027, 12, 31))

    assert [(f.subject, f.severity) for f in findings if f.rule == "cycle"] == [
        ("community:length", Severity.ERROR)
    ]


@pytest.mark.parametrize(("held", "expected"), [(0, [("2026", Severity.WARNING)]), (1, [])])
def test_the_learning_week_once_a_year(held, expected):
    """Art. 16(9): a warning once the year is over, none while it lasts."""
    days = [dt.date(2026, 11, 1)][:held]

    assert of_rule(found(dt.date(2027, 1, 1), *CYCLE, LEARNING_WEEK=days), "learning-week") == (
        expected
    )
    assert of_rule(found(dt.date(2026, 12, 31), *CYCLE), "learning-week") == []


def test_a_year_with_nothing_held_says_none_were_held_or_planned():
    over = found(dt.date(2027, 1, 1), *CYCLE)
    during = found(dt.date(2026, 6, 1), *CYCLE)

    assert [f.en for f in over if f.rule == "seminars"] == [
        "0 seminar or work meeting held in 2026; at least 2 required",
        "0 seminar or work meeting held or scheduled in 2027; 2 are due by the year's end",
    ]
    assert [f.zh for f in during if f.rule == "citizen-learning"] == [
        "2026 年已举办和已安排的市民学习活动共 0 次，年底前至少应有 2 次"
    ]


def test_a_years_finding_lists_the_activities_held():
    findings = found(dt.date(2027, 1, 1), *CYCLE, SEMINAR=[dt.date(2026, 3, 1)])

    (last_year,) = [f for f in findings if f.rule == "seminars" and f.period == "2026"]
    assert last_year.evidence == ("Activity:1:1",)
    assert last_year.zh == "2026 年只举办了 1 次研讨工作会议，至少应有 2 次"


@pytest.mark.parametrize(
    ("kind", "unit_id", "subject", "zh"),
    [
        (ReportKind.ANNUAL_SUMMARY, None, "community",
         "2026年的年度工作总结（报项目组）已于2027年1月31日到期，尚未提交"),
        (ReportKind.MEMBER_ANNUAL, 102, "unit:102",
         "单位1的2026年成员单位年度总结与计划已于2027年1月31日到期，尚未提交"),
    ],
)  # fmt: skip
def test_an_overdue_report_names_whose_it_is(kind, unit_id, subject, zh):
    reports = KEPT_REPORTS - {(kind, 2026, None, unit_id)}

    (finding,) = found(
        KEPT_ON, *CYCLE, reports=reports, sub_topics=KEPT_SUB_TOPICS, **KEPT_ACTIVITIES
    )

    assert (finding.subject, finding.unit_id, finding.zh) == (subject, unit_id, zh)


def test_a_programme_that_keeps_its_cadence_and_evidence_has_no_finding():
    facts = ProgrammeFacts(
        today=dt.date(2027, 6, 1),
        evidenced={5: ("西湖区社区学院", 7)},
        activities={(ActivityKind.SEMINAR, 2026): 2, (ActivityKind.TRAINING, 2026): 3},
        first_year=2026,
        brands={2026: 3},
    )

    assert check_programme(facts) == []


def test_a_project_group_year_with_nothing_held_says_none_were():
    facts = ProgrammeFacts(today=dt.date(2027, 6, 1), first_year=2026, brands={2026: 5})

    assert [f.en for f in check_programme(facts)] == [
        "the project group held 0 seminar or work meeting in 2026; 2-3 expected",
        "the project group held 0 educator training in 2026; 3-4 expected",
    ]


def test_the_catalogue_states_the_numbers_the_checks_use():
    """The rule catalogue is what users read; its titles must not drift from the rules."""
    low, high = community_rules.MIN_UNITS, community_rules.MAX_UNITS
    assert f"{low} 至 {high}" in RULES["community-size"].title_zh
    assert f"{low} to {high}" in RULES["community-size"].title_en
    assert f"{community_rules.RENEWAL_WINDOW_DAYS} 天" in RULES["cycle"].remedy_zh
    assert f"{community_rules.RENEWAL_WINDOW_DAYS} days" in RULES["cycle"].remedy_en
    seminars, trainings = CADENCE[ActivityKind.SEMINAR], CADENCE[ActivityKind.TRAINING]
    assert "{}-{} 次研讨会议、{}-{} 次培训".format(*seminars, *trainings) in (
        RULES["project-group-cadence"].title_zh
    )
    brands = f"{recognition_rules.FEWEST_BRANDS}-{recognition_rules.MOST_BRANDS}"
    assert brands in RULES["brand-selection"].title_zh
    assert brands in RULES["brand-selection"].title_en
