"""Activities, attendance, and the exit their absences enact (Art. 8(2), 12, 16, 18)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Update, and_, bindparam, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from server.access.guard import Guard
from server.activities.models import (
    Activity,
    Attendance,
    ProgrammeActivity,
    ProgrammeAttendance,
)
from server.activities.rules import Expected, two_consecutive_absences
from server.audit.service import record
from server.clock import today
from server.communities.models import Community, Membership
from server.communities.service import active_membership
from server.errors import ErrorCode, UserFacingError
from server.notifications.service import leaders_of, notify, unit_staff
from server.units.models import ExitRecord, Unit
from server.units.service import leave_programme
from server.vocabulary import (
    ActivityKind,
    AttendanceStatus,
    ExitScope,
    MembershipStatus,
    SiteStatus,
)

COMMUNITY_EXIT_REASON = "连续两次未参加共同体活动，视为自动退出共同体（第十二条）"
PROGRAMME_EXIT_REASON = "连续两次未参加项目活动，视为自动退出项目（第八条第二项）"


def activity_ref(community_id: int | None, activity_id: int) -> str:
    """How an activity is named in evidence: its global id's plain form."""
    if community_id is None:
        return f"ProgrammeActivity:{activity_id}"
    return f"Activity:{community_id}:{activity_id}"


@dataclass(frozen=True)
class AttendanceEntry:
    unit_id: int
    status: AttendanceStatus


@dataclass(frozen=True)
class Recorded:
    activity: Activity | ProgrammeActivity
    exits: list[ExitRecord]


def _check_title(title: str) -> None:
    if not title.strip():
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "请填写活动名称", "a title is required", "title"
        )


async def schedule_activity(
    session: AsyncSession,
    guard: Guard,
    community_id: int | None,
    kind: ActivityKind,
    title: str,
    held_on: dt.date,
    expected_unit_ids: Sequence[int] | None,
) -> Activity | ProgrammeActivity:
    """A community activity (its active members expected by default) or, with no community,
    a project-wide one (every active site expected by default)."""
    actor = guard.require("activity", "manage", community_id)
    _check_title(title)
    if community_id is None:
        return await _schedule_programme(
            session, actor.user_id, kind, title, held_on, expected_unit_ids
        )
    community = await session.get(Community, community_id)
    if not community.cycle_start <= held_on <= community.cycle_end:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"活动日期须在合作周期内（{community.cycle_start} 至 {community.cycle_end}）",
            f"the activity must fall within the cycle ({community.cycle_start} to "
            f"{community.cycle_end})",
            "heldOn",
        )
    members = set(
        (
            await session.scalars(
                select(Membership.unit_id).where(
                    Membership.community_id == community_id,
                    Membership.status == MembershipStatus.ACTIVE,
                )
            )
        ).all()
    )
    expected = list(dict.fromkeys(expected_unit_ids)) if expected_unit_ids else sorted(members)
    if stray := [u for u in expected if u not in members]:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            "应到单位须是本共同体的在册成员",
            f"expected units must be active members (not: {stray})",
            "expectedUnitIds",
        )
    activity = Activity(
        community_id=community_id,
        kind=kind,
        title=title.strip(),
        held_on=held_on,
        created_by=actor.user_id,
        expected_count=len(expected),
    )
    session.add(activity)
    await session.flush()
    session.add_all(
        Attendance(community_id=community_id, activity_id=activity.id, unit_id=u) for u in expected
    )
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="activity.schedule",
        target_type="Activity",
        target_id=activity.id,
        community_id=community_id,
        after={"kind": kind.value, "heldOn": held_on.isoformat(), "expected": len(expected)},
    )
    return activity


