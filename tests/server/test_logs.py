"""A request that fails outside GraphQL's own error handling is answered 500 and logged with
its traceback, without the data the database error quotes (uvicorn would log the error's
message whole: the statement's parameters, PostgreSQL's DETAIL)."""

import logging
import uuid

import httpx
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker, func
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import Route

from schema.asgi import build
from server.logs import FailuresLogged
from server.worker import WorkerSettings

EMAIL = "leak.me@example.cn"
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"


async def _insert_a_user_of_no_unit(runtime) -> None:
    """Fails on the foreign key: its parameters are an email and a password's hash."""
    async with runtime.database.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO users (email, password_hash, display_name, unit_id, is_active)"
                " VALUES (:email, :hash, '新用户', :unit, true)"
            ),
            {"email": EMAIL, "hash": HASH, "unit": 987654},
        )


def _data_absent(text: str) -> None:
    for data in (EMAIL, "$argon2", "987654"):
        assert data not in text, data


async def test_an_unanswered_failure_is_logged_without_its_data(runtime, caplog):
    async def sign_up(request):
        await _insert_a_user_of_no_unit(runtime)
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
    _data_absent(caplog.text)


def test_the_platform_answers_its_routes_so(runtime):
    app = build(runtime)
    assert FailuresLogged in [m.cls for m in app.user_middleware]


async def test_a_failed_job_is_logged_without_its_data(runtime, caplog):
    async def import_accounts(ctx):
        await _insert_a_user_of_no_unit(ctx["runtime"])

    queue = f"gongxue-test:{uuid.uuid4().hex}"
    redis_settings = RedisSettings.from_dsn(runtime.services.redis_url)
    pool = await create_pool(redis_settings, default_queue_name=queue)
    await pool.enqueue_job("import_accounts")
    worker = Worker(
        functions=[func(import_accounts, name="import_accounts", max_tries=1)],
        redis_settings=redis_settings,
        queue_name=queue,
        burst=True,
        poll_delay=0.05,
        ctx={"runtime": runtime},
        handle_signals=False,
    )
    caplog.set_level(logging.INFO)
    try:
        await worker.main()
    finally:
        await worker.close()
        await pool.aclose()

    assert WorkerSettings.functions  # the worker's module, which sets arq's logging, is loaded
    (record,) = [r for r in caplog.records if r.name == "arq.worker" and r.levelno >= logging.ERROR]
    assert "import_accounts" in record.getMessage() and "fk_users_unit_id_units" in caplog.text
    assert "Traceback (most recent call last)" in caplog.text
    _data_absent(caplog.text)
