import strawberry

from policies.permissions import Permission
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import Attempt, mutation
from schema.units.exits import Exit
from schema.units.types import Unit
from server.units import service
from server.vocabulary import Level


@strawberry.input
class CreateUnitInput:
    name: str = limited(120)
    level: Level
    division_code: str = limited(12, description="GB/T 2260: 6 digits, 9 for a township")


@strawberry.input(description="A written request to leave the programme (Art. 8(2)).")
class WithdrawSiteInput:
    unit_id: strawberry.ID
    reason: str = limited(WRITTEN)


@strawberry.input(description="Project group: reverses an exit, with the reason recorded.")
class ReinstateInput:
    exit_id: strawberry.ID
    reason: str = limited(WRITTEN)


@strawberry.type
class CreateUnitPayload:
    unit: Unit | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class WithdrawSitePayload:
    unit: Unit | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class ReinstatePayload:
    exit: Exit | None = None
    unit: Unit | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class UnitMutations:
    @mutation(
        Permission.UNIT_CREATE,
        description="Project group: registers an existing site directly, with its plaque.",
    )
    async def create_unit(self, attempt: Attempt, input: CreateUnitInput) -> CreateUnitPayload:
        async with attempt.transaction() as session:
            unit = await service.create_unit(
                session, attempt.guard, input.name, input.level, input.division_code.strip()
            )
        return CreateUnitPayload(unit=Unit.of(unit))

    @mutation(
        Permission.UNIT_WITHDRAW,
        description="The unit (its staff) or the project group: the site leaves the programme "
        "and every community it is in; the history stays.",
    )
    async def withdraw_site(
        self, attempt: Attempt, input: WithdrawSiteInput
    ) -> WithdrawSitePayload:
        unit_id = ids.decode_as(input.unit_id, "Unit")[0]
        async with attempt.transaction(all_communities=True) as session:
            unit = await service.withdraw_site(session, attempt.guard, unit_id, input.reason)
        return WithdrawSitePayload(unit=Unit.of(unit))

    @mutation(
        Permission.UNIT_REINSTATE,
        description="Project group: reverses an exit with a recorded reason.",
    )
    async def reinstate(self, attempt: Attempt, input: ReinstateInput) -> ReinstatePayload:
        exit_id = ids.decode_as(input.exit_id, "Exit")[0]
        async with attempt.transaction(all_communities=True) as session:
            record = await service.reinstate(session, attempt.guard, exit_id, input.reason)
            unit = await service.get_unit(session, record.unit_id)
        return ReinstatePayload(exit=Exit.of(record), unit=Unit.of(unit))
