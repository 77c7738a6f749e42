"""When each report is due (Art. 18(4), 18(5), 19(3)). One definition for submission, for
the "what is due" query and for the audits."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from server.errors import ErrorCode, UserFacingError
from server.vocabulary import ReportKind


def due_on(kind: ReportKind, year: int, half: int | None) -> dt.date:
    """SEMI_ANNUAL: 15 July for the first half, 15 January after the second; ANNUAL_SUMMARY and
    MEMBER_ANNUAL: 31 January of the next year; PLAN: 31 March of its own year."""
    if kind is ReportKind.SEMI_ANNUAL:
        return dt.date(year, 7, 15) if half == 1 else dt.date(year + 1, 1, 15)
    if kind is ReportKind.PLAN:
        return dt.date(year, 3, 31)
    return dt.date(year + 1, 1, 31)


def late(due: dt.date, submitted: dt.date) -> bool:
    """On its due day a report is on time; from the day after, late."""
    return submitted > due


def period_error(
    kind: ReportKind, year: int, half: int | None, unit_id: int | None
) -> UserFacingError | None:
    if kind is ReportKind.SEMI_ANNUAL and half not in (1, 2):
        return UserFacingError(
            ErrorCode.INVALID_INPUT,
            "半年报须注明上半年或下半年（1 或 2）",
            "half must be 1 or 2",
            "half",
        )
    if kind is not ReportKind.SEMI_ANNUAL and half is not None:
        return UserFacingError(
            ErrorCode.INVALID_INPUT,
            "只有半年报分上下半年",
            "only semi-annual reports have a half",
            "half",
        )
    if (kind is ReportKind.MEMBER_ANNUAL) != (unit_id is not None):
        return UserFacingError(
            ErrorCode.INVALID_INPUT,
            "成员单位年度总结须注明单位，其他报告不注明",
            "a member's annual report names its unit; other reports do not",
            "unitId",
        )
    if not 2000 <= year <= 2100:
        return UserFacingError(ErrorCode.INVALID_INPUT, "年份无效", "not a plausible year", "year")
    return None


def periods(kind: ReportKind, first_year: int, last_year: int) -> list[tuple[int, int | None]]:
    """The (year, half) periods of `kind` in these years."""
    halves = (1, 2) if kind is ReportKind.SEMI_ANNUAL else (None,)
    return [(year, half) for year in range(first_year, last_year + 1) for half in halves]


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes an Owed)
class Owed:
    """A report owed for one period (and, for MEMBER_ANNUAL, by one unit)."""

    kind: ReportKind
    year: int
    half: int | None
    unit_id: int | None
    due_on: dt.date

    @property
    def key(self) -> tuple[ReportKind, int, int | None, int | None]:
        return (self.kind, self.year, self.half, self.unit_id)

    @property
    def period(self) -> str:
        """How findings and reminders name the period: "2026H1", "2026"."""
        return f"{self.year}H{self.half}" if self.half else str(self.year)

    @property
    def period_zh(self) -> str:
        """The period in the words of a Chinese reader: 2026年上半年, 2026年."""
        if self.half:
            return f"{self.year}年{'上' if self.half == 1 else '下'}半年"
        return f"{self.year}年"


def period_bounds(kind: ReportKind, year: int, half: int | None) -> tuple[dt.date, dt.date]:
    """The first and last day a report speaks for."""
    if kind is ReportKind.SEMI_ANNUAL:
        return (
            (dt.date(year, 1, 1), dt.date(year, 6, 30))
            if half == 1
            else (
                dt.date(year, 7, 1),
                dt.date(year, 12, 31),
            )
        )
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def covered(
    kind: ReportKind, year: int, half: int | None, start: dt.date, end: dt.date | None
) -> bool:
    """Whether the cooperation from `start` to `end` covers the period, in part at least: a
    cycle from 1 September 2025 to 31 August 2028 covers the second half of 2025 and of 2028,
    and neither the first half of 2025 nor that of 2029."""
    first, last = period_bounds(kind, year, half)
    return last >= start and (end is None or first <= end)


def outside_cycle_error(
    kind: ReportKind, year: int, half: int | None, start: dt.date, end: dt.date
) -> UserFacingError | None:
    """A report speaks for a period of the community's cooperation: from `start` (its first
    cycle's) to the end of its current cycle; a renewal extends it, so the last reports of an
    earlier cycle remain welcome after it."""
    if covered(kind, year, half, start, end):
        return None
    year_inside = covered(ReportKind.ANNUAL_SUMMARY, year, None, start, end)
    return UserFacingError(
        ErrorCode.INVALID_INPUT,
        f"报告期须在共同体的合作周期内（{start} 至 {end}）",
        f"the period must fall within the community's cycle ({start} to {end})",
        "half" if half is not None and year_inside else "year",
    )


def owed(
    cycle_start: dt.date, members: Iterable[int], until: dt.date, cycle_end: dt.date | None = None
) -> list[Owed]:
    """Every report for a period the cycle covers (in part) that falls due by `until`, by due
    date: a community formed in January owes nothing for the year before."""
    units = sorted(members)
    found: list[Owed] = []
    for kind in ReportKind:
        for year, half in periods(kind, cycle_start.year, until.year):
            due = due_on(kind, year, half)
            in_cycle = covered(kind, year, half, cycle_start, cycle_end)
            if in_cycle and cycle_start <= due <= until:  # a plan due before the cycle: none
                for unit_id in units if kind is ReportKind.MEMBER_ANNUAL else [None]:
                    found.append(Owed(kind, year, half, unit_id, due))
    # sorted() is stable: a kind's members stay in the order of `units`.
    return sorted(found, key=lambda o: (o.due_on, o.kind.value))
