import datetime as dt

import strawberry

from policies.permissions import Permission
from schema.communities.types import Community, Membership
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import Attempt, mutation
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
    errors: list[UserError] = refusals()


@strawberry.type
class AddMemberPayload:
    membership: Membership | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class LeaveCommunityPayload:
    membership: Membership | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class ChangeMemberRolePayload:
    memberships: list[Membership] = strawberry.field(
        default_factory=list, description="every membership whose role changed"
    )
    errors: list[UserError] = refusals()


@strawberry.type
class RenewCyclePayload:
    community: Community | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class CommunityMutations:
    @mutation(
        Permission.COMMUNITY_CREATE,
        description="Project group: forms a community, refused whole on any rule.",
    )
    async def create_community(
        self, attempt: Attempt, input: CreateCommunityInput
    ) -> CreateCommunityPayload:
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
        async with attempt.transaction() as session:
            community = await service.create_community(session, attempt.guard, spec)
        return CreateCommunityPayload(community=Community.of(community))

    @mutation(
        Permission.MEMBERSHIP_MANAGE,
        description="Leader or project group: a site joins (15 at most, Art. 11).",
    )
    async def add_member(self, attempt: Attempt, input: AddMemberInput) -> AddMemberPayload:
        community = await attempt.context.access_community(input.community_slug)
        async with attempt.transaction(community.id) as session:
            membership = await service.add_member(
                session,
                attempt.guard,
                community.id,
                _unit_id(input.unit_id),
                input.role,
                input.mixed_level_reason,
            )
        return AddMemberPayload(membership=Membership.of(membership))

    @mutation(
        Permission.MEMBERSHIP_MANAGE,
        description="The unit (its staff), the leader or the project group: the unit leaves in "
        "writing; its membership stays on record.",
    )
    async def leave_community(
        self, attempt: Attempt, input: LeaveCommunityInput
    ) -> LeaveCommunityPayload:
        community = await attempt.context.access_community(input.community_slug)
        async with attempt.transaction(community.id) as session:
            membership = await service.leave_community(
                session, attempt.guard, community.id, _unit_id(input.unit_id), input.reason
            )
        return LeaveCommunityPayload(membership=Membership.of(membership))

    @mutation(
        Permission.MEMBERSHIP_MANAGE,
        description="Leader or project group: a unit's role; the leader is handed over, "
        "never left empty.",
    )
    async def change_member_role(
        self, attempt: Attempt, input: ChangeMemberRoleInput
    ) -> ChangeMemberRolePayload:
        community = await attempt.context.access_community(input.community_slug)
        async with attempt.transaction(community.id) as session:
            changed = await service.change_member_role(
                session, attempt.guard, community.id, _unit_id(input.unit_id), input.role
            )
        return ChangeMemberRolePayload(memberships=[Membership.of(m) for m in changed])

    @mutation(
        Permission.COMMUNITY_RENEW,
        description="Leader or project group: renews the 3-year cycle (Art. 15).",
    )
    async def renew_cycle(self, attempt: Attempt, input: RenewCycleInput) -> RenewCyclePayload:
        community = await attempt.context.access_community(input.community_slug)
        async with attempt.transaction(community.id) as session:
            renewed = await service.renew_cycle(session, attempt.guard, community.id)
        return RenewCyclePayload(community=Community.of(renewed))
