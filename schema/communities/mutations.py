import datetime as dt

import strawberry

from schema.communities.types import Community, Membership
from schema.core import ids
from schema.core.context import Info
from schema.core.errors import UserError
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import attempt
from server.communities import service
from server.vocabulary import Level, MembershipRole, Region, Theme


def _unit_id(global_id: strawberry.ID) -> int:
    return ids.decode_as(global_id, "Unit")[0]


@strawberry.input(description="Art. 9-15: 3-15 active sites, one leader, a 3-year cycle.")
class CreateCommunityInput:
    slug: str = limited(40)
    name: str = limited(120)
    region: Region
    level: Level
    themes: list[Theme]
    cycle_start: dt.date
    agreement_signed_on: dt.date | None = None
    leader_unit_id: strawberry.ID
    deputy_unit_ids: list[strawberry.ID]
    member_unit_ids: list[strawberry.ID]
    mixed_level_reason: str | None = limited(
        WRITTEN, default=None, description="required when a unit's level differs (Art. 10)"
    )


@strawberry.input
class AddMemberInput:
    community_slug: str
    unit_id: strawberry.ID
    role: MembershipRole
    mixed_level_reason: str | None = limited(WRITTEN, default=None)


@strawberry.input(description="A written request to leave a community (Art. 12).")
class LeaveCommunityInput:
    community_slug: str
    unit_id: strawberry.ID
    reason: str = limited(WRITTEN)


@strawberry.input(
    description="Naming a new leader hands leadership over; the old leader becomes a deputy."
)
class ChangeMemberRoleInput:
    community_slug: str
    unit_id: strawberry.ID
    role: MembershipRole


@strawberry.input(description="Art. 15: a new 3-year cycle, from 90 days before this one ends.")
class RenewCycleInput:
    community_slug: str


@strawberry.type
class CreateCommunityPayload:
    community: Community | None = None
    errors: list[UserError]


@strawberry.type
class AddMemberPayload:
    membership: Membership | None = None
    errors: list[UserError]


@strawberry.type
class LeaveCommunityPayload:
    membership: Membership | None = None
    errors: list[UserError]


@strawberry.type
class ChangeMemberRolePayload:
    memberships: list[Membership] = strawberry.field(
        default_factory=list, description="every membership whose role changed"
    )
    errors: list[UserError]


@strawberry.type
class RenewCyclePayload:
    community: Community | None = None
    errors: list[UserError]


@strawberry.type
class CommunityMutations:
    @strawberry.mutation(description="Project group: forms a community, refused whole on any rule.")
    async def create_community(
        self, info: Info, input: CreateCommunityInput
    ) -> CreateCommunityPayload:
        guard = await info.context.guard()

        async def work() -> Community:
            spec = service.NewCommunity(
                slug=input.slug.strip(),
                name=input.name,
                region=input.region,
                level=input.level,
                themes=list(dict.fromkeys(input.themes)),
                cycle_start=input.cycle_start,
                agreement_signed_on=input.agreement_signed_on,
                leader_unit_id=_unit_id(input.leader_unit_id),
                deputy_unit_ids=[_unit_id(u) for u in input.deputy_unit_ids],
                member_unit_ids=[_unit_id(u) for u in input.member_unit_ids],
                mixed_level_reason=input.mixed_level_reason,
            )
            async with info.context.transaction() as session:
                community = await service.create_community(session, guard, spec)
            return Community.of(community)

        community, errors = await attempt(info.context, work)
        return CreateCommunityPayload(community=community, errors=errors)

    @strawberry.mutation(description="Leader or project group: a site joins (15 at most, Art. 11).")
    async def add_member(self, info: Info, input: AddMemberInput) -> AddMemberPayload:
        guard = await info.context.guard()

        async def work() -> Membership:
            tenant = await info.context.tenant(input.community_slug)
            async with info.context.transaction(tenant.id) as session:
                membership = await service.add_member(
                    session,
                    guard,
                    tenant.id,
                    _unit_id(input.unit_id),
                    input.role,
                    input.mixed_level_reason,
                )
            return Membership.of(membership)

        membership, errors = await attempt(info.context, work)
        return AddMemberPayload(membership=membership, errors=errors)

    @strawberry.mutation(
        description="The unit (its staff), the leader or the project group: the unit leaves in "
        "writing; its membership stays on record."
    )
    async def leave_community(
        self, info: Info, input: LeaveCommunityInput
    ) -> LeaveCommunityPayload:
        guard = await info.context.guard()

        async def work() -> Membership:
            tenant = await info.context.tenant(input.community_slug)
            async with info.context.transaction(tenant.id) as session:
                membership = await service.leave_community(
                    session, guard, tenant.id, _unit_id(input.unit_id), input.reason
                )
            return Membership.of(membership)

        membership, errors = await attempt(info.context, work)
        return LeaveCommunityPayload(membership=membership, errors=errors)

    @strawberry.mutation(
        description="Leader or project group: a unit's role; the leader is handed over, "
        "never left empty."
    )
    async def change_member_role(
        self, info: Info, input: ChangeMemberRoleInput
    ) -> ChangeMemberRolePayload:
        guard = await info.context.guard()

        async def work() -> list[Membership]:
            tenant = await info.context.tenant(input.community_slug)
            async with info.context.transaction(tenant.id) as session:
                changed = await service.change_member_role(
                    session, guard, tenant.id, _unit_id(input.unit_id), input.role
                )
            return [Membership.of(m) for m in changed]

        changed, errors = await attempt(info.context, work)
        return ChangeMemberRolePayload(memberships=changed or [], errors=errors)

    @strawberry.mutation(description="Leader or project group: renews the 3-year cycle (Art. 15).")
    async def renew_cycle(self, info: Info, input: RenewCycleInput) -> RenewCyclePayload:
        guard = await info.context.guard()

        async def work() -> Community:
            tenant = await info.context.tenant(input.community_slug)
            async with info.context.transaction(tenant.id) as session:
                community = await service.renew_cycle(session, guard, tenant.id)
            return Community.of(community)

        community, errors = await attempt(info.context, work)
        return RenewCyclePayload(community=community, errors=errors)
