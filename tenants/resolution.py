"""Which community a request is for: the `/c/{slug}/` path, else the `X-Community` header,
else a `communitySlug` argument. Two that disagree are refused with TENANT_MISMATCH."""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.communities.models import SLUG_RULE, Community
from server.errors import AccessError, ErrorCode, not_found


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a Tenant)
class Tenant:
    id: int
    slug: str


def agree(*slugs: str | None) -> str | None:
    """The one slug all the given sources name, or None if none names one."""
    named = {s for s in slugs if s}
    if len(named) > 1:
        raise AccessError(
            ErrorCode.TENANT_MISMATCH,
            "请求指向了不同的共同体（路径、请求头与参数不一致）",
            "the request names different communities (path, header and argument disagree)",
        )
    return next(iter(named), None)


async def find_tenant(session: AsyncSession, slug: str) -> Tenant:
    """The community with this slug; NOT_FOUND when there is none, or when no community could
    have it (a NUL byte, which PostgreSQL's text cannot even hold, or a 10,000-character one)."""
    if not re.match(SLUG_RULE, slug):
        raise not_found("共同体", "community")
    community_id = await session.scalar(select(Community.id).where(Community.slug == slug))
    if community_id is None:
        raise not_found("共同体", "community")
    return Tenant(id=community_id, slug=slug)
