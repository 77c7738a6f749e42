"""`programmeCompliance`: the whole programme's open findings, counted in SQL
(`server/compliance/national.py`) for the project group's national dashboard."""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import strawberry
from sqlalchemy import ARRAY, BigInteger, bindparam

from policies.articles import article_label, article_order
from policies.regulation import RULES
from schema.compliance.types import Compliance
from schema.core.context import Info
from schema.statistics.types import Tally
from server.compliance import national
from server.reads import Fixed
from server.runtime import Runtime
from server.vocabulary import Labelled, Level, Region, Severity

# The most communities `worst` lists: a dashboard's table, not an export.
MOST_WORST = 100


class Standings:
    """`Community.compliance` for a batch of communities in one statement (the request's
    loader, `schema/core/loaders.py`): a page of 100 costs one read, not 100 transactions.
    Read with every community in scope: the field's own check has allowed each one asked."""

    statement = Fixed(national.standings(bindparam("ids", type_=ARRAY(BigInteger))))

    async def fetch(self, runtime: Runtime, keys: list[int]) -> list[Any]:
        async with runtime.database.read(all_communities=True) as read:
            rows = await read.rows(self.statement, ids=list(keys))
        found = {
            row.community_id: Compliance(
                errors=row.errors, warnings=row.warnings, notices=row.notices, waived=row.waived
            )
            for row in rows
        }
        return [
            found.get(key, Compliance(errors=0, warnings=0, notices=0, waived=0)) for key in keys
        ]


STANDINGS = Standings()


@strawberry.type(description="A community's open findings, for the worst-first list.")
class CommunityStanding:
    slug: str
    name: str
    region: Region
    region_label: str
    level: Level
    level_label: str
    errors: int
    warnings: int
    notices: int


