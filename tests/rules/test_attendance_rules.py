"""What scheduling and recording attendance must hold (Art. 12, 16), and from when absences
count towards the two that make a unit leave (Art. 8(2), 12)."""

import datetime as dt

import pytest

from server.activities.rules import (
    AttendanceEntry,
    counting_since,
    cycle_error,
    entries_error,
    expected_error,
    may_chain,
    recording_error,
)
from server.errors import ErrorCode
from server.vocabulary import AttendanceStatus

ABSENT, EXCUSED, ATTENDED = (
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ATTENDED,
)
DAY = dt.timedelta(days=1)
START, END = dt.date(2026, 1, 1), dt.date(2028, 12, 31)  # a three-year cycle (Art. 15)


def _code_and_field(error):
    return (error.code, error.field) if error else None


def test_an_absence_or_an_excuse_can_complete_a_chain_attending_cannot():
    entries = [
        AttendanceEntry(1, ABSENT),
        AttendanceEntry(2, ATTENDED),
        AttendanceEntry(3, EXCUSED),
    ]
    assert may_chain(entries) == [1, 3]


JOINED = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("reinstated", "since"),
    [
        (None, JOINED),
        (dt.date(2026, 6, 1), dt.date(2026, 6, 2)),  # the absences before are spent
        (JOINED - DAY, JOINED),
        (JOINED, JOINED + DAY),
        (dt.date(2025, 1, 1), JOINED),  # an old reinstatement, before the unit joined again
    ],
)
def test_absences_count_from_joining_or_the_day_after_the_last_reinstatement(reinstated, since):
    assert counting_since(JOINED, reinstated) == since


@pytest.mark.parametrize(
    ("held_on", "allowed"),
    [(START - DAY, False), (START, True), (END, True), (END + DAY, False)],
)
def test_a_community_activity_falls_within_its_cycle(held_on, allowed):
    error = cycle_error(held_on, START, END)
    assert _code_and_field(error) == (None if allowed else (ErrorCode.INVALID_INPUT, "heldOn"))


def test_only_active_members_are_expected():
    assert expected_error([1, 2], {1, 2, 3}) is None
    error = expected_error([1, 4], {1, 2, 3})
    assert _code_and_field(error) == (ErrorCode.INVALID_INPUT, "expectedUnitIds")
    assert "[4]" in error.en


def test_a_recording_marks_some_unit():
    assert _code_and_field(entries_error([])) == (ErrorCode.INVALID_INPUT, "entries")


def test_a_recording_marks_each_unit_once():
    distinct = [AttendanceEntry(u, ABSENT) for u in (1, 2, 3)]
    twice = [*distinct, AttendanceEntry(2, ATTENDED)]
    assert entries_error(distinct) is None
    assert _code_and_field(entries_error(twice)) == (ErrorCode.INVALID_INPUT, "entries.3.unitId")


TODAY = dt.date(2026, 5, 20)


@pytest.mark.parametrize(
    ("held_on", "allowed"), [(TODAY - DAY, True), (TODAY, True), (TODAY + DAY, False)]
)
def test_attendance_is_recorded_from_the_day_the_activity_is_held(held_on, allowed):
    error = recording_error(held_on, TODAY, [AttendanceEntry(1, ATTENDED)], {1})
    expected = None if allowed else (ErrorCode.INVALID_TRANSITION, "activityId")
    assert _code_and_field(error) == expected


def test_attendance_is_recorded_only_for_an_expected_unit():
    entries = [AttendanceEntry(1, ATTENDED), AttendanceEntry(9, ABSENT)]
    error = recording_error(TODAY, TODAY, entries, {1, 2})
    assert _code_and_field(error) == (ErrorCode.INVALID_INPUT, "entries.1.unitId")
    assert recording_error(TODAY, TODAY, entries[:1], {1, 2}) is None
