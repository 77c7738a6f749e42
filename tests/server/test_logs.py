"""A request that fails outside GraphQL's own error handling is answered 500 and logged with
its traceback, without the data the database error quotes (uvicorn would log the error's
message whole: the statement's parameters, PostgreSQL's DETAIL)."""

import logging

import httpx
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import Route

from schema.asgi import build
from server.logs import FailuresLogged

EMAIL = "leak.me@example.cn"
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"


async def test_an_unanswered_failure_is_logged_without_its_data(runtime, caplog):
    async def sign_up(request):
        async with runtime.database.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO users (email, password_hash, display_name, unit_id, is_active)"
                    " VALUES (:email, :hash, '新用户', :unit, true)"
                ),
                {"email": EMAIL, "hash": HASH, "unit": 987654},
            )
        return Response()

    app = Starlette(
        routes=[Route("/sign-up", sign_up, methods=["POST"])],
        middleware=[Middleware(FailuresLogged)],
    )
    caplog.set_level(logging.DEBUG)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as client:
        response = await client.post("/sign-up")

    assert response.status_code == 500
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    message = record.getMessage()
    assert "Traceback (most recent call last)" in message
    assert "fk_users_unit_id_units" in message
    for data in (EMAIL, "$argon2", "987654"):
        assert data not in caplog.text, data


def test_the_platform_answers_its_routes_so(runtime):
    app = build(runtime)
    assert FailuresLogged in [m.cls for m in app.user_middleware]
