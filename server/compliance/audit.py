"""One audit run: enact the two-absences exits the records call for, check every rule, keep
the findings and send the reminders, a chunk of whole communities per transaction. A run that
is killed leaves whole communities done and none half-written; running it again completes it."""

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.activities.models import Activity, Attendance, ProgrammeActivity, ProgrammeAttendance
from server.activities.rules import CHAINING
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
from server.compliance.reminders import due, send
from server.db import announce_after_commit
from server.notifications.service import leaders_by_community, staff_by_unit
from server.runtime import Runtime
from server.units.models import Unit
from server.vocabulary import AttendanceStatus, AuditRunStatus, MembershipStatus, SiteStatus

Progress = Callable[[int, int], None]  # (communities done, communities in all)


def progress_topic(run_id: int) -> str:
    """What moves when the run does: started, counted, a chunk done, finished
    (`auditRunProgress` follows it)."""
    return f"audit-run:{run_id}"


@dataclass
class Counts:
    communities: int = 0
    findings: int = 0  # seen by this run
    opened: int = 0
    resolved: int = 0
    exits: int = 0
    reminders: int = 0


async def _since(session: AsyncSession, community_id: int | None) -> dt.datetime | None:
    """When the last successful run covering this scope began: attendance recorded before it
    has been audited already (an exit only ever follows newly recorded attendance)."""
    covering: ColumnElement[bool] = AuditRun.community_id.is_(None)
    if community_id is not None:
        covering = covering | (AuditRun.community_id == community_id)
    return await session.scalar(
        select(func.max(AuditRun.started_at)).where(
            AuditRun.status == AuditRunStatus.SUCCEEDED, covering
        )
    )


