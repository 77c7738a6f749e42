"""Per-request dataloaders: one query per batch, each batch in its own transaction (sibling
fields resolve concurrently and must not share a session)."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import BigInteger, Date, func, select, text
from strawberry.dataloader import DataLoader

from server.clock import today
from server.communities.models import Community, Membership
from server.runtime import Runtime
from server.units.models import Unit
from server.vocabulary import MembershipStatus

# ORDER BY ... LIMIT 1 rather than max(): under row-level security PostgreSQL does not turn
# max() into one index step, and scans the community's activities (4.7 ms for 50 of them).
LATEST_ACTIVITY = text(
    "SELECT c.id, (SELECT a.held_on FROM activities a"
    " WHERE a.community_id = c.id AND a.held_on <= :today ORDER BY a.held_on DESC LIMIT 1)"
    " AS held_on FROM unnest(CAST(:ids AS bigint[])) AS c(id)"
).columns(id=BigInteger, held_on=Date)


class Loaders:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self.unit = DataLoader(self._units)
        self.community = DataLoader(self._communities)
        self.active_member_count = DataLoader(self._active_member_counts)
        self.last_activity = DataLoader(self._last_activities)

    async def _units(self, ids: Sequence[int]) -> list[Unit | None]:
        async with self._runtime.database.read() as read:
            rows = await read.rows(select(Unit).where(Unit.id.in_(ids)))
        found = {row.id: row for row in rows}
        return [found.get(i) for i in ids]

    async def _communities(self, ids: Sequence[int]) -> list[Community | None]:
        async with self._runtime.database.read() as read:
            rows = await read.rows(select(Community).where(Community.id.in_(ids)))
        found = {row.id: row for row in rows}
        return [found.get(i) for i in ids]

    async def _active_member_counts(self, community_ids: Sequence[int]) -> list[int]:
        async with self._runtime.database.read() as read:
            rows = await read.rows(
                select(Membership.community_id, func.count().label("members"))
                .where(
                    Membership.community_id.in_(community_ids),
                    Membership.status == MembershipStatus.ACTIVE,
                )
                .group_by(Membership.community_id)
            )
        counts = {row.community_id: row.members for row in rows}
        return [counts.get(i, 0) for i in community_ids]

    async def _last_activities(self, community_ids: Sequence[int]) -> list[dt.date | None]:
        """The latest day each community held an activity: one backward step down the
        `(community_id, held_on)` index per community, not a scan of their activities."""
        statement = LATEST_ACTIVITY.bindparams(ids=list(community_ids), today=today())
        async with self._runtime.database.read(all_communities=True) as read:
            rows = await read.rows(statement)
        latest = {row.id: row.held_on for row in rows}
        return [latest.get(i) for i in community_ids]
