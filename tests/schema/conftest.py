"""A client whose responses count their SQL statements (`X-SQL-Statements`)."""

import httpx
import pytest

from schema.asgi import build
from server.runtime import open_runtime


@pytest.fixture
async def counted(settings, services):
    runtime = open_runtime(settings.model_copy(update={"count_sql": True}), services)
    await runtime.start()
    transport = httpx.ASGITransport(app=build(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as client:
        yield runtime, client
    await runtime.close()
