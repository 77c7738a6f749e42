from collections.abc import Awaitable, Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from schema.accounts.types import User
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.mutations import Attempt, mutation
from server.access import service
from server.access.policy import PolicyChange
from server.access.roles import Role
from server.accounts.service import get_user


@strawberry.input
class GrantRoleInput:
    user_id: strawberry.ID
    role: Role
    community_slug: str | None = strawberry.field(
        default=None, description="none for PROJECT_GROUP and EXPERT"
    )


@strawberry.input
class RevokeRoleInput:
    user_id: strawberry.ID
    role: Role
    community_slug: str | None = None


@strawberry.input
class AssignExpertInput:
    user_id: strawberry.ID
    community_slug: str


@strawberry.type
class GrantRolePayload:
    user: User | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class RevokeRolePayload:
    user: User | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class AssignExpertPayload:
    user: User | None = None
    errors: list[UserError] = refusals()


Change = Callable[[AsyncSession], Awaitable[list[PolicyChange]]]


async def _change_roles(attempt: Attempt, user_id: int, change: Change) -> User:
    """Runs `change(session)` in the mutation's transaction, then publishes the policy changes
    it made (after the commit, so no process sees a grant that was rolled back)."""
    async with attempt.transaction(all_communities=True) as session:
        changes = await change(session)
        row = await get_user(session, user_id)
    await attempt.context.runtime.policy.publish(*changes)
    return User.of(row)


@strawberry.type
class AccessMutations:
    @mutation(
        Permission.ROLE_GRANT,
        description="Project group: a national role, or a role in a community.",
    )
    async def grant_role(self, attempt: Attempt, input: GrantRoleInput) -> GrantRolePayload:
        user_id = ids.decode_as(input.user_id, "User")[0]
        community_id = await attempt.context.community_id(input.community_slug)

        async def change(session: AsyncSession) -> list[PolicyChange]:
            granted = await service.grant_role(
                session, attempt.guard, user_id, input.role, community_id
            )
            return [granted]

        return GrantRolePayload(user=await _change_roles(attempt, user_id, change))

    @mutation(Permission.ROLE_REVOKE, description="Project group: takes a role back.")
    async def revoke_role(self, attempt: Attempt, input: RevokeRoleInput) -> RevokeRolePayload:
        user_id = ids.decode_as(input.user_id, "User")[0]
        community_id = await attempt.context.community_id(input.community_slug)

        async def change(session: AsyncSession) -> list[PolicyChange]:
            return await service.revoke_role(
                session, attempt.guard, user_id, input.role, community_id
            )

        return RevokeRolePayload(user=await _change_roles(attempt, user_id, change))

    @mutation(
        Permission.EXPERT_ASSIGN, description="Project group: an expert reviews this community."
    )
    async def assign_expert(
        self, attempt: Attempt, input: AssignExpertInput
    ) -> AssignExpertPayload:
        user_id = ids.decode_as(input.user_id, "User")[0]
        community = await attempt.context.access_community(input.community_slug)

        async def change(session: AsyncSession) -> list[PolicyChange]:
            return [await service.assign_expert(session, attempt.guard, user_id, community.id)]

        return AssignExpertPayload(user=await _change_roles(attempt, user_id, change))
