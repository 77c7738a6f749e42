"""The regulation's numbers and dates on both sides of each boundary, in the pure rules the
mutations and the audits share: a unit count of 2, 3, 15, 16 (Art. 11), a reason that is no
reason (Art. 10), each report's due day and the day after (Art. 18(4), 18(5), 19(3)), two
absences in a row with excuses skipped (Art. 8(2), 12)."""

import datetime as dt

import pytest

from server.activities.rules import Expected, two_consecutive_absences
from server.communities import rules as community_rules
from server.reports import rules as report_rules
from server.vocabulary import AttendanceStatus, Level, ReportKind

A, E, P = AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED, AttendanceStatus.ATTENDED


@pytest.mark.parametrize(
    ("units", "code"),
    [(2, "COMMUNITY_TOO_SMALL"), (3, None), (15, None), (16, "COMMUNITY_FULL")],
)
def test_a_community_has_3_to_15_units(units, code):
    error = community_rules.size_error(units)

    assert (error.code.value if error else None) == code


@pytest.mark.parametrize(
    ("reason", "refused"),
    [(None, True), ("", True), ("   ", True), ("\u3000\n", True), ("承担区级老年大学分校", False)],
)
def test_another_level_needs_a_reason_that_says_something(reason, refused):
    error = community_rules.level_error(Level.COUNTY, [Level.COUNTY, Level.TOWNSHIP], reason)

    assert (error is not None) == refused


def test_one_level_needs_no_reason():
    assert community_rules.level_error(Level.COUNTY, [Level.COUNTY] * 3, None) is None


@pytest.mark.parametrize(
    ("kind", "year", "half", "due"),
    [
        (ReportKind.SEMI_ANNUAL, 2026, 1, dt.date(2026, 7, 15)),
        (ReportKind.SEMI_ANNUAL, 2026, 2, dt.date(2027, 1, 15)),
        (ReportKind.ANNUAL_SUMMARY, 2026, None, dt.date(2027, 1, 31)),
        (ReportKind.MEMBER_ANNUAL, 2026, None, dt.date(2027, 1, 31)),
        (ReportKind.PLAN, 2026, None, dt.date(2026, 3, 31)),
    ],
)
def test_each_report_is_due_on_its_day_and_late_the_day_after(kind, year, half, due):
    assert report_rules.due_on(kind, year, half) == due
    assert report_rules.late(due, due) is False
    assert report_rules.late(due, due - dt.timedelta(days=1)) is False
    assert report_rules.late(due, due + dt.timedelta(days=1)) is True


@pytest.mark.parametrize(
    ("until", "owed"),
    [
        (dt.date(2026, 7, 14), []),
        (dt.date(2026, 7, 15), [(ReportKind.SEMI_ANNUAL, 2026, 1)]),
    ],
)
def test_a_report_is_owed_from_its_due_day(until, owed):
    found = report_rules.owed(dt.date(2026, 4, 1), [], until, dt.date(2029, 3, 31))

    assert [(o.kind, o.year, o.half) for o in found] == owed  # no plan: due before the cycle


def _history(*statuses) -> list[Expected]:
    return [Expected(f"a{i}", s) for i, s in enumerate(statuses, 1)]


@pytest.mark.parametrize(
    ("statuses", "pair"),
    [
        ((A,), None),
        ((A, A), ("a1", "a2")),
        ((A, A, A), ("a1", "a2")),
        ((A, P, A), None),
        ((A, None, A), None),  # not recorded yet: nobody knows whether the unit came
        ((A, E, A), ("a1", "a3")),  # an excuse is skipped, not a break
        ((A, E, E, A), ("a1", "a4")),
        ((E, A, E), None),
        ((E, E), None),
        ((P, A, P, A, E, A), ("a4", "a6")),
    ],
)
def test_two_absences_in_a_row_with_excuses_skipped(statuses, pair):
    assert two_consecutive_absences(_history(*statuses)) == pair


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
        (dt.date(2026, 9, 1), dt.date(2029, 8, 31)),
        (dt.date(2024, 2, 29), dt.date(2027, 2, 28)),  # no 29 February in 2027
        (dt.date(2025, 3, 1), dt.date(2028, 2, 29)),
    ],
)
def test_a_cycle_is_three_years_to_the_day_before(start, end):
    assert community_rules.cycle_end_for(start) == end
