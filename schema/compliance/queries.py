import strawberry

from policies.permissions import Permission
from schema.compliance.national import Counted, ProgrammeCompliance
from schema.compliance.types import AuditRun, Finding
from schema.core import ids
from schema.core.context import Context, Info
from schema.core.pagination import Connection, paginate
from server.access.guard import Guard, forbidden
from server.compliance import models
from server.compliance.service import (
    findings_statement,
    may_read_run,
    programme_findings_statement,
    runs_statement,
)
from server.errors import not_found
from server.vocabulary import FindingStatus, Severity


@strawberry.type
class ComplianceQueries:
    @strawberry.field(
        description="Findings of the communities the reader may see (one with `communitySlug`): "
        "all for the project group, their own for members, their assigned ones for experts; "
        "oldest first (`newestFirst`: the latest first)."
    )
    async def findings(
        self,
        info: Info,
        community_slug: str | None = None,
        severity: Severity | None = None,
        status: FindingStatus | None = None,
        rule: str | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Finding]:
        guard = await info.context.guard()
        guard.signed_in()
        tenant = await info.context.tenant(community_slug)
        if tenant is not None:
            guard.require(Permission.TENANT_READ, tenant.id)
            scope: list[int] | None = [tenant.id]
        elif guard.is_project_group:
            scope = None
        else:
            scope = guard.communities(Permission.TENANT_READ)
        statement = findings_statement(scope, severity, status, rule)
        return await paginate(
            info.context,
            statement,
            models.Finding.id,
            first,
            after,
            Finding.of,
            community_id=tenant.id if tenant else None,
            all_communities=tenant is None,
            newest_first=newest_first,
        )

    @strawberry.field(
        description="Project group: findings about the programme itself and sites outside "
        "any community's view (admission evidence, the project group's cadence); oldest first "
        "(`newestFirst`: the latest first)."
    )
    async def programme_findings(
        self,
        info: Info,
        severity: Severity | None = None,
        status: FindingStatus | None = None,
        rule: str | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Finding]:
        (await info.context.guard()).require(Permission.FINDING_WAIVE)
        statement = programme_findings_statement(severity, status, rule)
        return await paginate(
            info.context,
            statement,
            models.ProgrammeFinding.id,
            first,
            after,
            Finding.of,
            newest_first=newest_first,
        )

    @strawberry.field(
        description="Audit runs, the latest first (`newestFirst: false`: the oldest first): "
        "the project group's every run, national or of one "
        "community; anyone else's, the runs of the communities they may read. With "
        "`communitySlug`, that community's own runs only (FORBIDDEN to a reader not of it). "
        "A run checks the rules of the regulation, e.g. the joint activities (Art. 16(3)) and "
        "the two absences that are an exit (Art. 12)."
    )
    async def audit_runs(
        self,
        info: Info,
        community_slug: str | None = None,
        newest_first: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditRun]:
        guard = await info.context.guard()
        guard.signed_in()
        tenant = await info.context.tenant(community_slug)
        statement, all_communities = runs_statement(guard, tenant.id if tenant else None)
        return await paginate(
            info.context,
            statement,
            models.AuditRun.id,
            first,
            after,
            AuditRun.of,
            community_id=tenant.id if tenant else None,
            all_communities=all_communities,
            newest_first=newest_first,
        )

    @strawberry.field(
        description="Project group: the whole programme's open findings, counted by severity, "
        "region, level, article and rule, with the worst communities first."
    )
    async def programme_compliance(self, info: Info) -> ProgrammeCompliance:
        (await info.context.guard()).require(Permission.PROGRAMME_READ)
        return ProgrammeCompliance(counted=Counted())

    @strawberry.field(description="An audit run, to follow it until it has finished.")
    async def audit_run(self, info: Info, id: strawberry.ID) -> AuditRun | None:
        guard = await info.context.guard()
        guard.signed_in()
        return AuditRun.of(
            await readable_run(info.context, guard, ids.decode_as(id, "AuditRun")[0])
        )


async def readable_run(context: Context, guard: Guard, run_id: int) -> models.AuditRun:
    """The run, for one who may read it (the query, and each event of a subscription)."""
    async with context.transaction(all_communities=True) as session:
        row = await session.get(models.AuditRun, run_id)  # then the check in code
    if row is None:
        raise not_found("审核任务", "audit run")
    if not may_read_run(guard, row):
        raise forbidden()
    return row
