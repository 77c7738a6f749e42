"""Activities, attendance, and the exit their absences enact (Art. 8(2), 12, 16, 18)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ARRAY,
    BigInteger,
    String,
    Table,
    and_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Guard
from server.activities.models import (
    Activity,
    Attendance,
    ProgrammeActivity,
    ProgrammeAttendance,
)
from server.activities.rules import (
    AttendanceEntry,
    Expected,
    counting_since,
    cycle_error,
    entries_error,
    expected_error,
    may_chain,
    recording_error,
    two_consecutive_absences,
)
from server.audit.service import APPEND, record
from server.clock import chinese_date, today
from server.communities.models import Community, Membership
from server.communities.service import active_membership
from server.db import Base, Database, rows_changed
from server.errors import ErrorCode, UserFacingError
from server.notifications.service import leaders_of, notify, unit_staff
from server.reads import Fixed
from server.units.models import ExitRecord, Unit
from server.units.service import leave_programme
from server.vocabulary import (
    ActivityKind,
    AttendanceStatus,
    ExitScope,
    MembershipStatus,
    SiteStatus,
)
from server.writes import Work

COMMUNITY_EXIT_REASON = "连续两次未参加共同体活动，视为自动退出共同体（第十二条）"
PROGRAMME_EXIT_REASON = "连续两次未参加项目活动，视为自动退出项目（第八条第二项）"


def activity_ref(community_id: int | None, activity_id: int) -> str:
    """How an activity is named in evidence: its global id's plain form."""
    if community_id is None:
        return f"ProgrammeActivity:{activity_id}"
    return f"Activity:{community_id}:{activity_id}"


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a Recorded)
class Recorded:
    activity: Activity | ProgrammeActivity  # as recorded: a row of one (`server/reads.py`)
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
    actor = guard.require(Permission.ACTIVITY_MANAGE, community_id)
    _check_title(title)
    if community_id is None:
        return await _schedule_programme(
            session, actor.user_id, kind, title, held_on, expected_unit_ids
        )
    community = await session.get_one(Community, community_id)
    if error := cycle_error(held_on, community.cycle_start, community.cycle_end):
        raise error
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
    if error := expected_error(expected, members):
        raise error
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


async def set_public(
    session: AsyncSession, guard: Guard, community_id: int, activity_id: int, is_public: bool
) -> Activity:
    """Shows a community activity on its sub-platform, or stops showing it."""
    actor = guard.require(Permission.ACTIVITY_MANAGE, community_id)
    activity = await session.get(Activity, (community_id, activity_id), with_for_update=True)
    if activity is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "活动不存在", "no such activity", "activityId")
    activity.is_public = is_public
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="activity.public",
        target_type="Activity",
        target_id=activity.id,
        community_id=community_id,
        after={"isPublic": is_public},
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
    activity.expected_count = rows_changed(inserted)
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
    session: AsyncSession, community_id: int | None, activity_id: int
) -> Activity | ProgrammeActivity:
    """A community's activity, or a project-wide one when `community_id` is None."""
    activity: Activity | ProgrammeActivity | None
    if community_id is None:
        activity = await session.get(ProgrammeActivity, activity_id)
    else:
        activity = await session.get(Activity, (community_id, activity_id))
    if activity is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "活动不存在", "no such activity", "activityId")
    return activity


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes an Asked)
class Asked:
    """A recording asked for, checked as far as it can be before the activity is read:
    allowed, not empty, no unit twice."""

    actor_user_id: int
    community_id: int | None
    activity_id: int
    entries: Sequence[AttendanceEntry]

    @property
    def may_chain(self) -> list[int]:
        return may_chain(self.entries)


def ask_attendance(
    guard: Guard,
    community_id: int | None,
    activity_id: int,
    entries: Sequence[AttendanceEntry],
) -> Asked:
    actor = guard.require(Permission.ATTENDANCE_RECORD, community_id)
    if error := entries_error(entries):
        raise error
    return Asked(actor.user_id, community_id, activity_id, entries)


async def record_attendance(
    database: Database,
    guard: Guard,
    community_id: int | None,
    activity_id: int,
    entries: Sequence[AttendanceEntry],
) -> Recorded:
    """Records (or corrects) attendance in its own transaction. When every unit attended no
    exit can follow and the ORM is not needed: the recording runs on the driver alone
    (`server/writes.py`), in fewer round trips."""
    asked = ask_attendance(guard, community_id, activity_id, entries)
    async with database.work(
        community_id, orm=bool(asked.may_chain), **recording_scope(community_id)
    ) as work:
        return await record_in(work, asked)


