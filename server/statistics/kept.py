"""The national figures as last counted: each is counted over every community at most once
a minute per process, however many visitors open the main platform meanwhile. At national
scale one count reads hundreds of thousands of rows (the activities of a year: over 100 ms),
while the figures move by a few a day."""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, cast

T = TypeVar("T")
# How long a count stands: what the main platform's charts say of their figures.
FIGURES_SECONDS = 60.0


class KeptFigures:
    """Figures by name, each with the time it was counted. Visitors who ask while a figure is
    being counted wait for that count rather than start their own."""

    def __init__(self, clock: Callable[[], float], seconds: float = FIGURES_SECONDS) -> None:
        self._clock = clock
        self._seconds = seconds
        self._kept: dict[Hashable, tuple[float, Any]] = {}
        self._counting: dict[Hashable, asyncio.Lock] = {}

    async def figure(self, name: Hashable, count: Callable[[], Awaitable[T]]) -> T:
        kept = self._fresh(name)
        if kept is not None:
            return cast(T, kept[1])
        async with self._counting.setdefault(name, asyncio.Lock()):
            kept = self._fresh(name)  # counted while this request waited
            if kept is not None:
                return cast(T, kept[1])
            counted = await count()
            self._kept[name] = (self._clock(), counted)
            return counted

    def forget(self) -> None:
        """Count everything afresh at the next request."""
        self._kept.clear()

    def _fresh(self, name: Hashable) -> tuple[float, Any] | None:
        kept = self._kept.get(name)
        if kept is None or self._clock() - kept[0] >= self._seconds:
            return None
        return kept
