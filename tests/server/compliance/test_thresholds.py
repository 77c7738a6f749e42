"""Each audit rule exactly at its threshold and one day or one count off, as pure checks over
facts built by hand: the date arithmetic of the rules, which the database-backed tests in
`test_rules.py` pin only by a day on either side of a wider gap."""

import datetime as dt

import pytest

from server.communities.models import Community
from server.compliance.checks import check_community, check_programme
from server.compliance.facts import Facts, Held, Member, ProgrammeFacts
from server.vocabulary import ActivityKind, Level, MembershipRole, Severity, Theme

COMMUNITY_ID = 1


def community(start: dt.date, end: dt.date) -> Community:
    return Community(
        id=COMMUNITY_ID,
        slug="yrd-c",
        name="长三角共同体",
        region="YANGTZE_RIVER_DELTA",
        level=Level.COUNTY,
        themes=[Theme.ELDERLY_EDUCATION.value],
        cycle_start=start,
        cycle_end=end,
        office_unit_id=101,
        mixed_level_reason=None,
    )


def found(on: dt.date, start: dt.date, end: dt.date, **activities: list[dt.date]) -> list:
    """The findings for a community of three on the day `on`; `activities` by kind name: the
    days they are held (those after `on` are planned only)."""
    row = community(start, end)
    members = [
        Member(101 + i, f"单位{i}", MembershipRole.LEADER if i == 0 else MembershipRole.MEMBER,
               Level.COUNTY, "33", "张三")
        for i in range(3)
    ]  # fmt: skip
    held: dict = {}
    for kind, days in activities.items():
        for day in days:
            key = (COMMUNITY_ID, ActivityKind[kind], day.year)
            ids, planned = held.get(key, ((), 0))
            held[key] = (ids + ((len(ids) + 1,) if day <= on else ()), planned + 1)
    facts = Facts(
        today=on,
        communities=[row],
        members={COMMUNITY_ID: members},
        region_provinces={"YANGTZE_RIVER_DELTA": {"33"}},
        activities={key: Held(ids, planned) for key, (ids, planned) in held.items()},
    )
    return check_community(facts, row)


def of_rule(findings: list, rule: str) -> list[tuple[str, Severity]]:
    return [(f.period, f.severity) for f in findings if f.rule == rule]


CYCLE = (dt.date(2026, 1, 1), dt.date(2028, 12, 31))


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
    findings = found(on, *CYCLE)

    assert len(of_rule(findings, "joint-research")) == (1 if warns else 0)


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
