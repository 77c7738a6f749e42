import strawberry

from schema.core import ids
from schema.core.context import Info
from schema.core.errors import UserError
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import attempt
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
    errors: list[UserError]


@strawberry.type
class WithdrawSitePayload:
    unit: Unit | None = None
    errors: list[UserError]


@strawberry.type
class ReinstatePayload:
    exit: Exit | None = None
    unit: Unit | None = None
    errors: list[UserError]


@strawberry.type
class UnitMutations:
    @strawberry.mutation(
        description="Project group: registers an existing site directly, with its plaque."
    )
    async def create_unit(self, info: Info, input: CreateUnitInput) -> CreateUnitPayload:
        guard = await info.context.guard()

        async def work() -> Unit:
            async with info.context.transaction() as session:
                unit = await service.create_unit(
                    session, guard, input.name, input.level, input.division_code.strip()
                )
            return Unit.of(unit)

        unit, errors = await attempt(info.context, work)
        return CreateUnitPayload(unit=unit, errors=errors)

    @strawberry.mutation(
        description="The unit (its staff) or the project group: the site leaves the programme "
        "and every community it is in; the history stays."
    )
    async def withdraw_site(self, info: Info, input: WithdrawSiteInput) -> WithdrawSitePayload:
        guard = await info.context.guard()

        async def work() -> Unit:
            unit_id = ids.decode_as(input.unit_id, "Unit")[0]
            async with info.context.transaction(all_communities=True) as session:
                unit = await service.withdraw_site(session, guard, unit_id, input.reason)
            return Unit.of(unit)

        unit, errors = await attempt(info.context, work)
        return WithdrawSitePayload(unit=unit, errors=errors)

    @strawberry.mutation(description="Project group: reverses an exit with a recorded reason.")
    async def reinstate(self, info: Info, input: ReinstateInput) -> ReinstatePayload:
        guard = await info.context.guard()

        async def work() -> tuple[Exit, Unit]:
            exit_id = ids.decode_as(input.exit_id, "Exit")[0]
            async with info.context.transaction(all_communities=True) as session:
                record = await service.reinstate(session, guard, exit_id, input.reason)
                unit = await service.get_unit(session, record.unit_id)
            return Exit.of(record), Unit.of(unit)

        done, errors = await attempt(info.context, work)
        if done is None:
            return ReinstatePayload(errors=errors)
        return ReinstatePayload(exit=done[0], unit=done[1], errors=errors)