async def _schedule_programme(
    session: AsyncSession,
    user_id: int,
    kind: ActivityKind,
    title: str,
    held_on: dt.date,
    expected_unit_ids: Sequence[int] | None,
) -> ProgrammeActivity:
    activity = ProgrammeActivity(
        kind=kind, title=title.strip(), held_on=held_on, created_by=user_id
    )
    session.add(activity)
    await session.flush()
    sites = select(Unit.id).where(Unit.site_status == SiteStatus.ACTIVE)
    if expected_unit_ids:
        wanted = set(expected_unit_ids)
        active = set((await session.scalars(sites.where(Unit.id.in_(wanted)))).all())
        if stray := sorted(wanted - active):
            raise UserFacingError(
                ErrorCode.INVALID_INPUT,
                "应到单位须是在册的项目实验点",
                f"expected units must be active sites (not: {stray})",
                "expectedUnitIds",
            )
        sites = sites.where(Unit.id.in_(wanted))
    # One statement however many sites the programme has.
    inserted = await session.execute(
        insert(ProgrammeAttendance).from_select(
            ["activity_id", "unit_id"], select(literal(activity.id), sites.subquery().c.id)
        )
    )
    activity.expected_count = inserted.rowcount
    await session.flush()
    await record(
        session,
        actor_user_id=user_id,
        action="programme_activity.schedule",
        target_type="ProgrammeActivity",
        target_id=activity.id,
        after={
            "kind": kind.value,
            "heldOn": held_on.isoformat(),
            "expected": activity.expected_count,
        },
    )
    return activity


async def find_activity(
    session: AsyncSession, community_id: int | None, activity_id: int, *, lock: bool = False
) -> Activity | ProgrammeActivity:
    """A community's activity, or a project-wide one when `community_id` is None."""
    if community_id is None:
        activity = await session.get(ProgrammeActivity, activity_id, with_for_update=lock)
    else:
        activity = await session.get(Activity, (community_id, activity_id), with_for_update=lock)
    if activity is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "活动不存在", "no such activity", "activityId")
    return activity


def _entries_errors(entries: Sequence[AttendanceEntry], expected: set[int]) -> None:
    seen: set[int] = set()
    for i, entry in enumerate(entries):
        if entry.unit_id in seen:
            raise UserFacingError(
                ErrorCode.INVALID_INPUT,
                "同一单位记录了两次",
                "a unit appears twice",
                f"entries.{i}.unitId",
            )
        seen.add(entry.unit_id)
        if entry.unit_id not in expected:
            raise UserFacingError(
                ErrorCode.INVALID_INPUT,
                "该单位不在本次活动的应到名单中",
                "the unit was not expected at this activity",
                f"entries.{i}.unitId",
            )


async def record_attendance(
    session: AsyncSession,
    guard: Guard,
    community_id: int | None,
    activity_id: int,
    entries: Sequence[AttendanceEntry],
) -> Recorded:
    """Records (or corrects) attendance, then enacts the two-absences exit where it applies."""
    actor = guard.require("attendance", "record", community_id)
    if not entries:
        raise UserFacingError(ErrorCode.INVALID_INPUT, "没有出勤记录", "no entries", "entries")
    activity = await find_activity(session, community_id, activity_id, lock=True)
    statements = RECORDING[type(activity)]
    # Named apart from the columns: an UPDATE keeps the column names for its SET values.
    of_activity = {"of_activity": activity_id}
    if community_id is not None:
        of_activity["of_community"] = community_id
    if activity.held_on > today():
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            "活动尚未举行，不能登记出勤",
            "the activity has not been held yet",
            "activityId",
        )
    now = dt.datetime.now(dt.UTC)
    # Only an expected unit has a row to mark: the units marked are the expected ones among
    # those given, so a unit given but not marked was not expected (and the refusal rolls the
    # marks back). One round trip fewer than asking for the expected units first.
    expected: set[int] = set()
    for status in AttendanceStatus:
        units = [e.unit_id for e in entries if e.status is status]
        if units:
            marked = {"units": units, "new_status": status, "now": now, "by": actor.user_id}
            result = await session.execute(statements.mark, {**of_activity, **marked})
            expected.update(result.scalars())
    _entries_errors(entries, expected)
    counts = (await session.execute(statements.recount, {**of_activity, "now": now})).one()
    # The loaded activity takes the counts as its committed state (no second write).
    for name, value in zip(COUNTS, (*counts, now), strict=True):
        set_committed_value(activity, name, value)
    await record(
        session,
        actor_user_id=actor.user_id,
        action="attendance.record",
        target_type=type(activity).__name__,
        target_id=activity.id,
        community_id=community_id,
        after={str(e.unit_id): e.status.value for e in entries},
    )
    absent = [e.unit_id for e in entries if e.status is AttendanceStatus.ABSENT]
    exits = await enact_absences(session, community_id, absent) if absent else []
    return Recorded(activity, exits)


