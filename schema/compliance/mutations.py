import strawberry

from policies.permissions import Permission
from schema.compliance.types import AuditRun, Finding
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import Attempt, mutation
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
    errors: list[UserError] = refusals()


@strawberry.type
class WaiveFindingPayload:
    finding: Finding | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class ComplianceMutations:
    @mutation(
        Permission.AUDIT_RUN,
        description="Queues a run of the rule audits (project group: all or one community; a "
        "leader or assigned expert: its community). A run already queued is returned.",
    )
    async def run_audit(self, attempt: Attempt, input: RunAuditInput) -> RunAuditPayload:
        community_id = await attempt.context.community_id(input.community_slug)
        national = community_id is None  # a national run: the all-communities scope
        async with attempt.transaction(community_id, all_communities=national) as session:
            run, _ = await service.request_audit(
                session, attempt.guard, community_id, attempt.context.runtime
            )
        return RunAuditPayload(audit_run=AuditRun.of(run))

    @mutation(
        Permission.FINDING_WAIVE,
        description="Project group: accepts an open finding with a reason; it is not raised "
        "again until what it says changes.",
    )
    async def waive_finding(
        self, attempt: Attempt, input: WaiveFindingInput
    ) -> WaiveFindingPayload:
        type_name, keys = ids.decode(input.finding_id)
        table: type[models.Finding | models.ProgrammeFinding]
        if type_name == "Finding" and len(keys) == 2:
            table, community_id = models.Finding, keys[0]
        elif type_name == "ProgrammeFinding" and len(keys) == 1:
            table, community_id = models.ProgrammeFinding, None
        else:
            raise ids.unknown()
        async with attempt.transaction(community_id) as session:
            row = await service.waive(
                session, attempt.guard, table, keys if len(keys) == 2 else keys[0], input.reason
            )
        return WaiveFindingPayload(finding=Finding.of(row))
