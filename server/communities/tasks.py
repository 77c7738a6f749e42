"""Background work on communities, run by the arq worker."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update

from server.communities.models import Community
from server.vocabulary import CommunityStatus

PROGRAMME_TIMEZONE = ZoneInfo("Asia/Shanghai")


def programme_today() -> dt.date:
    """The programme runs on Beijing time: a cycle ends at midnight there, not in UTC."""
    return dt.datetime.now(PROGRAMME_TIMEZONE).date()


async def mark_ended_cycles(ctx: dict[str, Any]) -> int:
    """Art. 15: a community whose 3-year cycle is over (and not renewed) leaves ACTIVE.

    Idempotent: a second run finds nothing left to change.
    """
    async with ctx["runtime"].database.transaction() as session:
        result = await session.execute(
            update(Community)
            .where(
                Community.status == CommunityStatus.ACTIVE,
                Community.cycle_end < programme_today(),
            )
            .values(status=CommunityStatus.CYCLE_ENDED)
        )
    return result.rowcount
