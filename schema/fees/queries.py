import datetime as dt
from typing import Any

import strawberry
from sqlalchemy import ARRAY, BigInteger, Boolean, Date
from sqlalchemy.sql.elements import ColumnElement

from schema.core import ids
from schema.core.context import Context, Info
from schema.core.pagination import Connection
from schema.core.projection import ALL, Given, Row, label, listing, page, projected, roots
from schema.core.scalars import BigInt
from schema.fees.types import FeeSchedule, Invoice
from server.clock import today
from server.errors import AccessError, ErrorCode
from server.fees.queries import (
    arrears_by_region_page,
    arrears_page,
    invoices_page,
    schedules_page,
)
from server.fees.readers import Walls, walls_of
from server.vocabulary import FeeKind, InvoiceStatus, Region


@projected(None, id=None)
@strawberry.type(description="欠费 in one region: open invoices past their due date.")
class RegionArrears:
    region: Region
    region_label: str = label("region", Region, description=None)
    invoices: int
    owed_fen: BigInt = strawberry.field(
        description="what they still owe, in fen: a national sum, past 32 bits"
    )

    @classmethod
    def of(cls, row: Any) -> "RegionArrears":  # a row of `arrears_by_region_page`
        return cls(region=row.region, invoices=row.invoices, owed_fen=BigInt(row.owed_fen))


def _by_region(rows: Row) -> list[ColumnElement[Any]]:
    return [rows.c.region]


def unit_filter(global_id: str) -> int:
    try:
        return ids.decode_as(global_id, "Unit")[0]
    except AccessError:
        raise AccessError(ErrorCode.NOT_FOUND, "单位不存在", "no such unit", "unitId") from None


# What the pages of invoices are given by the request (`projection.Given`), each a parameter of
# their statement, never its text. The reader's walls come first: they refuse a visitor
# nobody signed in as before anything else is looked up, as the resolvers did.


async def _walls(context: Context) -> Walls:
    guard = await context.guard()
    guard.signed_in()
    return walls_of(guard)


async def _everywhere(context: Context, arguments: dict[str, Any]) -> bool | None:
    return (await _walls(context)).everywhere


async def _communities(context: Context, arguments: dict[str, Any]) -> list[int] | None:
    return (await _walls(context)).communities


async def _staff_user(context: Context, arguments: dict[str, Any]) -> int | None:
    return (await _walls(context)).staff_user


WALLS: dict[str, Given] = {
    "everywhere": (_everywhere, Boolean),
    "communities": (_communities, ARRAY(BigInteger)),
    "staff_user": (_staff_user, BigInteger),
}


async def _slug_tenant(context: Context, arguments: dict[str, Any]) -> int | None:
    """The community `communitySlug` (or the request's door) names, if any."""
    return await context.community_id(arguments["community_slug"])


async def _door_tenant(context: Context, arguments: dict[str, Any]) -> int | None:
    return await context.community_id()


async def _unit(context: Context, arguments: dict[str, Any]) -> int | None:
    unit_id: str | None = arguments["unit_id"]
    return None if unit_id is None else unit_filter(unit_id)


async def _today(context: Context, arguments: dict[str, Any]) -> dt.date:
    return today()


@roots
@strawberry.type
class FeeQueries:
    @strawberry.field(
        description="收费标准 (Art. 20): the project group's amount per fee kind and year, in "
        "fen; oldest first. Public."
    )
    @page("FeeSchedule", schedules_page)
    async def fee_schedules(
        self,
        info: Info,
        year: int | None = None,
        kind: FeeKind | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[FeeSchedule]:
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="应收 the reader may see: every one for the project group; those charged "
        "through its community for a leader; its own unit's for a unit's staff; none of "
        "another unit's. `unitId`, `communitySlug` and `status` filter; `dueFrom` and `dueTo` "
        "(both days included) keep those due within a span, such as a cooperation cycle. "
        "Oldest first. Signed in only."
    )
    @page(
        "Invoice",
        invoices_page,
        scope=ALL,
        given={
            **WALLS,
            "community_id": (_slug_tenant, BigInteger),
            "unit_id": (_unit, BigInteger),
        },
        reads=("community_slug", "unit_id"),
    )
    async def invoices(
        self,
        info: Info,
        unit_id: strawberry.ID | None = None,
        community_slug: str | None = None,
        status: InvoiceStatus | None = None,
        due_from: dt.date | None = None,
        due_to: dt.date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Invoice]:
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="欠费: the open invoices past their due date the reader may see (as "
        "`invoices`), of one region's communities with `region`; each with its "
        "`daysOverdue` and `balanceFen`. Oldest first. Signed in only."
    )
    @page(
        "Invoice",
        arrears_page,
        scope=ALL,
        given={**WALLS, "today": (_today, Date), "community_id": (_door_tenant, BigInteger)},
    )
    async def arrears(
        self,
        info: Info,
        region: Region | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Invoice]:
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="欠费 by region over the invoices the reader may see (as `arrears`): how "
        "many are open past their due date and what they still owe. Signed in only."
    )
    @listing(
        "RegionArrears",
        arrears_by_region_page,
        order=_by_region,
        given={**WALLS, "today": (_today, Date)},
        scope=ALL,
    )
    async def arrears_by_region(self, info: Info) -> list[RegionArrears]:
        raise NotImplementedError  # `listing` answers the field: this body never runs