def recording_scope(community_id: int | None) -> dict[str, bool]:
    """What a recording's transaction sees: a project-wide activity's exits reach every
    community."""
    return {"all_communities": community_id is None}


async def record_in(work: Work, asked: Asked) -> Recorded:
    """A recording and its follow-up steps, the same on whichever connection `work` runs:
    the activity's row locked first (recordings of one activity queue instead of
    deadlocking on its attendance rows), then one statement that marks the given units,
    recounts the activity and appends the audit entry, then the exits its absences enact,
    with their notices and audit entries. Any refusal rolls the whole of it back."""
    model = Activity if asked.community_id is not None else ProgrammeActivity
    keys = {"of_activity": asked.activity_id, "of_community": asked.community_id}
    await work.write.script(LOCKING[model], **keys)
    # The activity's columns and `marked`, the units found expected: a row made at run time
    # (`server/reads.py`), so untyped.
    row = await work.write.one_or_none(
        RECORDING[model],
        **keys,
        units=[e.unit_id for e in asked.entries],
        statuses=[e.status.value for e in asked.entries],
        now=dt.datetime.now(dt.UTC),
        by=asked.actor_user_id,
        after={str(e.unit_id): e.status.value for e in asked.entries},
    )
    if row is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "活动不存在", "no such activity", "activityId")
    if error := recording_error(row.held_on, today(), asked.entries, set(row.marked or ())):
        raise error
    if not asked.may_chain:
        return Recorded(row, [])
    return Recorded(row, await enact_absences(work.orm(), asked.community_id, asked.may_chain))


def _table(model: type[Base]) -> Table:
    """A model's table, as a table (the declarative base types it as any FROM clause)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to one table")
    return table


def _locking(activity: type[Activity] | type[ProgrammeActivity]) -> Fixed:
    """The activity's row locked. Its values are written into its text (`Write.script`): on
    the driver it travels in the round trip that begins the transaction."""
    table = _table(activity)
    return Fixed(
        select(table.c.id)
        .where(
            *(
                column == bindparam(_KEYS[column.key], type_=BigInteger, literal_execute=True)
                for column in table.primary_key.columns
            )
        )
        .with_for_update()
    )


# An activity's key columns and the parameters that name them in a recording's statements.
_KEYS = {"id": "of_activity", "community_id": "of_community"}


def _recording(
    activity: type[Activity] | type[ProgrammeActivity],
    attendance: type[Attendance] | type[ProgrammeAttendance],
) -> Fixed:
    """Only an expected unit has a row to mark. The counts are the rows as they were, with
    the marked ones as they are now (a statement's parts all see the same snapshot)."""
    table, activities = _table(attendance), _table(activity)
    in_community = attendance is Attendance
    scope = [table.c.activity_id == bindparam("of_activity")]
    if in_community:
        scope.append(table.c.community_id == bindparam("of_community"))
    given = (
        func.unnest(
            bindparam("units", type_=ARRAY(BigInteger)),
            bindparam("statuses", type_=ARRAY(String)),
        )
        .table_valued("unit_id", "status")
        .render_derived(name="given")
    )
    marked = (
        update(table)
        .where(*scope, table.c.unit_id == given.c.unit_id)
        .values(status=given.c.status, recorded_at=bindparam("now"), recorded_by=bindparam("by"))
        .returning(table.c.unit_id, table.c.status)
        .cte("marked")
    )
    status = func.coalesce(marked.c.status, table.c.status)
    counts = (
        select(*(func.count().filter(status == s).label(s.value) for s in AttendanceStatus))
        .select_from(table.outerjoin(marked, marked.c.unit_id == table.c.unit_id))
        .where(*scope)
        .cte("counts")
    )
    logged = APPEND.values(
        community_id=bindparam("of_community") if in_community else None,
        actor_user_id=bindparam("by"),
        action="attendance.record",
        target_type=activity.__name__,
        target_id=cast(bindparam("of_activity", type_=BigInteger), String),
        after=bindparam("after", type_=JSONB),
    ).cte("logged")
    by_key = [column == bindparam(_KEYS[column.key]) for column in activities.primary_key.columns]
    return Fixed(
        update(activities)
        .where(*by_key)
        .values(
            attended_count=select(counts.c.ATTENDED).scalar_subquery(),
            absent_count=select(counts.c.ABSENT).scalar_subquery(),
            excused_count=select(counts.c.EXCUSED).scalar_subquery(),
            attendance_recorded_at=bindparam("now"),
        )
        .returning(
            *activities.c,
            select(func.array_agg(marked.c.unit_id)).scalar_subquery().label("marked"),
        )
        .add_cte(logged),
        of=activity,
    )


RECORDING = {
    Activity: _recording(Activity, Attendance),
    ProgrammeActivity: _recording(ProgrammeActivity, ProgrammeAttendance),
}
LOCKING = {Activity: _locking(Activity), ProgrammeActivity: _locking(ProgrammeActivity)}


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a History)
class History:
    """A unit's expected activities in the order held, and how a notice names each one."""

    expected: list[Expected]
    named: dict[str, str]


