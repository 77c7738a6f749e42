import datetime as dt

import strawberry

from policies.permissions import Permission
from schema.activities.types import Activity
from schema.core.context import Info
from schema.core.pagination import Connection, Template, paginate
from schema.core.permissions import requires
from schema.core.projection import ALL, Page, Root, root
from server.activities.models import Activity as ActivityRow
from server.activities.models import ProgrammeActivity
from server.activities.queries import programme_activities_statement, region_activities_statement
from server.vocabulary import ActivityKind, Region

LARGE_PAGE = 2000


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
        extensions=requires(Permission.PROGRAMME_READ),
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
        statement = Template(
            region_activities_statement, region=region, kind=kind, since=since, until=until
        )
        return await paginate(
            info.context,
            statement,
            ActivityRow.id,
            first,
            after,
            Activity.of,
            all_communities=True,
            newest_first=True,
            most=LARGE_PAGE,
        )


root(
    "activities",
    Root(
        "Activity",
        page=Page(
            "Activity",
            region_activities_statement,
            "id",
            filters=("region", "kind", "since", "until"),
            newest_first=lambda arguments: True,
            most=LARGE_PAGE,
            scope=ALL,
        ),
    ),
)