async def _absentees(
    session: AsyncSession, community_id: int | None, since: dt.datetime | None
) -> dict[int, list[int]]:
    """Active members with two unexcused absences in a row in their record (excused ones
    skipped, as the rule skips them), by community, among those with an absence or an excuse
    recorded since `since` (an excuse, say a correction of the activity between two
    absences, can join them): the only histories worth reading again. The domain function
    then decides, from the day the unit joined."""
    recent = (
        select(Attendance.community_id, Attendance.unit_id)
        .join(
            Activity,
            (Activity.community_id == Attendance.community_id)
            & (Activity.id == Attendance.activity_id),
        )
        .where(Attendance.status.in_(CHAINING))
        .distinct()
    )
    if since is not None:
        stamped = Activity.attendance_recorded_at
        recent = recent.where(stamped.is_(None) | (stamped >= since))
    if community_id is not None:
        recent = recent.where(Attendance.community_id == community_id)
    changed = recent.subquery()
    held = (
        select(
            Attendance.community_id,
            Attendance.unit_id,
            Attendance.status,
            func.lag(Attendance.status)
            .over(
                partition_by=(Attendance.community_id, Attendance.unit_id),
                order_by=(Activity.held_on, Activity.id),
            )
            .label("previous"),
        )
        .join(
            Activity,
            (Activity.community_id == Attendance.community_id)
            & (Activity.id == Attendance.activity_id),
        )
        .join(
            changed,
            (changed.c.community_id == Attendance.community_id)
            & (changed.c.unit_id == Attendance.unit_id),
        )
        .where(Attendance.status.is_distinct_from(AttendanceStatus.EXCUSED))
        .subquery()
    )
    statement = (
        select(held.c.community_id, held.c.unit_id)
        .join(
            Membership,
            (Membership.community_id == held.c.community_id)
            & (Membership.unit_id == held.c.unit_id)
            & (Membership.status == MembershipStatus.ACTIVE),
        )
        .where(held.c.status == AttendanceStatus.ABSENT, held.c.previous == AttendanceStatus.ABSENT)
        .group_by(held.c.community_id, held.c.unit_id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for cid, unit_id in await session.execute(statement):
        found[cid].append(unit_id)
    return found


async def _programme_absentees(session: AsyncSession, since: dt.datetime | None) -> list[int]:
    recent = (
        select(ProgrammeAttendance.unit_id)
        .join(ProgrammeActivity, ProgrammeActivity.id == ProgrammeAttendance.activity_id)
        .where(ProgrammeAttendance.status.in_(CHAINING))
        .distinct()
    )
    if since is not None:
        stamped = ProgrammeActivity.attendance_recorded_at
        recent = recent.where(stamped.is_(None) | (stamped >= since))
    changed = recent.subquery()
    held = (
        select(
            ProgrammeAttendance.unit_id,
            ProgrammeAttendance.status,
            func.lag(ProgrammeAttendance.status)
            .over(
                partition_by=ProgrammeAttendance.unit_id,
                order_by=(ProgrammeActivity.held_on, ProgrammeActivity.id),
            )
            .label("previous"),
        )
        .join(ProgrammeActivity, ProgrammeActivity.id == ProgrammeAttendance.activity_id)
        .join(changed, changed.c.unit_id == ProgrammeAttendance.unit_id)
        .where(ProgrammeAttendance.status.is_distinct_from(AttendanceStatus.EXCUSED))
        .subquery()
    )
    return list(
        (
            await session.scalars(
                select(held.c.unit_id)
                .join(Unit, Unit.id == held.c.unit_id)
                .where(
                    Unit.site_status == SiteStatus.ACTIVE,
                    held.c.status == AttendanceStatus.ABSENT,
                    held.c.previous == AttendanceStatus.ABSENT,
                )
                .group_by(held.c.unit_id)
            )
        ).all()
    )


async def open_run(runtime: Runtime, community_id: int | None = None) -> int:
    """A run begun here and now (the shell, the demo, the nightly cron), recorded like any
    other but never queued. A national run (no community) is written only in the
    all-communities scope, as the row-level-security policy of `audit_runs` demands."""
    national = {"all_communities": True} if community_id is None else {}
    async with runtime.database.transaction(community_id, **national) as session:
        audit_run = AuditRun(community_id=community_id, status=AuditRunStatus.RUNNING, counts={})
        session.add(audit_run)
    return audit_run.id


async def run_now(
    runtime: Runtime, community_id: int | None = None, progress: Progress | None = None
) -> Counts:
    counts = await run(runtime, await open_run(runtime, community_id), progress)
    if counts is None:  # only a finished run gives none, and this one was opened here, now
        raise RuntimeError("an audit run opened here was finished elsewhere")
    return counts


class RunNotFound(LookupError):
    """No such run (yet): its request has not committed, or rolled back."""


async def waiting_runs(runtime: Runtime, older_than_seconds: int) -> list[int]:
    """Runs still QUEUED `older_than_seconds` after they were requested."""
    async with runtime.database.transaction(all_communities=True) as session:
        waited = func.now() - dt.timedelta(seconds=older_than_seconds)
        statement = select(AuditRun.id).where(
            AuditRun.status == AuditRunStatus.QUEUED, AuditRun.queued_at < waited
        )
        return list((await session.scalars(statement.order_by(AuditRun.id))).all())


async def start(runtime: Runtime, run_id: int) -> AuditRun | None:
    """Marks the run RUNNING; None when it has already finished (arq may deliver a job twice)."""
    async with runtime.database.transaction(all_communities=True) as session:
        run = await session.get(AuditRun, run_id, with_for_update=True)
        if run is None:
            raise RunNotFound(run_id)
        if run.status in (AuditRunStatus.SUCCEEDED, AuditRunStatus.FAILED):
            return None
        run.status = AuditRunStatus.RUNNING
        run.started_at = dt.datetime.now(dt.UTC)
        run.communities_done = 0  # a run killed part-way starts over; its done work holds
        announce_after_commit(session, progress_topic(run_id))
    return run


async def fail(runtime: Runtime, run_id: int, error: str) -> None:
    async with runtime.database.transaction(all_communities=True) as session:
        run = await session.get_one(AuditRun, run_id, with_for_update=True)
        run.status = AuditRunStatus.FAILED
        run.finished_at = dt.datetime.now(dt.UTC)
        run.error = error[:2000]
        announce_after_commit(session, progress_topic(run_id))


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
    # National runs cover this community too, and only the all-communities scope sees them.
    async with database.transaction(all_communities=True) as session:
        since = await _since(session, scope)
    async with database.transaction(scope, **read_scope) as session:
        absentees = await _absentees(session, scope, since)
        programme_absentees = await _programme_absentees(session, since) if scope is None else []
    for community_id, units in absentees.items():
        async with database.transaction(community_id) as session:
            counts.exits += len(await enact_absences(session, community_id, units))
    if programme_absentees:
        async with database.transaction(all_communities=True) as session:
            counts.exits += len(await enact_absences(session, None, programme_absentees))

    # 2. Facts for every community at once, then the findings and reminders of a chunk of
    # communities per transaction: a run killed part-way leaves whole chunks done.
    async with database.transaction(scope, **read_scope) as session:
        facts = await community_facts(session, on, None if scope is None else [scope])
        leaders = await leaders_by_community(session, [c.id for c in facts.communities])
        payers = await staff_by_unit(
            session, {o.unit_id for owed in facts.owing.values() for o in owed if o.unit_id}
        )
    total = len(facts.communities)
    async with database.transaction(all_communities=True) as session:
        row = await session.get_one(AuditRun, run_id, with_for_update=True)
        row.communities_total = total
        announce_after_commit(session, progress_topic(run_id))
    community_rules = sorted(set(COMMUNITY_CHECKS))
    size = max(1, runtime.settings.audit_chunk)
    for first in range(0, total, size):
        chunk = facts.communities[first : first + size]
        found = [f for c in chunk for f in check_community(facts, c)]
        reminders = [r for c in chunk for r in due(facts, c, leaders.get(c.id, []), payers)]
        async with database.transaction(scope, **read_scope) as session:
            recorded = await findings.record(
                session, Finding, found, community_rules, now, [c.id for c in chunk]
            )
            counts.reminders += await send(session, reminders)
            await _advance(session, run_id, len(chunk))
        _add(counts, recorded)
        counts.communities += len(chunk)
        if progress:
            progress(counts.communities, total)

    # 3. The programme's own findings, on a national run.
    if scope is None:
        async with database.transaction(all_communities=True) as session:
            found = check_programme(await programme_facts(session, on))
            recorded = await findings.record(
                session, ProgrammeFinding, found, sorted(PROGRAMME_CHECKS), now
            )
        _add(counts, recorded)

    async with database.transaction(all_communities=True) as session:
        row = await session.get_one(AuditRun, run_id, with_for_update=True)
        row.status = AuditRunStatus.SUCCEEDED
        row.finished_at = dt.datetime.now(dt.UTC)
        row.counts = {**asdict(counts), "durationMs": round((time.perf_counter() - begun) * 1000)}
        announce_after_commit(session, progress_topic(run_id))
    return counts


def _add(counts: Counts, recorded: findings.Recorded) -> None:
    counts.findings += recorded.seen
    counts.opened += recorded.opened
    counts.resolved += recorded.resolved


async def _advance(session: AsyncSession, run_id: int, communities: int) -> None:
    """Counts communities done in the same transaction as their findings: the count never
    claims work that was rolled back."""
    await session.execute(
        update(AuditRun)
        .where(AuditRun.id == run_id)
        .values(communities_done=AuditRun.communities_done + communities)
    )
    announce_after_commit(session, progress_topic(run_id))
