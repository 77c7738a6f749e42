"""Waiting for something another task or process does, without guessing how long it takes:
poll it, and fail with what was awaited once the deadline passes. A fixed sleep is either
too short on a loaded machine (a flaky test) or longer than needed everywhere else."""

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

INTERVAL = 0.01


async def eventually(
    condition: Callable[[], Any], within: float = 5.0, what: str | None = None
) -> Any:
    """Polls `condition` (a function, or a coroutine function) until it returns something
    true, and returns that; fails once `within` seconds have passed."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {within} s: {what or _name(condition)}")
        await asyncio.sleep(INTERVAL)


def _name(condition: Callable[[], Any]) -> str:
    return getattr(condition, "__qualname__", repr(condition))