COUNTS = ("attended_count", "absent_count", "excused_count", "attendance_recorded_at")


@dataclass(frozen=True)
class Recording:
    """The statements that record one activity's attendance, built once with the activity,
    the units and the values as bind parameters: a recording runs them on every sheet."""

    mark: Update  # the given expected units' status set, returning them (Core: no rows in
    # the session to keep in step)
    recount: Update  # the activity's counts recomputed from its rows and read back


def _recording(activity: type, attendance: type) -> Recording:
    scope = [attendance.activity_id == bindparam("of_activity")]
    if attendance is Attendance:
        scope.append(Attendance.community_id == bindparam("of_community"))
    activities = activity.__table__
    # The activity by its primary key: (community_id, id), or id for the programme's own.
    by_key = [
        column == bindparam("of_activity" if column.key == "id" else "of_community")
        for column in activities.primary_key.columns
    ]

    def counted(status: AttendanceStatus):
        return (
            select(func.count())
            .select_from(attendance)
            .where(*scope, attendance.status == status)
            .scalar_subquery()
        )

    return Recording(
        mark=update(attendance.__table__)
        .where(*scope, attendance.unit_id.in_(bindparam("units", expanding=True)))
        .values(
            status=bindparam("new_status"),
            recorded_at=bindparam("now"),
            recorded_by=bindparam("by"),
        )
        .returning(attendance.unit_id),
        recount=update(activities)
        .where(*by_key)
        .values(
            attended_count=counted(AttendanceStatus.ATTENDED),
            absent_count=counted(AttendanceStatus.ABSENT),
            excused_count=counted(AttendanceStatus.EXCUSED),
            attendance_recorded_at=bindparam("now"),
        )
        .returning(
            activities.c.attended_count, activities.c.absent_count, activities.c.excused_count
        ),
    )


RECORDING = {
    Activity: _recording(Activity, Attendance),
    ProgrammeActivity: _recording(ProgrammeActivity, ProgrammeAttendance),
}


async def _history(
    session: AsyncSession, community_id: int | None, unit_id: int, since: dt.date
) -> list[Expected]:
    if community_id is None:
        rows = await session.execute(
            select(ProgrammeActivity.id, ProgrammeAttendance.status)
            .join(ProgrammeActivity, ProgrammeActivity.id == ProgrammeAttendance.activity_id)
            .where(ProgrammeAttendance.unit_id == unit_id, ProgrammeActivity.held_on >= since)
            .order_by(ProgrammeActivity.held_on, ProgrammeActivity.id)
        )
    else:
        rows = await session.execute(
            select(Activity.id, Attendance.status)
            .join(
                Activity,
                and_(
                    Activity.community_id == Attendance.community_id,
                    Activity.id == Attendance.activity_id,
                ),
            )
            .where(
                Attendance.community_id == community_id,
                Attendance.unit_id == unit_id,
                Activity.held_on >= since,
            )
            .order_by(Activity.held_on, Activity.id)
        )
    return [Expected(activity_ref(community_id, a), s) for a, s in rows]


async def _counting_since(
    session: AsyncSession, community_id: int | None, unit_id: int, joined: dt.date
) -> dt.date:
    """Absences count from when the unit joined, or from the day after its last
    reinstatement in this scope (the absences that made it leave are spent)."""
    scope = ExitScope.PROGRAMME if community_id is None else ExitScope.COMMUNITY
    reinstated = await session.scalar(
        select(func.max(ExitRecord.reinstated_on)).where(
            ExitRecord.unit_id == unit_id,
            ExitRecord.scope == scope,
            ExitRecord.community_id.is_(None)
            if community_id is None
            else ExitRecord.community_id == community_id,
        )
    )
    if reinstated is None:
        return joined
    return max(joined, reinstated + dt.timedelta(days=1))


