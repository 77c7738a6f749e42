"""The regulation's rules about communities, each in one place (Art. 9-11, 14-16). The
mutations that refuse bad input and the audits that find old violations both call these."""

import datetime as dt
from collections.abc import Iterable

from server.errors import ErrorCode, UserFacingError
from server.vocabulary import Level

MIN_UNITS = 3  # Art. 11: three or more units
MAX_UNITS = 15  # Art. 11: at most fifteen
CYCLE_YEARS = 3  # Art. 15: the cooperation cycle is three years
RENEWAL_WINDOW_DAYS = 90  # a cycle may be renewed from 90 days before its end


def cycle_end_for(start: dt.date) -> dt.date:
    """The last day of a cycle that starts on `start` (a cycle from 29 Feb ends on 28 Feb)."""
    try:
        anniversary = start.replace(year=start.year + CYCLE_YEARS)
    except ValueError:
        anniversary = dt.date(start.year + CYCLE_YEARS, 3, 1)
    return anniversary - dt.timedelta(days=1)


def cycle_before(start: dt.date) -> tuple[dt.date, dt.date]:
    """The cycle that ended the day before a cycle starting on `start` began (a renewal
    starts the next cycle the day after the last ends): its first and last day."""
    try:
        first = start.replace(year=start.year - CYCLE_YEARS)
    except ValueError:  # from 29 Feb: the cycle before began on 1 March
        first = dt.date(start.year - CYCLE_YEARS, 3, 1)
    return first, start - dt.timedelta(days=1)


def renewal_opens(cycle_end: dt.date) -> dt.date:
    """The first day a cycle ending on `cycle_end` may be renewed (Art. 15)."""
    return cycle_end - dt.timedelta(days=RENEWAL_WINDOW_DAYS)


def size_error(units: int) -> UserFacingError | None:
    """Art. 11: 3 to 15 units."""
    if units < MIN_UNITS:
        return UserFacingError(
            ErrorCode.COMMUNITY_TOO_SMALL,
            f"共同体至少需要 {MIN_UNITS} 个成员单位（第十一条），现为 {units} 个",
            f"a community needs at least {MIN_UNITS} units (Art. 11); this has {units}",
        )
    if units > MAX_UNITS:
        return UserFacingError(
            ErrorCode.COMMUNITY_FULL,
            f"共同体最多 {MAX_UNITS} 个成员单位（第十一条），现为 {units} 个",
            f"a community has at most {MAX_UNITS} units (Art. 11); this would have {units}",
        )
    return None


def mismatched_levels(community_level: Level, unit_levels: Iterable[Level]) -> list[Level]:
    """Art. 10: units of the community's level "in principle"; the others, if any."""
    return [level for level in unit_levels if level != community_level]


def level_error(
    community_level: Level, unit_levels: Iterable[Level], reason: str | None
) -> UserFacingError | None:
    """A different level needs a written reason (Art. 10 says "in principle")."""
    if mismatched_levels(community_level, unit_levels) and not (reason and reason.strip()):
        return UserFacingError(
            ErrorCode.LEVEL_MISMATCH,
            f"成员单位层级与共同体（{community_level.zh}）不同，须写明理由（第十条）",
            f"a unit's level differs from the community's ({community_level.en}); "
            "give the reason in writing (Art. 10)",
            "mixedLevelReason",
        )
    return None


def themes_error(themes: Iterable[object]) -> UserFacingError | None:
    """Art. 16(2): a community implements at least one of the themes."""
    if not list(themes):
        return UserFacingError(
            ErrorCode.INVALID_INPUT,
            "至少选择一个共同体项目（第十六条第二项）",
            "choose at least one theme (Art. 16(2))",
            "themes",
        )
    return None


def in_region(province: str, region_provinces: set[str]) -> bool:
    """Art. 9: a member lies in its community's region (a region's provinces)."""
    return province in region_provinces
