"""Clients at addresses of their own, and time passing for what Redis keeps."""

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


async def time_passes(redis: Redis, seconds: int) -> None:
    """Redis as it would be `seconds` later: what expires by then is gone, the rest that much
    closer to its expiry (keys that never expire stay)."""
    async for key in redis.scan_iter():
        left = await redis.pttl(key)
        if left < 0:
            continue
        if left <= seconds * 1000:
            await redis.delete(key)
        else:
            await redis.pexpire(key, left - seconds * 1000)
