"""The clean-up after each test: a transaction the application left open (a read that a
cancelled request abandoned) does not block the run for ever."""

import pytest
from sqlalchemy import func, select, text

from server.fees.models import FeeSchedule
from tests.conftest import truncate


async def test_a_transaction_left_open_is_ended_and_the_tables_emptied(runtime, owner):
    async with owner.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO fee_schedules (year, kind, amount_fen) VALUES (2026, 'TRAINING', 500)"
            )
        )
    left_open = await runtime.database.engine.connect()  # the application's role
    await left_open.execute(select(func.count()).select_from(FeeSchedule))  # a lock, kept

    with pytest.warns(UserWarning, match="ended transactions left open"):
        await truncate(owner, wait="1s")

    async with owner.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(FeeSchedule)) == 0
    await left_open.invalidate()
    await left_open.close()