def named_activity(title: str, held_on: dt.date) -> str:
    """An activity as people know it: “研讨会”（2026年3月5日）."""
    return f"“{title}”（{chinese_date(held_on)}）"


async def _history(
    session: AsyncSession, community_id: int | None, unit_id: int, since: dt.date
) -> History:
    if community_id is None:
        rows = await session.execute(
            select(
                ProgrammeActivity.id,
                ProgrammeAttendance.status,
                ProgrammeActivity.title,
                ProgrammeActivity.held_on,
            )
            .join(ProgrammeActivity, ProgrammeActivity.id == ProgrammeAttendance.activity_id)
            .where(ProgrammeAttendance.unit_id == unit_id, ProgrammeActivity.held_on >= since)
            .order_by(ProgrammeActivity.held_on, ProgrammeActivity.id)
        )
    else:
        rows = await session.execute(
            select(Activity.id, Attendance.status, Activity.title, Activity.held_on)
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
    history = History([], {})
    for activity_id, status, title, held_on in rows:
        ref = activity_ref(community_id, activity_id)
        history.expected.append(Expected(ref, status))
        history.named[ref] = named_activity(title, held_on)
    return history


async def _counting_since(
    session: AsyncSession, community_id: int | None, unit_id: int, joined: dt.date
) -> dt.date:
    """When absences start to count (`rules.counting_since`), reinstatements in this scope
    only."""
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
    return counting_since(joined, reinstated)


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
            history = await _history(session, None, unit_id, since)
            if pair := two_consecutive_absences(history.expected):
                exits.append(await _exit_programme(session, unit, list(pair), history.named))
        else:
            membership = await active_membership(session, community_id, unit_id)
            if membership is None:
                continue
            since = await _counting_since(session, community_id, unit_id, membership.joined_on)
            history = await _history(session, community_id, unit_id, since)
            if pair := two_consecutive_absences(history.expected):
                exits.append(await _exit_community(session, membership, list(pair), history.named))
    return exits


def _exit_notice(reason: str, evidence: list[str], named: dict[str, str]) -> str:
    return f"{reason}。依据：{'、'.join(named[a] for a in evidence)}。如有异议，请联系项目组。"


async def _exit_community(
    session: AsyncSession, membership: Membership, evidence: list[str], named: dict[str, str]
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
    unit = await session.get_one(Unit, membership.unit_id)
    community = await session.get_one(Community, membership.community_id)
    await notify(
        session,
        [
            *await unit_staff(session, membership.unit_id),
            *await leaders_of(session, [membership.community_id]),
        ],
        "exit.auto",
        f"{unit.name}已视为自动退出{community.name}",
        _exit_notice(COMMUNITY_EXIT_REASON, evidence, named),
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


async def _exit_programme(
    session: AsyncSession, unit: Unit, evidence: list[str], named: dict[str, str]
) -> ExitRecord:
    left = await leave_programme(
        session, unit, SiteStatus.AUTO_EXITED, PROGRAMME_EXIT_REASON, evidence, today()
    )
    exit_record = (
        await session.scalars(
            select(ExitRecord)
            .where(ExitRecord.unit_id == unit.id, ExitRecord.scope == ExitScope.PROGRAMME)
            .order_by(ExitRecord.id.desc())
            .limit(1)
        )
    ).one()
    await notify(
        session,
        [
            *await unit_staff(session, unit.id),
            *await leaders_of(session, [m.community_id for m in left]),
        ],
        "exit.auto",
        f"{unit.name}已视为自动退出项目",
        _exit_notice(PROGRAMME_EXIT_REASON, evidence, named),
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
