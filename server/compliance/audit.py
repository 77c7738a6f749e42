"""One audit run: enact the two-absences exits the records call for, check every rule, keep
the findings and send the reminders, one transaction per community. A run that is killed
leaves whole communities done and none half-written; running it again completes it."""

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.activities.models import Attendance, ProgrammeAttendance
from server.activities.service import enact_absences
from server.clock import today
from server.communities.models import Membership
from server.compliance import findings
from server.compliance.checks import (
    COMMUNITY_CHECKS,
    PROGRAMME_CHECKS,
    check_community,
    check_programme,
)
from server.compliance.facts import community_facts, programme_facts
from server.compliance.models import AuditRun, Finding, ProgrammeFinding
from server.compliance.reminders import remind
from server.runtime import Runtime
from server.units.models import Unit
from server.vocabulary import AttendanceStatus, AuditRunStatus, MembershipStatus, SiteStatus

Progress = Callable[[int, int], None]  # (communities done, communities in all)


@dataclass
class Counts:
    communities: int = 0
    findings: int = 0  # seen by this run
    opened: int = 0
    resolved: int = 0
    exits: int = 0
    reminders: int = 0


async def _absentees(session: AsyncSession, community_id: int | None) -> dict[int, list[int]]:
    """Active members with two or more unexcused absences on record, by community: the only
    ones whose history needs reading (a bulk import may have left them in place)."""
    statement = (
        select(Attendance.community_id, Attendance.unit_id)
        .join(
            Membership,
            (Membership.community_id == Attendance.community_id)
            & (Membership.unit_id == Attendance.unit_id)
            & (Membership.status == MembershipStatus.ACTIVE),
        )
        .where(Attendance.status == AttendanceStatus.ABSENT)
        .group_by(Attendance.community_id, Attendance.unit_id)
        .having(func.count() >= 2)
    )
    if community_id is not None:
        statement = statement.where(Attendance.community_id == community_id)
    found: dict[int, list[int]] = defaultdict(list)
    for cid, unit_id in await session.execute(statement):
        found[cid].append(unit_id)
    return found


async def _programme_absentees(session: AsyncSession) -> list[int]:
    return list(
        (
            await session.scalars(
                select(ProgrammeAttendance.unit_id)
                .join(Unit, Unit.id == ProgrammeAttendance.unit_id)
                .where(
                    ProgrammeAttendance.status == AttendanceStatus.ABSENT,
                    Unit.site_status == SiteStatus.ACTIVE,
                )
                .group_by(ProgrammeAttendance.unit_id)
                .having(func.count() >= 2)
            )
        ).all()
    )


async def run_now(runtime: Runtime, community_id: int | None = None) -> Counts:
    """A run started here and now (the shell, the demo), recorded like any other."""
    async with runtime.database.transaction(community_id) as session:
        audit_run = AuditRun(community_id=community_id, status=AuditRunStatus.RUNNING, counts={})
        session.add(audit_run)
    return await run(runtime, audit_run.id)


async def start(runtime: Runtime, run_id: int) -> AuditRun | None:
    """Marks the run RUNNING; None when it has already finished (arq may deliver a job twice)."""
    async with runtime.database.transaction(all_communities=True) as session:
        run = await session.get(AuditRun, run_id, with_for_update=True)
        if run is None or run.status in (AuditRunStatus.SUCCEEDED, AuditRunStatus.FAILED):
            return None
        run.status = AuditRunStatus.RUNNING
        run.started_at = dt.datetime.now(dt.UTC)
        run.communities_done = 0  # a run killed part-way starts over; its done work holds
    return run


async def fail(runtime: Runtime, run_id: int, error: str) -> None:
    async with runtime.database.transaction(all_communities=True) as session:
        run = await session.get(AuditRun, run_id, with_for_update=True)
        run.status = AuditRunStatus.FAILED
        run.finished_at = dt.datetime.now(dt.UTC)
        run.error = error[:2000]


async def run(runtime: Runtime, run_id: int, progress: Progress | None = None) -> Counts | None:
    """Runs audit run `run_id` to the end; None if it was already done."""
    begun = time.perf_counter()
    audit_run = await start(runtime, run_id)
    if audit_run is None:
        return None
    scope = audit_run.community_id
    on = today()
    now = dt.datetime.now(dt.UTC)
    counts = Counts()
    database = runtime.database

    # 1. The exits the attendance records call for, through the mutation's own function.
    read_scope = {"all_communities": True} if scope is None else {}
    async with database.transaction(scope, **read_scope) as session:
        absentees = await _absentees(session, scope)
        programme_absentees = await _programme_absentees(session) if scope is None else []
    for community_id, units in absentees.items():
        async with database.transaction(community_id) as session:
            counts.exits += len(await enact_absences(session, community_id, units))
    if programme_absentees:
        async with database.transaction(all_communities=True) as session:
            counts.exits += len(await enact_absences(session, None, programme_absentees))

    # 2. Facts for every community at once, then each community's findings and reminders.
    async with database.transaction(scope, **read_scope) as session:
        facts = await community_facts(session, on, None if scope is None else [scope])
    total = len(facts.communities)
    async with database.transaction(all_communities=True) as session:
        row = await session.get(AuditRun, run_id, with_for_update=True)
        row.communities_total = total
    community_rules = sorted(set(COMMUNITY_CHECKS))
    for done, community in enumerate(facts.communities, start=1):
        found = check_community(facts, community)
        async with database.transaction(community.id) as session:
            recorded = await findings.record(
                session, Finding, found, community_rules, now, community.id
            )
            counts.reminders += await remind(session, facts, community)
            await _advance(session, run_id)
        _add(counts, recorded)
        counts.communities += 1
        if progress:
            progress(done, total)

    # 3. The programme's own findings, on a national run.
    if scope is None:
        async with database.transaction(all_communities=True) as session:
            found = check_programme(await programme_facts(session, on))
            recorded = await findings.record(
                session, ProgrammeFinding, found, sorted(PROGRAMME_CHECKS), now
            )
        _add(counts, recorded)

    async with database.transaction(all_communities=True) as session:
        row = await session.get(AuditRun, run_id, with_for_update=True)
        row.status = AuditRunStatus.SUCCEEDED
        row.finished_at = dt.datetime.now(dt.UTC)
        row.counts = {**asdict(counts), "durationMs": round((time.perf_counter() - begun) * 1000)}
    return counts


def _add(counts: Counts, recorded: findings.Recorded) -> None:
    counts.findings += recorded.seen
    counts.opened += recorded.opened
    counts.resolved += recorded.resolved


async def _advance(session: AsyncSession, run_id: int) -> None:
    """Counts a community done in the same transaction as its findings: the count never
    claims work that was rolled back."""
    await session.execute(
        update(AuditRun)
        .where(AuditRun.id == run_id)
        .values(communities_done=AuditRun.communities_done + 1)
    )
