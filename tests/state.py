"""What the database holds, to prove that a refusal changed nothing."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import TEST_OWNED_TABLES


async def row_counts(owner: AsyncEngine) -> dict[str, int]:
    async with owner.connect() as conn:
        return {
            table: (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            for table in TEST_OWNED_TABLES
        }


async def attendance_recorded(owner: AsyncEngine) -> int:
    """How many expected units have a status recorded: a refused recording marks none."""
    async with owner.connect() as conn:
        count = "SELECT count(*) FROM attendance WHERE status IS NOT NULL"
        return (await conn.execute(text(count))).scalar_one()


async def waiting_on_a_lock(owner: AsyncEngine) -> int:
    """How many sessions of this database wait for a lock another transaction holds: how a
    test knows a concurrent request has reached the row it contends for."""
    async with owner.connect() as conn:
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND state = 'active'"
        )
        return (await conn.execute(text(waiting))).scalar_one()
