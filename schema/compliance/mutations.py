import strawberry

from schema.compliance.types import AuditRun, Finding
from schema.core import ids
from schema.core.context import Info
from schema.core.errors import UserError
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import attempt
from server.compliance import models, service


@strawberry.input(description="No slug: every community (project group).")
class RunAuditInput:
    community_slug: str | None = None


@strawberry.input
class WaiveFindingInput:
    finding_id: strawberry.ID
    reason: str = limited(WRITTEN)


@strawberry.type
class RunAuditPayload:
    audit_run: AuditRun | None = None
    errors: list[UserError]


@strawberry.type
class WaiveFindingPayload:
    finding: Finding | None = None
    errors: list[UserError]


@strawberry.type
class ComplianceMutations:
    @strawberry.mutation(
        description="Queues a run of the rule audits (project group: all or one community; a "
        "leader or assigned expert: its community). A run already queued is returned."
    )
    async def run_audit(self, info: Info, input: RunAuditInput) -> RunAuditPayload:
        guard = await info.context.guard()

        async def work() -> AuditRun:
            community_id = await info.context.community_id(input.community_slug)
            national = community_id is None  # a national run: the all-communities scope
            async with info.context.transaction(community_id, all_communities=national) as session:
                run, _ = await service.request_audit(
                    session, guard, community_id, info.context.runtime
                )
            return AuditRun.of(run)

        run, errors = await attempt(info.context, work)
        return RunAuditPayload(audit_run=run, errors=errors)

    @strawberry.mutation(
        description="Project group: accepts an open finding with a reason; it is not raised "
        "again until what it says changes."
    )
    async def waive_finding(self, info: Info, input: WaiveFindingInput) -> WaiveFindingPayload:
        guard = await info.context.guard()

        async def work() -> Finding:
            type_name, keys = ids.decode(input.finding_id)
            if type_name == "Finding" and len(keys) == 2:
                table, scope = models.Finding, {"community_id": keys[0]}
            elif type_name == "ProgrammeFinding" and len(keys) == 1:
                table, scope = models.ProgrammeFinding, {}
            else:
                raise ids.unknown()
            async with info.context.transaction(**scope) as session:
                row = await service.waive(
                    session, guard, table, keys if len(keys) == 2 else keys[0], input.reason
                )
            return Finding.of(row)

        finding, errors = await attempt(info.context, work)
        return WaiveFindingPayload(finding=finding, errors=errors)
