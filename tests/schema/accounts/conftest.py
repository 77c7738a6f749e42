"""Clients at addresses of their own, and time passing for what Redis keeps."""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from redis.asyncio import Redis

from schema.asgi import build

Clients = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client_at(runtime) -> Clients:
    """`async with client_at("203.0.113.5") as c`: a client whose requests come from there."""
    app = build(runtime)

    @asynccontextmanager
    async def at(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as c:
            yield c

    return at


@pytest.fixture
def clock(runtime) -> "Clock":
    return Clock(runtime.redis)


class Clock:
    """Real time, plus the time made to pass in Redis: what Redis holds at a moment on this
    clock is what it would hold then. A moment is `now()` plus seconds."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._skipped = 0.0

    def now(self) -> float:
        return time.monotonic() + self._skipped

    async def until(self, moment: float) -> None:
        """Redis as it will be at `moment`: what expires by then is gone, the rest that much
        closer to its expiry (keys that never expire stay)."""
        skip = moment - self.now()
        assert skip > 0, "the test took longer than the window it checks"
        async for key in self._redis.scan_iter():
            left = await self._redis.pttl(key)
            if left < 0:
                continue
            if left <= skip * 1000:
                await self._redis.delete(key)
            else:
                await self._redis.pexpire(key, left - int(skip * 1000))
        self._skipped += skip
