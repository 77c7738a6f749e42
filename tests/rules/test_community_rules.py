"""Art. 9-11, 15, 16: a community's size, its members' level, its themes, its region and its
three-year cycle."""

import datetime as dt

import pytest

from server.communities.rules import (
    cycle_before,
    cycle_end_for,
    in_region,
    level_error,
    mismatched_levels,
    renewal_opens,
    size_error,
    themes_error,
)
from server.errors import ErrorCode
from server.vocabulary import Level, Theme


@pytest.mark.parametrize(
    ("units", "code"),
    [
        (2, ErrorCode.COMMUNITY_TOO_SMALL),
        (3, None),
        (15, None),
        (16, ErrorCode.COMMUNITY_FULL),
    ],
)
def test_a_community_has_three_to_fifteen_units(units, code):
    error = size_error(units)
    assert (error and error.code) == code


@pytest.mark.parametrize("reason", [None, "", "   ", "\t\n"])
def test_a_mixed_level_without_a_written_reason_is_refused(reason):
    error = level_error(Level.COUNTY, [Level.COUNTY, Level.TOWNSHIP], reason)
    assert error is not None
    assert (error.code, error.field) == (ErrorCode.LEVEL_MISMATCH, "mixedLevelReason")


def test_a_mixed_level_with_a_reason_or_one_level_alone_is_accepted():
    assert level_error(Level.COUNTY, [Level.TOWNSHIP], "街道社区学校承担区级老年大学分校") is None
    assert level_error(Level.COUNTY, [Level.COUNTY, Level.COUNTY], None) is None
    assert mismatched_levels(Level.COUNTY, [Level.COUNTY, Level.TOWNSHIP, Level.PROVINCE]) == [
        Level.TOWNSHIP,
        Level.PROVINCE,
    ]


def test_a_community_implements_at_least_one_theme():
    error = themes_error([])
    assert error is not None and (error.code, error.field) == (ErrorCode.INVALID_INPUT, "themes")
    assert themes_error([next(iter(Theme))]) is None


def test_a_member_lies_in_its_communitys_region():
    assert in_region("上海市", {"上海市", "江苏省"})
    assert not in_region("北京市", {"上海市", "江苏省"})


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 9, 1), dt.date(2029, 8, 31)),
        (dt.date(2028, 2, 29), dt.date(2031, 2, 28)),
        (dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
    ],
)
def test_a_cycle_lasts_three_years(start, end):
    assert cycle_end_for(start) == end


@pytest.mark.parametrize(
    ("start", "before"),
    [
        (dt.date(2029, 9, 1), (dt.date(2026, 9, 1), dt.date(2029, 8, 31))),
        (dt.date(2029, 1, 1), (dt.date(2026, 1, 1), dt.date(2028, 12, 31))),
        (dt.date(2031, 2, 28), (dt.date(2028, 2, 28), dt.date(2031, 2, 27))),
        (dt.date(2028, 2, 29), (dt.date(2025, 3, 1), dt.date(2028, 2, 28))),
    ],
)
def test_the_cycle_before_is_three_years_to_the_day_before(start, before):
    assert cycle_before(start) == before
    # A renewal of the cycle before starts this one (but from 29 Feb, which no renewal
    # reaches: a three-year cycle from 1 March 2025 ends on 29 Feb 2028).
    if start != dt.date(2028, 2, 29):
        assert cycle_end_for(before[0]) == before[1]


def test_a_cycle_may_be_renewed_from_ninety_days_before_its_end():
    assert renewal_opens(dt.date(2029, 8, 31)) == dt.date(2029, 8, 31) - dt.timedelta(days=90)
    assert renewal_opens(dt.date(2029, 8, 31)) == dt.date(2029, 6, 2)
