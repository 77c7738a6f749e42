import strawberry

from schema.core import ids
from schema.core.context import Info
from schema.core.pagination import Connection, paginate
from schema.core.projection import page, roots
from schema.units.exits import Exit
from schema.units.types import Unit
from server.units.models import ExitRecord
from server.units.queries import exits_statement, units_statement
from server.vocabulary import ExitScope, Level, SiteStatus


@roots
@strawberry.type
class UnitQueries:
    @strawberry.field(
        description="The experiment sites, filtered; oldest first (`newestFirst`: the latest "
        "first); 20 a page by default, 100 at most."
    )
    @page("Unit", units_statement)
    async def units(
        self,
        info: Info,
        level: Level | None = None,
        province: str | None = None,
        status: SiteStatus | None = None,
        search: str | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Unit]:
        """Declared by `page`."""
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="The exit list (Art. 8(2), 12), oldest first (`newestFirst`: the latest "
        "first): units that left the programme or a community (the community of the "
        "request's door, if any), written or deemed."
    )
    async def exits(
        self,
        info: Info,
        scope: ExitScope | None = None,
        community_slug: str | None = None,
        unit_id: strawberry.ID | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Exit]:
        community_id = await info.context.community_id(community_slug)
        unit = ids.decode_as(unit_id, "Unit")[0] if unit_id else None
        statement = exits_statement(scope, community_id, unit)
        return await paginate(
            info.context,
            statement,
            ExitRecord.id,
            first,
            after,
            Exit.of,
            newest_first=newest_first,
        )
