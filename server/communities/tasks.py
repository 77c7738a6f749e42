"""Background work on communities, run by the arq worker."""

from typing import Any

from sqlalchemy import update

from server.clock import today
from server.communities.models import Community
from server.db import rows_changed
from server.vocabulary import CommunityStatus

# `ctx: dict[str, Any]`: arq's job context, typed so by arq, each key its own type.


async def mark_ended_cycles(ctx: dict[str, Any]) -> int:
    """Art. 15: a community whose 3-year cycle is over (and not renewed) leaves ACTIVE.

    Idempotent: a second run finds nothing left to change.
    """
    async with ctx["runtime"].database.transaction() as session:
        result = await session.execute(
            update(Community)
            .where(
                Community.status == CommunityStatus.ACTIVE,
                Community.cycle_end < today(),
            )
            .values(status=CommunityStatus.CYCLE_ENDED)
        )
    return rows_changed(result)