async def enact_absences(
    session: AsyncSession, community_id: int | None, unit_ids: Sequence[int]
) -> list[ExitRecord]:
    """For each unit still in the scope: if its history holds two consecutive unexcused
    absences, it leaves now, with them as evidence (the audits call this too)."""
    exits: list[ExitRecord] = []
    for unit_id in unit_ids:
        if community_id is None:
            unit = await session.get(Unit, unit_id)
            if unit is None or unit.site_status is not SiteStatus.ACTIVE:
                continue
            since = await _counting_since(session, None, unit_id, unit.admitted_on or dt.date.min)
            pair = two_consecutive_absences(await _history(session, None, unit_id, since))
            if pair:
                exits.append(await _exit_programme(session, unit, list(pair)))
        else:
            membership = await active_membership(session, community_id, unit_id)
            if membership is None:
                continue
            since = await _counting_since(session, community_id, unit_id, membership.joined_on)
            pair = two_consecutive_absences(await _history(session, community_id, unit_id, since))
            if pair:
                exits.append(await _exit_community(session, membership, list(pair)))
    return exits


async def _exit_community(
    session: AsyncSession, membership: Membership, evidence: list[str]
) -> ExitRecord:
    on = today()
    membership.status = MembershipStatus.AUTO_EXITED
    membership.left_on = on
    membership.left_reason = COMMUNITY_EXIT_REASON
    exit_record = ExitRecord(
        unit_id=membership.unit_id,
        community_id=membership.community_id,
        scope=ExitScope.COMMUNITY,
        kind=SiteStatus.AUTO_EXITED,
        exited_on=on,
        reason=COMMUNITY_EXIT_REASON,
        evidence=evidence,
    )
    session.add(exit_record)
    await session.flush()
    unit = await session.get(Unit, membership.unit_id)
    community = await session.get(Community, membership.community_id)
    await notify(
        session,
        [
            *await unit_staff(session, membership.unit_id),
            *await leaders_of(session, [membership.community_id]),
        ],
        "exit.auto",
        f"{unit.name}已视为自动退出{community.name}",
        f"{COMMUNITY_EXIT_REASON}。依据：{'、'.join(evidence)}。如有异议，请联系项目组。",
    )
    await record(
        session,
        actor_user_id=None,
        action="membership.auto_exit",
        target_type="Unit",
        target_id=membership.unit_id,
        community_id=membership.community_id,
        before={"status": "ACTIVE"},
        after={"status": "AUTO_EXITED", "evidence": evidence},
    )
    return exit_record


async def _exit_programme(session: AsyncSession, unit: Unit, evidence: list[str]) -> ExitRecord:
    left = await leave_programme(
        session, unit, SiteStatus.AUTO_EXITED, PROGRAMME_EXIT_REASON, evidence, today()
    )
    exit_record = await session.scalar(
        select(ExitRecord)
        .where(ExitRecord.unit_id == unit.id, ExitRecord.scope == ExitScope.PROGRAMME)
        .order_by(ExitRecord.id.desc())
        .limit(1)
    )
    await notify(
        session,
        [
            *await unit_staff(session, unit.id),
            *await leaders_of(session, [m.community_id for m in left]),
        ],
        "exit.auto",
        f"{unit.name}已视为自动退出项目",
        f"{PROGRAMME_EXIT_REASON}。依据：{'、'.join(evidence)}。如有异议，请联系项目组。",
    )
    await record(
        session,
        actor_user_id=None,
        action="unit.auto_exit",
        target_type="Unit",
        target_id=unit.id,
        before={"siteStatus": "ACTIVE"},
        after={"siteStatus": "AUTO_EXITED", "evidence": evidence},
    )
    return exit_record
