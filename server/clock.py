"""The programme runs on Beijing time: a deadline or a cycle ends at midnight there."""

import datetime as dt
from zoneinfo import ZoneInfo

PROGRAMME_TIMEZONE = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    return dt.datetime.now(PROGRAMME_TIMEZONE).date()
