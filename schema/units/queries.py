import strawberry

from schema.core.context import Info
from schema.core.pagination import Connection, connection, counting, keyset
from schema.units.types import Unit
from server.units.models import Unit as UnitRow
from server.units.queries import units_statement
from server.vocabulary import Level, SiteStatus


@strawberry.type
class UnitQueries:
    @strawberry.field(
        description="The experiment sites, filtered; 20 a page by default, 100 at most."
    )
    async def units(
        self,
        info: Info,
        level: Level | None = None,
        province: str | None = None,
        status: SiteStatus | None = None,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Unit]:
        statement = units_statement(level, province, status, search)
        page, size = keyset(statement, UnitRow.id, first, after)
        async with info.context.transaction() as session:
            rows = (await session.scalars(page)).all()

        async def count() -> int:
            async with info.context.transaction() as session:
                return await session.scalar(counting(statement)) or 0

        return connection([Unit.of(r) for r in rows], size, lambda u: u.db_id, count, after)
