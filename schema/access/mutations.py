import strawberry

from schema.accounts.types import User
from schema.core import ids
from schema.core.context import Info
from schema.core.errors import UserError
from schema.core.mutations import attempt
from server.access import service
from server.access.policy import PolicyChange
from server.access.roles import Role
from server.accounts.models import User as UserRow


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
    errors: list[UserError]


@strawberry.type
class RevokeRolePayload:
    user: User | None = None
    errors: list[UserError]


@strawberry.type
class AssignExpertPayload:
    user: User | None = None
    errors: list[UserError]


async def _community_id(info: Info, slug: str | None) -> int | None:
    tenant = await info.context.tenant(slug) if slug is not None else None
    return tenant.id if tenant else None


async def _change_roles(info: Info, user_id: strawberry.ID, change) -> tuple[User | None, list]:
    """Runs `change(session, guard, user id)` in one transaction, then publishes the policy
    changes it made (after the commit, so no process sees a grant that was rolled back)."""
    guard = await info.context.guard()

    async def work() -> User:
        uid = ids.decode_as(user_id, "User")[0]
        async with info.context.transaction(all_communities=True) as session:
            changes: list[PolicyChange] = await change(session, guard, uid)
            row = await session.get(UserRow, uid)
        await info.context.runtime.policy.publish(*changes)
        return User.of(row)

    return await attempt(info.context, work)


@strawberry.type
class AccessMutations:
    @strawberry.mutation(description="Project group: a national role, or a role in a community.")
    async def grant_role(self, info: Info, input: GrantRoleInput) -> GrantRolePayload:
        async def change(session, guard, uid):
            community_id = await _community_id(info, input.community_slug)
            return [await service.grant_role(session, guard, uid, input.role, community_id)]

        user, errors = await _change_roles(info, input.user_id, change)
        return GrantRolePayload(user=user, errors=errors)

    @strawberry.mutation(description="Project group: takes a role back.")
    async def revoke_role(self, info: Info, input: RevokeRoleInput) -> RevokeRolePayload:
        async def change(session, guard, uid):
            community_id = await _community_id(info, input.community_slug)
            return await service.revoke_role(session, guard, uid, input.role, community_id)

        user, errors = await _change_roles(info, input.user_id, change)
        return RevokeRolePayload(user=user, errors=errors)

    @strawberry.mutation(description="Project group: an expert reviews this community.")
    async def assign_expert(self, info: Info, input: AssignExpertInput) -> AssignExpertPayload:
        async def change(session, guard, uid):
            community_id = await _community_id(info, input.community_slug)
            return [await service.assign_expert(session, guard, uid, community_id)]

        user, errors = await _change_roles(info, input.user_id, change)
        return AssignExpertPayload(user=user, errors=errors)
