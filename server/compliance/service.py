"""Asking for an audit, waiving a finding, and who reads which findings."""

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Guard
from server.audit.service import record
from server.compliance import tasks
from server.compliance.models import AnyFinding, AuditRun, Finding, ProgrammeFinding
from server.errors import ErrorCode, UserFacingError, written_reason
from server.runtime import Runtime
from server.vocabulary import AuditRunStatus, FindingStatus, Severity


async def request_audit(
    session: AsyncSession, guard: Guard, community_id: int | None, runtime: Runtime
) -> tuple[AuditRun, bool]:
    """A queued run for the scope (every community, or one): a new one, or the one already
    waiting (`False`), so a scope is queued at most once.

    Its job is enqueued before `session` commits: when Redis is down the error rolls the run
    back, so no run is ever QUEUED without a job (a job for a run whose commit then failed
    finds no run and ends; see `tasks.run_audit`)."""
    run, created = await _queued_run(session, guard, community_id)
    await tasks.enqueue(runtime, run.id)  # the job id is the run's: a waiting run's is kept
    return run, created


async def _queued_run(
    session: AsyncSession, guard: Guard, community_id: int | None
) -> tuple[AuditRun, bool]:
    actor = guard.require(Permission.AUDIT_RUN, community_id)
    run = AuditRun(
        community_id=community_id,
        status=AuditRunStatus.QUEUED,
        requested_by=actor.user_id,
        counts={},
    )
    try:
        async with session.begin_nested():
            session.add(run)
            await session.flush()
    except IntegrityError:
        waiting = await session.scalar(
            select(AuditRun).where(
                AuditRun.status == AuditRunStatus.QUEUED,
                AuditRun.community_id.is_(None)
                if community_id is None
                else AuditRun.community_id == community_id,
            )
        )
        if waiting is None:  # it started meanwhile: ask again
            return await _queued_run(session, guard, community_id)
        return waiting, False
    return run, True


def may_read_run(guard: Guard, run: AuditRun) -> bool:
    if run.community_id is None:
        return guard.allows(Permission.AUDIT_RUN)
    return guard.allows(Permission.TENANT_READ, run.community_id)


def runs_statement(guard: Guard, community_id: int | None) -> tuple[Select[AuditRun], bool]:
    """The audit runs the reader may list, as `may_read_run` decides for one run, and whether
    they are read in the all-communities scope (national runs are seen only there): one
    community's own runs (`community_id`) for whoever reads that community; with none, every
    run, national ones too, for the project group, and any other reader's communities' runs.
    FORBIDDEN for a community the reader may not read."""
    guard.signed_in()
    statement = select(AuditRun)
    if community_id is not None:
        guard.require(Permission.TENANT_READ, community_id)
        return statement.where(AuditRun.community_id == community_id), False
    if guard.allows(Permission.AUDIT_RUN):
        return statement, True
    readable = guard.communities(Permission.TENANT_READ)
    return statement.where(AuditRun.community_id.in_(readable)), True


def findings_statement(
    community_ids: list[int] | None,
    severity: Severity | None,
    status: FindingStatus | None,
    rule: str | None,
) -> Select[Finding]:
    """`community_ids` None: every community's."""
    statement = select(Finding)
    if community_ids is not None:
        statement = statement.where(Finding.community_id.in_(community_ids))
    return _filtered(statement, Finding, severity, status, rule)


def programme_findings_statement(
    severity: Severity | None, status: FindingStatus | None, rule: str | None
) -> Select[ProgrammeFinding]:
    return _filtered(select(ProgrammeFinding), ProgrammeFinding, severity, status, rule)


def _filtered(
    statement: Select[AnyFinding],
    table: type[AnyFinding],
    severity: Severity | None,
    status: FindingStatus | None,
    rule: str | None,
) -> Select[AnyFinding]:
    if severity is not None:
        statement = statement.where(table.severity == severity)
    if status is not None:
        statement = statement.where(table.status == status)
    if rule is not None:
        statement = statement.where(table.rule == rule)
    return statement


async def waive(
    session: AsyncSession,
    guard: Guard,
    table: type[AnyFinding],
    keys: int | tuple[int, ...],
    reason: str,
) -> AnyFinding:
    """The project group accepts a finding, with its reason: it stays on record, shown as
    WAIVED, and is not raised again until what it says changes."""
    actor = guard.require(Permission.FINDING_WAIVE)
    finding = await session.get(table, keys, with_for_update=True)
    if finding is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "问题不存在", "no such finding", "findingId")
    reason = written_reason(reason, "请写明豁免理由", "a reason is required")
    if finding.status is not FindingStatus.OPEN:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            f"只有待整改的问题可以豁免（现为“{finding.status.zh}”）",
            f"only an open finding can be waived (it is {finding.status.value})",
            "findingId",
        )
    finding.status = FindingStatus.WAIVED
    finding.waived_reason = reason
    finding.waived_by = actor.user_id
    finding.waived_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="finding.waive",
        target_type=table.__name__,
        target_id=finding.id,
        community_id=getattr(finding, "community_id", None),
        after={"rule": finding.rule, "subject": finding.subject, "reason": finding.waived_reason},
    )
    return finding
