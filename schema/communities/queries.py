from typing import Any

import strawberry
from sqlalchemy import bindparam, select

from schema.communities.types import Community
from schema.core.context import Context, Info
from schema.core.pagination import Connection
from schema.core.projection import Root, found, page, roots
from server.communities.models import Community as CommunityRow
from server.communities.queries import communities_statement
from server.errors import not_found
from server.reads import Fixed
from server.vocabulary import CommunityStatus, Level, Region

BY_SLUG = Fixed(select(CommunityRow).where(CommunityRow.slug == bindparam("slug")))


def slug_asked(context: Context, slug: str) -> str:
    """The slug `community(slug:)` asks for, as both its resolver and its compiled read take
    it: the one agreeing with the request's door; NOT_FOUND for a blank one."""
    named = context.tenant_slug(slug)
    if not named:
        raise not_found("共同体", "community")
    return named


async def _community_found(run: Any, arguments: dict[str, Any]) -> int:
    """The community's id, from the doors the process remembers (looked up once)."""
    context: Context = run.context
    tenant = await context.access_community(slug_asked(context, arguments["slug"]))
    return tenant.id


@roots
@strawberry.type
class CommunityQueries:
    @strawberry.field(description="One community's public profile, by slug.")
    @found(Root("Community", find=_community_found, is_community=True, reads=("slug",)))
    async def community(self, info: Info, slug: str) -> Community | None:
        async with info.context.read() as read:
            row = await read.one_or_none(BY_SLUG, slug=slug_asked(info.context, slug))
        if row is None:
            raise not_found("共同体", "community")
        return Community.of(row)

    @strawberry.field(description="The national listing of communities, filtered.")
    @page("Community", communities_statement)
    async def communities(
        self,
        info: Info,
        region: Region | None = None,
        level: Level | None = None,
        status: CommunityStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Community]:
        """The national listing, by `page`."""
        raise NotImplementedError  # `page` answers the field: this body never runs
