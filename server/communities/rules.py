"""Numbers of the regulation about communities, each in one place (Art. 11, 15)."""

import datetime as dt

MIN_UNITS = 3  # Art. 11: three or more units
MAX_UNITS = 15  # Art. 11: at most fifteen
CYCLE_YEARS = 3  # Art. 15: the cooperation cycle is three years


def cycle_end_for(start: dt.date) -> dt.date:
    """The last day of a cycle that starts on `start` (a cycle from 29 Feb ends on 27 Feb)."""
    try:
        anniversary = start.replace(year=start.year + CYCLE_YEARS)
    except ValueError:
        anniversary = dt.date(start.year + CYCLE_YEARS, 3, 1)
    return anniversary - dt.timedelta(days=1)
