"""Real PostgreSQL and Redis for every test: the servers at GONGXUE_DATABASE_URL and
GONGXUE_REDIS_URL when set, else the embedded ones in a temporary data dir.

Each run gets a fresh database, migrated once (so the migrations are tested); each test
starts from the migrated state (reference data kept, everything else truncated).
"""

import asyncio
import os
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from schema.asgi import build
from server.db_roles import APP_ROLE
from server.embedded import ServiceUrls, start_database, start_redis
from server.migrate import upgrade
from server.runtime import Runtime, open_runtime
from server.settings import Settings

# How long the clean-up after a test waits for a lock before it ends what holds it, and the
# SQLSTATE of that wait's end (lock_not_available).
CLEAN_UP_WAIT = "15s"
LOCK_NOT_AVAILABLE = "55P03"

# Tables whose rows the tests create; the migration's reference data stays.
TEST_OWNED_TABLES = (
    "audit_log",
    "fee_entries",
    "invoice_lines",
    "invoices",
    "fee_schedules",
    "findings",
    "programme_findings",
    "audit_runs",
    "notifications",
    "attendance",
    "activities",
    "programme_attendance",
    "programme_activities",
    "reports",
    "exits",
    "application_conditions",
    "applications",
    "application_calls",
    "sign_in_sheets",
    "news",
    "review_assignments",
    "nominations",
    "evaluation_rounds",
    "achievements",
    "recognitions",
    "topic_reports",
    "sub_topics",
    "research_topics",
    "uploads",
    "memberships",
    "communities",
    "casbin_rule",
    "users",
    "units",
)
TEST_SECRET = "test-secret-" + "x" * 40


async def _create_database(server_url: str, name: str) -> None:
    admin = create_async_engine(
        make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()


async def _drop_database(server_url: str, name: str) -> None:
    admin = create_async_engine(
        make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Short: PostgreSQL's and Redis's unix socket paths must stay under ~100 bytes.
    return tmp_path_factory.mktemp("gx")


@pytest.fixture(scope="session")
def server_url(data_dir: Path) -> str:
    """A PostgreSQL server to create this run's databases on."""
    return os.environ.get("GONGXUE_DATABASE_URL") or start_database(data_dir).url


@pytest.fixture(scope="session")
def fresh_database(server_url: str) -> Iterator:
    """Makes empty databases on the test server and drops them at the end of the run."""
    made: list[str] = []

    def make() -> str:
        name = f"gongxue_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_create_database(server_url, name))
        made.append(name)
        return make_url(server_url).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in made:
        asyncio.run(_drop_database(server_url, name))


@pytest.fixture(scope="session")
def services(fresh_database, data_dir: Path) -> ServiceUrls:
    database_url = fresh_database()
    upgrade(database_url)
    redis_url = os.environ.get("GONGXUE_REDIS_URL")
    return ServiceUrls(
        database_url=database_url,
        redis_url=redis_url or start_redis(data_dir),
        database_embedded="GONGXUE_DATABASE_URL" not in os.environ,
        redis_embedded=redis_url is None,
    )


@pytest.fixture(scope="session")
def settings(services: ServiceUrls, data_dir: Path) -> Settings:
    return Settings(
        env="test",
        secret_key=TEST_SECRET,
        data_dir=data_dir,
        database_url=services.database_url,
        redis_url=services.redis_url,
    )


@pytest.fixture(scope="session")
async def runtime(settings: Settings, services: ServiceUrls) -> AsyncIterator[Runtime]:
    """The application's runtime: connected as the application role, under RLS."""
    runtime = open_runtime(settings, services)
    await runtime.start()
    yield runtime
    await runtime.close()


@pytest.fixture(scope="session")
async def owner(services: ServiceUrls) -> AsyncIterator[AsyncEngine]:
    """The tables' owner, for what the application may not do (cleaning up, inspecting)."""
    engine = create_async_engine(services.database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(autouse=True)
async def _clean(runtime: Runtime, owner: AsyncEngine) -> AsyncIterator[None]:
    """Every test (subprocesses it starts included) leaves the database as it found it."""
    yield
    await truncate(owner)
    await runtime.redis.flushdb()  # this run's Redis database: rate limits, revocations, policy
    runtime.figures.forget()  # counted from rows the next test does not have
    await runtime.policy.load()
    await runtime.revocations.load()


async def truncate(owner: AsyncEngine, wait: str = CLEAN_UP_WAIT) -> None:
    """Empties the tests' tables. A transaction of the application still open when its test
    has ended (a read a cancelled request left behind) would block the TRUNCATE for ever: it
    is ended after `wait`, with a warning that names it, and the TRUNCATE retried."""
    tables = ", ".join(TEST_OWNED_TABLES)
    for _ in range(3):
        try:
            async with owner.begin() as conn:
                await conn.execute(text(f"SET LOCAL lock_timeout = '{wait}'"))
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            return
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
        async with owner.begin() as conn:
            ended = (
                await conn.execute(
                    text(
                        "SELECT pid, state, left(query, 200), pg_terminate_backend(pid) "
                        "FROM pg_stat_activity WHERE datname = current_database() "
                        "AND usename = :app AND xact_start IS NOT NULL"
                    ),
                    {"app": APP_ROLE},
                )
            ).all()
        warnings.warn(f"the clean-up ended transactions left open: {ended}", stacklevel=1)
    raise AssertionError("the tests' tables could not be emptied")


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as c:
        yield c
