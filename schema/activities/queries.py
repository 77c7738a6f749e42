import datetime as dt

import strawberry

from policies.permissions import Permission
from schema.activities.types import Activity
from schema.core.context import Info
from schema.core.pagination import Connection, paginate
from schema.core.permissions import requires
from schema.core.projection import ALL, page, roots
from server.activities.models import ProgrammeActivity
from server.activities.queries import programme_activities_statement, region_activities_statement
from server.vocabulary import ActivityKind, Region

LARGE_PAGE = 2000


@roots
@strawberry.type
class ActivityQueries:
    @strawberry.field(
        description="The project group's project-wide activities, oldest first (signed in); "
        "a community's own are on `Community.activities`."
    )
    async def programme_activities(
        self,
        info: Info,
        kind: ActivityKind | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Activity]:
        (await info.context.guard()).signed_in()
        statement = programme_activities_statement(kind, since, until)
        return await paginate(
            info.context, statement, ProgrammeActivity.id, first, after, Activity.of
        )

    @strawberry.field(
        description="Project group: the activities of one region's communities, newest first, "
        f"up to {LARGE_PAGE} a page.",
        # A list of the base class, as `strawberry.field` takes (`requires` gives its subclass's).
        extensions=[*requires(Permission.PROGRAMME_READ)],
    )
    @page(
        "Activity",
        region_activities_statement,
        newest_first=True,
        most=LARGE_PAGE,
        scope=ALL,
    )
    async def activities(
        self,
        info: Info,
        region: Region,
        kind: ActivityKind | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Activity]:
        """A region's activities, by `page`."""
        raise NotImplementedError  # `page` answers the field: this body never runs
