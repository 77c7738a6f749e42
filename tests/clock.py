"""Time that passes when a test says so, for what counts in windows of time (the rate limits).

It starts on 2100-01-01 UTC, years ahead of the real clock. Redis forgets a window when the
real clock reaches the window's end, so never during a test: whether a window has ended is
decided on this clock alone, and a test that took a minute to run sees what it would have seen
in a millisecond."""

import datetime as dt

START = dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp()


class Clock:
    def __init__(self) -> None:
        self._now = START

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