class Counted:
    """The figures of one `programmeCompliance`, each statement run once however many of
    its fields ask (they resolve concurrently: the first starts it, the others await it)."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def once(self, name: str, work: Callable[[], Coroutine[Any, Any, Any]]) -> Awaitable[Any]:
        task = self._tasks.get(name)
        if task is None:
            task = self._tasks[name] = asyncio.ensure_future(work())
        return task

    async def tallies(self, info: Info, dimension: str) -> list[tuple[str, int]]:
        async def count() -> dict[str, list[tuple[str, int]]]:
            counted: dict[str, list[tuple[str, int]]] = {}
            async with info.context.read(all_communities=True) as read:
                for row in await read.rows(national.open_findings_counted()):
                    counted.setdefault(str(row[0]), []).append((str(row[1]), int(row[2])))
            return counted

        counted: dict[str, list[tuple[str, int]]] = await self.once("tallies", count)
        return counted.get(dimension, [])

    async def communities(self, info: Info) -> tuple[int, int]:
        """Every community and those with no open error."""

        async def count() -> tuple[int, int]:
            async with info.context.read(all_communities=True) as read:
                row = (await read.rows(national.communities_counted()))[0]
            return int(row[0]), int(row[1])

        counted: tuple[int, int] = await self.once("communities", count)
        return counted


@strawberry.type(
    description="Open findings about the programme itself and sites outside any community's "
    "view (admission evidence, the project group's cadence), counted apart."
)
class ProgrammeFindingTallies:
    counted: strawberry.Private[Counted]

    @strawberry.field(description="How many are open.")
    async def open(self, info: Info) -> int:
        return sum(n for _, n in await self.counted.tallies(info, "programme-severity"))

    @strawberry.field(description="Open ones per severity, ERROR first.")
    async def by_severity(self, info: Info) -> list[Tally]:
        rows = await self.counted.tallies(info, "programme-severity")
        return _vocabulary(info, rows, Severity)

    @strawberry.field(description="Open ones per article of the regulation, in its order.")
    async def by_article(self, info: Info) -> list[Tally]:
        return _articles(info, await self.counted.tallies(info, "programme-article"))

    @strawberry.field(description="Open ones per rule of the catalogue, most first.")
    async def by_rule(self, info: Info) -> list[Tally]:
        return _rules(info, await self.counted.tallies(info, "programme-rule"))


@strawberry.type(
    description="The programme's standing against the regulation (Art. 9-20): every "
    "community's open findings counted (waived and resolved ones are not open)."
)
class ProgrammeCompliance:
    counted: strawberry.Private[Counted]

    @strawberry.field(description="How many communities there are, whatever their status.")
    async def communities(self, info: Info) -> int:
        return (await self.counted.communities(info))[0]

    @strawberry.field(description="How many communities have no open error.")
    async def compliant(self, info: Info) -> int:
        return (await self.counted.communities(info))[1]

    @strawberry.field(description="How many of the communities' findings are open.")
    async def open(self, info: Info) -> int:
        return sum(n for _, n in await self.counted.tallies(info, "severity"))

    @strawberry.field(description="The communities' open findings per severity, ERROR first.")
    async def by_severity(self, info: Info) -> list[Tally]:
        return _vocabulary(info, await self.counted.tallies(info, "severity"), Severity)

    @strawberry.field(description="The communities' open findings per region of theirs (Art. 9).")
    async def by_region(self, info: Info) -> list[Tally]:
        return _vocabulary(info, await self.counted.tallies(info, "region"), Region)

    @strawberry.field(description="The communities' open findings per level of theirs (Art. 10).")
    async def by_level(self, info: Info) -> list[Tally]:
        return _vocabulary(info, await self.counted.tallies(info, "level"), Level)

    @strawberry.field(
        description="The communities' open findings per article of the regulation, in its order."
    )
    async def by_article(self, info: Info) -> list[Tally]:
        return _articles(info, await self.counted.tallies(info, "article"))

    @strawberry.field(description="The communities' open findings per rule, most first.")
    async def by_rule(self, info: Info) -> list[Tally]:
        return _rules(info, await self.counted.tallies(info, "rule"))

    @strawberry.field(
        description=f"The communities with most open errors, then warnings (at most "
        f"{MOST_WORST}); one with neither is not listed."
    )
    async def worst(self, info: Info, first: int = 10) -> list[CommunityStanding]:
        first = max(0, min(first, MOST_WORST))
        language = info.context.language
        async with info.context.read(all_communities=True) as read:
            rows = await read.rows(national.worst_communities(first))
        return [
            CommunityStanding(
                slug=row.slug,
                name=row.name,
                region=Region(row.region),
                region_label=Region(row.region).label(language),
                level=Level(row.level),
                level_label=Level(row.level).label(language),
                errors=row.errors,
                warnings=row.warnings,
                notices=row.notices,
            )
            for row in rows
        ]

    @strawberry.field(description="The programme's own open findings, counted apart.")
    def programme(self) -> ProgrammeFindingTallies:
        return ProgrammeFindingTallies(counted=self.counted)


def _vocabulary(info: Info, rows: list[tuple[str, int]], kind: type[Labelled]) -> list[Tally]:
    """Every value of the vocabulary in its order, 0 for one without any."""
    counted = dict(rows)
    return [
        Tally(key=v.value, label=v.label(info.context.language), count=counted.get(v.value, 0))
        for v in kind
    ]


def _articles(info: Info, rows: list[tuple[str, int]]) -> list[Tally]:
    return [
        Tally(key=a, label=article_label(a, info.context.language), count=n)
        for a, n in sorted(rows, key=lambda row: article_order(row[0]))
    ]


def _rules(info: Info, rows: list[tuple[str, int]]) -> list[Tally]:
    title: Callable[[str], str] = (
        (lambda r: RULES[r].title_en if r in RULES else r)
        if info.context.language == "en"
        else (lambda r: RULES[r].title_zh if r in RULES else r)
    )
    order = list(RULES)
    rank = {rule: i for i, rule in enumerate(order)}
    return [
        Tally(key=r, label=title(r), count=n)
        for r, n in sorted(rows, key=lambda row: (-row[1], rank.get(row[0], len(rank)), row[0]))
    ]
