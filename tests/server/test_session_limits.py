"""The backstops PostgreSQL applies to the application's sessions (`server.db.SessionLimits`):
whatever a bug leaves behind, no transaction of the application holds its locks for long."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import func, select

from server.runtime import Runtime, open_runtime
from server.units.models import Unit
from tests.eventually import eventually
from tests.factories import make_community
from tests.server.test_reads_cancelled import cancel_mid_statement, left_in_transaction

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def limited(settings, services) -> AsyncIterator[Runtime]:
    """A runtime whose sessions' limits are short enough to watch them act."""
    limits = {"db_idle_in_transaction_timeout": 0.5, "db_client_check_interval": 0.2}
    runtime = open_runtime(settings.model_copy(update=limits), services)
    yield runtime
    await runtime.close()


async def test_the_settings_reach_every_session_of_the_application(runtime):
    shown = select(
        func.current_setting("idle_in_transaction_session_timeout").label("idle"),
        func.current_setting("client_connection_check_interval").label("check"),
    )
    async with runtime.database.transaction() as session:
        orm = tuple((await session.execute(shown)).one())
    async with runtime.database.read() as read:
        driver = tuple(await read.one_or_none(shown))

    assert orm == driver == ("1min", "5s")


async def test_a_session_left_idle_inside_a_transaction_is_closed(limited, owner):
    community, _ = await make_community(limited, "yrd-a")

    with pytest.raises(asyncpg.InterfaceError):
        async with limited.database.read(community.id) as read:
            assert await read.scalar(select(func.count()).select_from(Unit)) >= 1
            await asyncio.sleep(1.5)  # a bug: the transaction forgotten, its lock held
            await read.scalar(select(func.count()).select_from(Unit))

    assert await left_in_transaction(owner) == []
    async with limited.database.read(community.id) as read:  # the pool opens another
        assert await read.scalar(select(func.count()).select_from(Unit)) >= 1


async def test_a_statement_whose_client_is_gone_is_ended(limited, owner):
    """A connection closed without its rollback (`server.reads.abandon`, when the server does
    not answer in time): its backend does not run on inside the transaction."""
    community, _ = await make_community(limited, "yrd-a")

    with pytest.raises(asyncpg.ConnectionDoesNotExistError):
        async with limited.database.read(community.id) as read:
            await read.scalar(select(func.count()).select_from(Unit))  # a lock held
            sleeping = asyncio.create_task(read.scalar(select(func.pg_sleep(20))))
            await asyncio.sleep(0.3)
            read._connection.terminate()  # the client gone, the server not told
            await sleeping

    async def nothing_left() -> bool:
        return await left_in_transaction(owner) == []

    await eventually(nothing_left, within=5, what="the backend whose client is gone ended")


async def test_an_orm_transaction_cancelled_twice_mid_statement_ends_soon_after(limited, owner):
    """The ORM's path has no rollback that outlasts a second cancellation (SQLAlchemy closes
    the connection): the server ends the statement, and the transaction, once it sees its
    client gone."""
    community, _ = await make_community(limited, "yrd-a")
    started = asyncio.Event()

    async def work() -> None:
        async with limited.database.transaction(community.id) as session:
            await session.scalars(select(func.count()).select_from(Unit))  # a lock held
            started.set()
            await session.scalar(select(func.pg_sleep(20)))

    await cancel_mid_statement(work, started, cancels=2)

    async def nothing_left() -> bool:
        return await left_in_transaction(owner) == []

    await eventually(nothing_left, within=5, what="the cancelled ORM transaction ended")
