import datetime as dt
from collections.abc import Callable
from typing import ClassVar

import strawberry

from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.projection import label, projected
from schema.core.scalars import BigInt
from server.fees.queries import unit_balances_statement
from server.fees.readers import InvoiceReaders
from server.reads import Fixed
from server.regions.provinces import PROVINCES
from server.runtime import Runtime
from server.units import models
from server.vocabulary import Level, SiteStatus


@projected(models.Unit)
@strawberry.type(description="成员单位 / 项目实验点: an education body admitted to the programme.")
class Unit(Node):
    id: strawberry.ID
    name: str
    level: Level
    division_code: str = strawberry.field(description="GB/T 2260 division code")
    province: str = strawberry.field(description="two-digit GB/T 2260 province code, e.g. 33")
    site_status: SiteStatus
    plaque_number: str | None = strawberry.field(description="授牌编号, once the list is published")
    admitted_on: dt.date | None
    db_id: strawberry.Private[int]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.Unit], "Unit"]]

    level_label: str = label("level", Level, description=None)
    province_label: str = label(
        "province",
        tuple((code, zh, en) for code, (zh, en) in PROVINCES.items()),
        description=None,
    )
    site_status_label: str = label("site_status", SiteStatus, description=None)

    @strawberry.field(
        description="What the unit owes over its invoices (应收 less payments, in fen): for "
        "the project group, the unit's own staff, and the leader of a community it is "
        "charged through (over that community's invoices); null for anyone else."
    )
    async def balance_fen(self, info: Info) -> BigInt | None:
        guard = await info.context.guard()
        staff_unit = (await info.context.reason_readers()).staff_unit
        readers = InvoiceReaders.of(guard, staff_unit)
        if not (readers.everywhere or readers.communities or staff_unit == self.db_id):
            return None
        owed: list[tuple[int, int]] = await info.context.loaders.of(BALANCES).load(self.db_id)
        return BigInt(
            sum(fen for community_id, fen in owed if readers.may_read(community_id, self.db_id))
        )


class _Balances:
    """Per unit: (community, what it owes there), for a page of units in one read; the
    reader's walls are applied to the rows by `InvoiceReaders.may_read`."""

    statement = Fixed(unit_balances_statement())

    async def fetch(self, runtime: Runtime, keys: list[int]) -> list[list[tuple[int, int]]]:
        async with runtime.database.read(all_communities=True) as read:
            rows = await read.rows(self.statement, ids=list(keys))
        owed: dict[int, list[tuple[int, int]]] = {key: [] for key in keys}
        for unit_id, community_id, fen in rows:
            owed[unit_id].append((community_id, int(fen)))
        return [owed[key] for key in keys]


BALANCES = _Balances()


@fetches("Unit")
async def fetch_unit(context: Context, keys: tuple[int, ...]) -> Unit | None:
    row = await context.loaders.unit.load(keys[0])
    return Unit.of(row) if row else None
