"""Per-request dataloaders: one query per batch, each batch in its own read (sibling fields
resolve concurrently and must not share a connection). The statements are built once, with
the ids as one array parameter: one SQL text however many ids a batch holds."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ARRAY, BigInteger, Date, any_, bindparam, func, select
from strawberry.dataloader import DataLoader

from server.activities.queries import latest_activity_on
from server.clock import today
from server.communities.models import Community
from server.communities.queries import active_member_count
from server.reads import Fixed
from server.runtime import Runtime
from server.units.models import Unit

IDS = bindparam("ids", type_=ARRAY(BigInteger))
UNITS = Fixed(select(Unit).where(Unit.id == any_(IDS)))
COMMUNITIES = Fixed(select(Community).where(Community.id == any_(IDS)))
# One row per id asked for, its value counted for it (the same expression the compiled
# reads put in their statements).
_ASKED = func.unnest(IDS).table_valued("id").render_derived(name="c")
ACTIVE_MEMBERS = Fixed(
    select(_ASKED.c.id.label("community_id"), active_member_count(_ASKED.c.id).label("members"))
)
LATEST_ACTIVITY = Fixed(
    select(
        _ASKED.c.id.label("id"),
        latest_activity_on(_ASKED.c.id, bindparam("today", type_=Date)).label("held_on"),
    )
)


class Loaders:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self.unit = DataLoader(self._units)
        self.community = DataLoader(self._communities)
        self.active_member_count = DataLoader(self.active_member_counts)
        self.last_activity = DataLoader(self.last_activities)

    async def _units(self, ids: Sequence[int]) -> list[Unit | None]:
        async with self._runtime.database.read() as read:
            rows = await read.rows(UNITS, ids=list(ids))
        found = {row.id: row for row in rows}
        return [found.get(i) for i in ids]

    async def _communities(self, ids: Sequence[int]) -> list[Community | None]:
        async with self._runtime.database.read() as read:
            rows = await read.rows(COMMUNITIES, ids=list(ids))
        found = {row.id: row for row in rows}
        return [found.get(i) for i in ids]

    async def active_member_counts(self, community_ids: Sequence[int]) -> list[int]:
        async with self._runtime.database.read() as read:
            rows = await read.rows(ACTIVE_MEMBERS, ids=list(community_ids))
        counts = {row.community_id: row.members for row in rows}
        return [counts.get(i, 0) for i in community_ids]

    async def last_activities(self, community_ids: Sequence[int]) -> list[dt.date | None]:
        """The latest day each community held an activity: one backward step down the
        `(community_id, held_on)` index per community, not a scan of their activities."""
        async with self._runtime.database.read(all_communities=True) as read:
            rows = await read.rows(LATEST_ACTIVITY, ids=list(community_ids), today=today())
        latest = {row.id: row.held_on for row in rows}
        return [latest.get(i) for i in community_ids]
