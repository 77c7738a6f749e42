import datetime as dt
from typing import Any

import strawberry
from sqlalchemy import Select

from schema.core.context import Info
from server.clock import today as beijing_today
from server.regions.provinces import PROVINCES
from server.statistics import queries
from server.vocabulary import Level, Region

MONTHS = 12


@strawberry.type(description="One figure of the national statistics: what is counted, how many.")
class Tally:
    key: str = strawberry.field(
        description="The value counted: an enum name, a province code or a month (YYYY-MM)"
    )
    label: str = strawberry.field(description="The value as a reader names it")
    count: int


@strawberry.type(
    description="The programme's national figures (Art. 5(6), 17), as the main platform shows "
    "them: counts only, public; each counted at most once a minute, so a change shows within "
    "a minute."
)
class ProgrammeStatistics:
    @strawberry.field(description="Communities per region (Art. 9).")
    async def communities_by_region(self, info: Info) -> list[Tally]:
        rows = await _rows(info, "communities_by_region", queries.communities_by_region())
        known = {r.value: r for r in Region}
        return [
            Tally(key=k, label=known[k].label(info.context.language) if k in known else k, count=n)
            for k, n in _ordered(rows, [r.value for r in Region])
        ]

    @strawberry.field(description="Communities per administrative level (Art. 10).")
    async def communities_by_level(self, info: Info) -> list[Tally]:
        return _levels(
            info, await _rows(info, "communities_by_level", queries.communities_by_level())
        )

    @strawberry.field(description="Active experiment sites per administrative level.")
    async def sites_by_level(self, info: Info) -> list[Tally]:
        return _levels(info, await _rows(info, "sites_by_level", queries.sites_by_level()))

    @strawberry.field(description="Active experiment sites per province (GB/T 2260 code).")
    async def sites_by_province(self, info: Info) -> list[Tally]:
        rows = await _rows(info, "sites_by_province", queries.sites_by_province())
        english = info.context.language == "en"
        return [
            Tally(key=k, label=PROVINCES[k][english] if k in PROVINCES else k, count=n)
            for k, n in _ordered(rows, list(PROVINCES))
        ]

    @strawberry.field(
        description=f"Activities held by every community in each of the last {MONTHS} months "
        "(Beijing time), this one included, oldest first; a month with none counts 0."
    )
    async def activities_by_month(self, info: Info) -> list[Tally]:
        today = beijing_today()
        months = [_month_back(today, back) for back in range(MONTHS - 1, -1, -1)]

        async def count() -> dict[dt.date, int]:
            statement = queries.activities_by_month(months[0], today)
            async with info.context.transaction(all_communities=True) as session:
                return {month: n for month, n in await session.execute(statement)}

        counted = await info.context.runtime.figures.figure(("activities_by_month", today), count)
        return [
            Tally(
                key=f"{m:%Y-%m}",
                label=f"{m.year}年{m.month}月" if info.context.language != "en" else f"{m:%b %Y}",
                count=counted.get(m, 0),
            )
            for m in months
        ]


# `Any`: the key a statistic groups by (a region, a month, ...), each its own type.
async def _rows(info: Info, name: str, statement: Select[Any, int]) -> list[tuple[str, int]]:
    async def count() -> list[tuple[str, int]]:
        async with info.context.transaction() as session:
            return [(str(k), int(n)) for k, n in await session.execute(statement)]

    return await info.context.runtime.figures.figure(name, count)


def _ordered(rows: list[tuple[str, int]], order: list[str]) -> list[tuple[str, int]]:
    """The vocabulary's order, then anything it does not know; only values counted."""
    rank = {key: i for i, key in enumerate(order)}
    return sorted(rows, key=lambda row: (rank.get(row[0], len(rank)), row[0]))


def _levels(info: Info, rows: list[tuple[str, int]]) -> list[Tally]:
    counted = dict(rows)
    return [
        Tally(key=level.value, label=level.label(info.context.language), count=counted[level.value])
        for level in Level
        if level.value in counted
    ]


def _month_back(today: dt.date, back: int) -> dt.date:
    """The first day of the month `back` months before today's."""
    index = today.year * 12 + today.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)
