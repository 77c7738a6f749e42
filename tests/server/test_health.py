import httpx

from schema.asgi import build
from server.embedded import ServiceUrls
from server.runtime import open_runtime


async def test_healthz_reports_both_services_ok(client, runtime):
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


async def _health_with(settings, services: ServiceUrls) -> httpx.Response:
    runtime = open_runtime(settings, services)
    try:
        transport = httpx.ASGITransport(app=build(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as c:
            return await c.get("/healthz")
    finally:
        await runtime.close()


async def test_healthz_names_redis_when_it_is_down(settings, services):
    # Port 1 on loopback: nothing listens, the connection is refused for real.
    down = ServiceUrls(services.database_url, "redis://127.0.0.1:1/0", False, False)

    response = await _health_with(settings, down)

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("error")
    assert body["status"] == "unavailable"


async def test_healthz_names_the_database_when_it_is_down(settings, services):
    down = ServiceUrls(
        "postgresql+asyncpg://postgres@127.0.0.1:1/none", services.redis_url, False, False
    )

    response = await _health_with(settings, down)

    assert response.status_code == 503
    body = response.json()
    assert body["database"].startswith("error")
    assert body["redis"] == "ok"
