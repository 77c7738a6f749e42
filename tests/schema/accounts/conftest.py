"""Clients at addresses of their own, and a clock the rate limits read that tests move."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from schema.asgi import build
from tests.clock import Clock

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
def clock(runtime) -> Iterator[Clock]:
    """The application's clock for this test: it stands still until the test advances it."""
    clock = Clock()
    real, runtime.clock = runtime.clock, clock.now
    yield clock
    runtime.clock = real
