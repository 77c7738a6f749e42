import strawberry

from policies.permissions import Permission
from schema.achievements.types import Achievement
from schema.core.context import Info
from schema.core.pagination import Connection, paginate
from server.achievements import models
from server.achievements.queries import (
    community_achievements_statement,
    programme_achievements_statement,
)
from server.achievements.rules import reads_shared
from server.vocabulary import AchievementKind, Visibility


@strawberry.type
class AchievementQueries:
    @strawberry.field(
        description="成果 (Art. 6b, 16(6)) the reader may see, one community's with "
        "`communitySlug`: public ones for everyone; those shared with all communities for "
        "whoever belongs to a community, the experts and the project group; a community's own "
        "for its members, its assigned experts and the project group. `kind` keeps one kind "
        "(COURSE_RESOURCE: the course resource library); `search` finds those whose title, "
        "summary or subject hold each of its words, Chinese or not (two Hanzi such as 老年 "
        "find 老年教育); `visibility` keeps those of one visibility (PUBLIC: what the "
        "platforms show). Oldest first (`newestFirst`: the latest first)."
    )
    async def achievements(
        self,
        info: Info,
        community_slug: str | None = None,
        kind: AchievementKind | None = None,
        search: str | None = None,
        visibility: Visibility | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Achievement]:
        guard = await info.context.guard()
        tenant = await info.context.tenant(community_slug)
        shared = reads_shared(guard)
        if tenant is not None:
            own = guard.allows(Permission.TENANT_READ, tenant.id)
            statement = community_achievements_statement(
                tenant.id, kind, search, visibility, own, shared
            )
        elif guard.actor is None:
            # No tenant: row-level security shows this read the public achievements only.
            statement = programme_achievements_statement(kind, search, visibility)
        else:
            communities = (
                None if guard.is_project_group else guard.communities(Permission.TENANT_READ)
            )
            statement = programme_achievements_statement(
                kind, search, visibility, shared, communities
            )
        return await paginate(
            info.context,
            statement,
            models.Achievement.id,
            first,
            after,
            Achievement.of,
            community_id=tenant.id if tenant else None,
            all_communities=tenant is None and guard.actor is not None,
            newest_first=newest_first,
        )
