from typing import Any

import strawberry
from sqlalchemy import bindparam, select

from schema.communities.types import Community, fill_counts
from schema.core.context import Info
from schema.core.pagination import Connection, Template, paginate
from schema.core.projection import Page, Root, root
from server.communities.models import Community as CommunityRow
from server.communities.queries import communities_statement
from server.errors import not_found
from server.reads import Fixed
from server.vocabulary import CommunityStatus, Level, Region

BY_SLUG = Fixed(select(CommunityRow).where(CommunityRow.slug == bindparam("slug")))


@strawberry.type
class CommunityQueries:
    @strawberry.field(description="One community's public profile, by slug.")
    async def community(self, info: Info, slug: str) -> Community | None:
        slug = info.context.tenant_slug(slug) or slug
        async with info.context.read() as read:
            row = await read.one_or_none(BY_SLUG, slug=slug)
        if row is None:
            raise not_found("共同体", "community")
        return Community.of(row)

    @strawberry.field(description="The national listing of communities, filtered.")
    async def communities(
        self,
        info: Info,
        region: Region | None = None,
        level: Level | None = None,
        status: CommunityStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Community]:
        statement = Template(communities_statement, region=region, level=level, status=status)
        page = await paginate(info.context, statement, CommunityRow.id, first, after, Community.of)
        await fill_counts(info, page)
        return page


async def _community_asked(run: Any, arguments: dict[str, Any]) -> int:
    """As `community` finds it: the slug agreeing with the request's door, NOT_FOUND if no
    community has it."""
    return (await run.context.access_community(arguments["slug"])).id


root("community", Root("Community", find=_community_asked, is_community=True, reads=("slug",)))
root(
    "communities",
    Root(
        "Community",
        page=Page("Community", communities_statement, "id", filters=("region", "level", "status")),
    ),
)
