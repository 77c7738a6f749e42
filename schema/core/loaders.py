"""Per-request dataloaders: one query per batch, each batch in its own transaction (sibling
fields resolve concurrently and must not share a session)."""

from collections.abc import Sequence

from sqlalchemy import func, select
from strawberry.dataloader import DataLoader

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
