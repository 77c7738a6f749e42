"""Per-request dataloaders: one query per batch, each batch in its own transaction (sibling
fields resolve concurrently and must not share a session)."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from strawberry.dataloader import DataLoader

from server.activities.models import Activity
from server.clock import today
from server.communities.models import Community, Membership
from server.runtime import Runtime
from server.units.models import Unit
from server.vocabulary import MembershipStatus


class Loaders:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self.unit = DataLoader(self._units)
        self.community = DataLoader(self._communities)
        self.active_member_count = DataLoader(self._active_member_counts)
        self.last_activity = DataLoader(self._last_activities)

    async def _units(self, ids: Sequence[int]) -> list[Unit | None]:
        async with self._runtime.database.transaction() as session:
            rows = (await session.scalars(select(Unit).where(Unit.id.in_(ids)))).all()
        found = {row.id: row for row in rows}
        return [found.get(i) for i in ids]

    async def _communities(self, ids: Sequence[int]) -> list[Community | None]:
        async with self._runtime.database.transaction() as session:
            rows = (await session.scalars(select(Community).where(Community.id.in_(ids)))).all()
        found = {row.id: row for row in rows}
        return [found.get(i) for i in ids]

    async def _active_member_counts(self, community_ids: Sequence[int]) -> list[int]:
        async with self._runtime.database.transaction() as session:
            rows = await session.execute(
                select(Membership.community_id, func.count())
                .where(
                    Membership.community_id.in_(community_ids),
                    Membership.status == MembershipStatus.ACTIVE,
                )
                .group_by(Membership.community_id)
            )
        counts = {community_id: count for community_id, count in rows}
        return [counts.get(i, 0) for i in community_ids]

    async def _last_activities(self, community_ids: Sequence[int]) -> list[dt.date | None]:
        """The latest day each community held an activity (an index-only read per community
        under the page: `(community_id, held_on)`)."""
        async with self._runtime.database.transaction(all_communities=True) as session:
            rows = await session.execute(
                select(Activity.community_id, func.max(Activity.held_on))
                .where(Activity.community_id.in_(community_ids), Activity.held_on <= today())
                .group_by(Activity.community_id)
            )
        latest = dict(rows.all())
        return [latest.get(i) for i in community_ids]
