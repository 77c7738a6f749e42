"""The app served by uvicorn on a free loopback port, in the tests' own event loop (so it
shares their runtime), for a real websocket client to talk graphql-transport-ws to."""

import asyncio
from collections.abc import AsyncIterator

import pytest
import uvicorn

from schema.asgi import build
from tests.cli import free_port
from tests.eventually import eventually


@pytest.fixture
async def served(runtime) -> AsyncIterator[str]:
    """The websocket address of the served app: `ws://127.0.0.1:PORT`."""
    port = free_port()
    config = uvicorn.Config(
        build(runtime), host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, within=5.0, what="uvicorn listening")
    yield f"ws://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 5)
