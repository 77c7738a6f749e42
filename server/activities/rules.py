"""Art. 8(2) and 12: a unit that misses two consecutive activities it was expected at is
deemed to have left. One definition, used when attendance is recorded and by the audits;
with it what a scheduling or a recording must hold before anything is written."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from server.errors import ErrorCode, UserFacingError
from server.vocabulary import AttendanceStatus

Ref = TypeVar("Ref")


# The marks whose recording can complete two absences in a row: an absence, or an excuse,
# which is skipped and so joins the absences either side of it (as a correction of the
# activity between them can). Attending, or nothing recorded, only ever breaks a chain.
CHAINING = (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes an Expected)
class Expected:
    """One activity a unit was expected at, in the order the activities were held."""

    activity: str  # a reference kept as evidence, e.g. a global id
    status: AttendanceStatus | None  # None: not recorded yet


def two_consecutive_absences(history: Sequence[Expected]) -> tuple[str, str] | None:
    """The first two unexcused absences with no attendance between them, or None.

    An excused absence breaks neither the count nor the chain: it is skipped. Attending
    resets the count; so does an activity whose attendance is not recorded yet, since
    nobody knows whether the unit came (recording it later decides again).
    """
    previous_absence: str | None = None
    for expected in history:
        if expected.status is None or expected.status is AttendanceStatus.ATTENDED:
            previous_absence = None
        elif expected.status is AttendanceStatus.ABSENT:
            if previous_absence is not None:
                return previous_absence, expected.activity
            previous_absence = expected.activity
    return None


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes an AttendanceEntry)
class AttendanceEntry:
    unit_id: int
    status: AttendanceStatus


def may_chain(entries: Sequence[AttendanceEntry]) -> list[int]:
    """The units whose new mark can complete two absences in a row (`CHAINING`)."""
    return [e.unit_id for e in entries if e.status in CHAINING]


def counting_since(joined: dt.date, reinstated: dt.date | None) -> dt.date:
    """Absences count from when the unit joined, or from the day after its last
    reinstatement (the absences that made it leave are spent)."""
    if reinstated is None:
        return joined
    return max(joined, reinstated + dt.timedelta(days=1))


def cycle_error(
    held_on: dt.date, cycle_start: dt.date, cycle_end: dt.date
) -> UserFacingError | None:
    """A community's activity falls within its cooperation cycle, both ends included."""
    if cycle_start <= held_on <= cycle_end:
        return None
    return UserFacingError(
        ErrorCode.INVALID_INPUT,
        f"活动日期须在合作周期内（{cycle_start} 至 {cycle_end}）",
        f"the activity must fall within the cycle ({cycle_start} to {cycle_end})",
        "heldOn",
    )


def expected_error(expected: Iterable[int], members: set[int]) -> UserFacingError | None:
    """Only the community's active members can be expected at its activity."""
    if stray := [u for u in expected if u not in members]:
        return UserFacingError(
            ErrorCode.INVALID_INPUT,
            "应到单位须是本共同体的在册成员",
            f"expected units must be active members (not: {stray})",
            "expectedUnitIds",
        )
    return None


def entries_error(entries: Sequence[AttendanceEntry]) -> UserFacingError | None:
    """A recording marks at least one unit, each once."""
    if not entries:
        return UserFacingError(ErrorCode.INVALID_INPUT, "没有出勤记录", "no entries", "entries")
    seen: set[int] = set()
    for i, entry in enumerate(entries):
        if entry.unit_id in seen:
            return UserFacingError(
                ErrorCode.INVALID_INPUT,
                "同一单位记录了两次",
                "a unit appears twice",
                f"entries.{i}.unitId",
            )
        seen.add(entry.unit_id)
    return None


def recording_error(
    held_on: dt.date, on: dt.date, entries: Sequence[AttendanceEntry], expected: set[int]
) -> UserFacingError | None:
    """Attendance is recorded once the activity has been held (on its day, too), and only for
    the units that were expected at it."""
    if held_on > on:
        return UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            "活动尚未举行，不能登记出勤",
            "the activity has not been held yet",
            "activityId",
        )
    for i, entry in enumerate(entries):
        if entry.unit_id not in expected:
            return UserFacingError(
                ErrorCode.INVALID_INPUT,
                "该单位不在本次活动的应到名单中",
                "the unit was not expected at this activity",
                f"entries.{i}.unitId",
            )
    return None
