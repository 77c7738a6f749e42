"""Art. 18(4), 18(5), 19(3): when each report is due, which periods it may speak for, and
which reports a community owes by a given day."""

import datetime as dt

import pytest

from server.errors import ErrorCode
from server.reports.rules import (
    covered,
    due_on,
    outside_cycle_error,
    owed,
    period_bounds,
    period_error,
    periods,
)
from server.vocabulary import ReportKind

SEMI, SUMMARY, MEMBER, PLAN = (
    ReportKind.SEMI_ANNUAL,
    ReportKind.ANNUAL_SUMMARY,
    ReportKind.MEMBER_ANNUAL,
    ReportKind.PLAN,
)


@pytest.mark.parametrize(
    ("kind", "half", "due"),
    [
        (SEMI, 1, dt.date(2026, 7, 15)),
        (SEMI, 2, dt.date(2027, 1, 15)),
        (SUMMARY, None, dt.date(2027, 1, 31)),
        (MEMBER, None, dt.date(2027, 1, 31)),
        (PLAN, None, dt.date(2026, 3, 31)),
    ],
)
def test_each_report_is_due_on_its_day(kind, half, due):
    assert due_on(kind, 2026, half) == due


@pytest.mark.parametrize(
    ("kind", "year", "half", "unit", "field"),
    [
        (SEMI, 2026, 0, None, "half"),
        (SEMI, 2026, 3, None, "half"),
        (SEMI, 2026, None, None, "half"),
        (SUMMARY, 2026, 1, None, "half"),
        (MEMBER, 2026, None, None, "unitId"),
        (SUMMARY, 2026, None, 7, "unitId"),
        (SUMMARY, 1999, None, None, "year"),
        (SUMMARY, 2101, None, None, "year"),
    ],
)
def test_a_period_no_report_has_is_refused(kind, year, half, unit, field):
    error = period_error(kind, year, half, unit)
    assert error is not None
    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, field)


@pytest.mark.parametrize(
    ("kind", "year", "half", "unit"),
    [
        (SEMI, 2026, 1, None),
        (SEMI, 2026, 2, None),
        (MEMBER, 2026, None, 7),
        (PLAN, 2000, None, None),
        (SUMMARY, 2100, None, None),
    ],
)
def test_a_period_a_report_has_is_accepted(kind, year, half, unit):
    assert period_error(kind, year, half, unit) is None


def test_each_report_speaks_for_a_half_or_a_whole_year():
    assert period_bounds(SEMI, 2026, 1) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert period_bounds(SEMI, 2026, 2) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert period_bounds(SUMMARY, 2026, None) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert periods(SEMI, 2026, 2027) == [(2026, 1), (2026, 2), (2027, 1), (2027, 2)]
    assert periods(PLAN, 2026, 2026) == [(2026, None)]


def test_a_cycle_from_september_covers_the_second_halves_at_both_ends():
    start, end = dt.date(2025, 9, 1), dt.date(2028, 8, 31)
    assert not covered(SEMI, 2025, 1, start, end)
    assert covered(SEMI, 2025, 2, start, end)
    assert covered(SEMI, 2028, 2, start, end)
    assert not covered(SEMI, 2029, 1, start, end)
    assert covered(SUMMARY, 2025, None, start, end)
    assert not covered(SUMMARY, 2024, None, start, end)
    assert covered(SEMI, 2040, 1, start, None)  # an open cycle covers every later period


def test_a_cycle_covers_a_half_year_from_its_first_day_to_its_last():
    assert covered(SEMI, 2026, 1, dt.date(2026, 6, 30), None)
    assert not covered(SEMI, 2026, 1, dt.date(2026, 7, 1), None)
    assert covered(SEMI, 2026, 2, dt.date(2026, 1, 1), dt.date(2026, 7, 1))
    assert not covered(SEMI, 2026, 2, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert covered(SEMI, 2026, 2, dt.date(2026, 12, 31), None)
    assert covered(SUMMARY, 2026, None, dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert not covered(SUMMARY, 2026, None, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert covered(SUMMARY, 2026, None, dt.date(2026, 12, 31), None)
    assert not covered(SUMMARY, 2026, None, dt.date(2027, 1, 1), None)


def test_a_period_outside_the_cycle_names_the_half_when_its_year_is_inside():
    start, end = dt.date(2025, 9, 1), dt.date(2028, 8, 31)
    assert outside_cycle_error(SEMI, 2025, 2, start, end) is None
    half = outside_cycle_error(SEMI, 2025, 1, start, end)
    year = outside_cycle_error(SEMI, 2024, 2, start, end)
    summary = outside_cycle_error(SUMMARY, 2029, None, start, end)
    assert half is not None and year is not None and summary is not None
    assert (half.code, half.field, year.field, summary.field) == (
        ErrorCode.INVALID_INPUT,
        "half",
        "year",
        "year",
    )


def _owed(start, until, end=None, members=(3, 1)):
    return [(o.kind, o.period, o.unit_id, o.due_on) for o in owed(start, members, until, end)]


def test_a_community_formed_in_january_owes_nothing_for_the_year_before():
    assert _owed(dt.date(2026, 1, 10), dt.date(2026, 3, 31)) == [
        (PLAN, "2026", None, dt.date(2026, 3, 31))
    ]


def test_a_cycle_that_starts_on_a_due_day_owes_that_report():
    assert _owed(dt.date(2026, 3, 31), dt.date(2026, 3, 31)) == [
        (PLAN, "2026", None, dt.date(2026, 3, 31))
    ]
    assert _owed(dt.date(2026, 4, 1), dt.date(2026, 7, 14)) == []


def test_a_report_is_owed_on_its_due_day_and_not_the_day_before():
    start = dt.date(2026, 1, 1)
    assert _owed(start, dt.date(2026, 3, 30)) == []
    assert _owed(start, dt.date(2026, 7, 14))[-1][0] is PLAN
    assert _owed(start, dt.date(2026, 7, 15))[-1] == (SEMI, "2026H1", None, dt.date(2026, 7, 15))


def test_a_year_owes_every_report_in_due_order_each_member_its_own():
    assert _owed(dt.date(2026, 1, 1), dt.date(2027, 1, 31)) == [
        (PLAN, "2026", None, dt.date(2026, 3, 31)),
        (SEMI, "2026H1", None, dt.date(2026, 7, 15)),
        (SEMI, "2026H2", None, dt.date(2027, 1, 15)),
        (SUMMARY, "2026", None, dt.date(2027, 1, 31)),
        (MEMBER, "2026", 1, dt.date(2027, 1, 31)),
        (MEMBER, "2026", 3, dt.date(2027, 1, 31)),
    ]


def test_a_cycle_that_ended_owes_nothing_for_the_periods_after_it():
    found = _owed(dt.date(2026, 1, 1), dt.date(2027, 8, 1), end=dt.date(2026, 6, 30))
    assert [(kind, period) for kind, period, _, _ in found] == [
        (PLAN, "2026"),
        (SEMI, "2026H1"),
        (SUMMARY, "2026"),
        (MEMBER, "2026"),
        (MEMBER, "2026"),
    ]
