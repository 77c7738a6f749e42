"""The programme runs on Beijing time: a deadline or a cycle ends at midnight there."""

import datetime as dt
from zoneinfo import ZoneInfo

PROGRAMME_TIMEZONE = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    return dt.datetime.now(PROGRAMME_TIMEZONE).date()


def beijing_day(moment: dt.datetime) -> dt.date:
    """The day a moment falls on in Beijing (a row written at 23:30 UTC is the next day)."""
    return moment.astimezone(PROGRAMME_TIMEZONE).date()


def chinese_date(day: dt.date) -> str:
    """A day as a reader in China writes it: 2026年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"
