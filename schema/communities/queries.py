from typing import TYPE_CHECKING, Any

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
from tenants.resolution import Tenant

BY_SLUG = Fixed(select(CommunityRow).where(CommunityRow.slug == bindparam("slug")))

if TYPE_CHECKING:
    from schema.core.compiled import Run


async def community_asked(context: Context, slug: str) -> Tenant:
    """The community `community(slug:)` finds, for its resolver and its compiled read alike:
    the one whose slug agrees with the request's door (NOT_FOUND for a blank slug, or one no
    community has), looked up once per process. A lookup that reads the row leaves it in the
    request's loader, so the resolver does not read it again."""
    named = context.tenant_slug(slug)
    if not named:
        raise not_found("共同体", "community")
    known = context.known_community(named)
    if known is not None:
        return known
    async with context.read() as read:
        row = await read.one_or_none(BY_SLUG, slug=named)
    if row is None:
        raise not_found("共同体", "community")
    context.loaders.community.prime(row.id, row)
    tenant = Tenant(id=row.id, slug=row.slug)
    context.remember_community(tenant)
    return tenant


# `arguments`: the field's, as graphql-core coerced them from the request (`Any`).
async def _community_found(run: "Run", arguments: dict[str, Any]) -> int:
    return (await community_asked(run.context, arguments["slug"])).id


@roots
@strawberry.type
class CommunityQueries:
    @strawberry.field(description="One community's public profile, by slug.")
    @found(Root("Community", find=_community_found, is_community=True, reads=("slug",)))
    async def community(self, info: Info, slug: str) -> Community | None:
        tenant = await community_asked(info.context, slug)
        row = await info.context.loaders.community.load(tenant.id)
        if row is None:  # never: a community is never deleted
            raise not_found("共同体", "community")
        return Community.of(row)

    @strawberry.field(
        description="The national listing of communities, filtered; oldest first "
        "(`newestFirst`: the latest first)."
    )
    @page("Community", communities_statement)
    async def communities(
        self,
        info: Info,
        region: Region | None = None,
        level: Level | None = None,
        status: CommunityStatus | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Community]:
        """The national listing, by `page`."""
        raise NotImplementedError  # `page` answers the field: this body never runs
