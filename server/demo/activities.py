"""A demo community's activities from the start of its cycle to the end of this year, with
attendance as such communities record it: every year what Art. 16 asks (two citizen learning
activities, two seminars, the learning week, a training and the joint research), almost
everyone attending, now and then a unit excused. Those still to come this year are scheduled,
their attendance not yet recorded. Where the data set names an absentee, it misses the last two
held and leaves (Art. 8(2), 12) through the same function as the mutation; where it names a
kind the community fell short of, last year held one fewer of it."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from server.activities.models import Activity, Attendance
from server.activities.service import enact_absences
from server.communities.models import Community
from server.units.models import Unit
from server.vocabulary import ActivityKind, AttendanceStatus

YEAR = (
    (ActivityKind.SEMINAR, "共同体年度工作研讨会"),
    (ActivityKind.CITIZEN_LEARNING, "市民终身学习体验日"),
    (ActivityKind.TRAINING, "社区教育工作者专题培训"),
    (ActivityKind.RESEARCH, "共同体联合课题推进会"),
    (ActivityKind.LEARNING_WEEK, "全民终身学习活动周联合展示"),
    (ActivityKind.CITIZEN_LEARNING, "社区学习成果展演"),
    (ActivityKind.SEMINAR, "共同体年度工作总结会"),
)


def _status(unit_index: int, activity_index: int) -> AttendanceStatus:
    return (
        AttendanceStatus.EXCUSED
        if (unit_index + activity_index) % 7 == 3
        else AttendanceStatus.ATTENDED
    )


def calendar(
    community: Community, short_of: ActivityKind | None, today: dt.date
) -> list[tuple[dt.date, ActivityKind, str]]:
    """Each year's activities spread evenly over the part of the year the cycle covers."""
    planned: list[tuple[dt.date, ActivityKind, str]] = []
    for year in range(community.cycle_start.year, today.year + 1):
        first = max(community.cycle_start, dt.date(year, 1, 1))
        last = min(community.cycle_end, dt.date(year, 12, 31))
        programme = list(YEAR)
        if short_of is not None and year == today.year - 1:
            programme.reverse()
            programme.remove(next(p for p in programme if p[0] is short_of))
            programme.reverse()
        step = (last - first).days / len(programme)
        for k, (kind, title) in enumerate(programme):
            held_on = first + dt.timedelta(days=int(step * (k + 0.5)))
            planned.append((held_on, kind, f"{year} 年{title}"))
    return planned


async def hold_the_cycle(
    session: AsyncSession,
    community: Community,
    units: Sequence[Unit],
    absentee: Unit | None,
    short_of: ActivityKind | None,
    today: dt.date,
) -> int:
    """Returns how many activities were held or scheduled."""
    planned = calendar(community, short_of, today)
    held = [p for p in planned if p[0] < today]
    for index, (held_on, kind, title) in enumerate(held):
        statuses = {u.id: _status(i, index) for i, u in enumerate(units)}
        if absentee is not None and index >= len(held) - 2:
            statuses[absentee.id] = AttendanceStatus.ABSENT
        recorded_at = dt.datetime.combine(held_on, dt.time(18), dt.UTC)
        activity = await _activity(
            session,
            Activity(
                community_id=community.id,
                kind=kind,
                title=title,
                held_on=held_on,
                expected_count=len(statuses),
                attended_count=_count(statuses, AttendanceStatus.ATTENDED),
                absent_count=_count(statuses, AttendanceStatus.ABSENT),
                excused_count=_count(statuses, AttendanceStatus.EXCUSED),
                attendance_recorded_at=recorded_at,
            ),
        )
        session.add_all(
            Attendance(
                community_id=community.id,
                activity_id=activity.id,
                unit_id=unit_id,
                status=status,
                recorded_at=recorded_at,
            )
            for unit_id, status in statuses.items()
        )
    await session.flush()
    if absentee is not None:
        await enact_absences(session, community.id, [absentee.id])
    staying = [u.id for u in units if absentee is None or u.id != absentee.id]
    for held_on, kind, title in planned[len(held) :]:
        activity = await _activity(
            session,
            Activity(
                community_id=community.id,
                kind=kind,
                title=title,
                held_on=held_on,
                expected_count=len(staying),
            ),
        )
        session.add_all(
            Attendance(community_id=community.id, activity_id=activity.id, unit_id=unit_id)
            for unit_id in staying
        )
    await session.flush()
    return len(planned)


def _count(statuses: dict[int, AttendanceStatus], status: AttendanceStatus) -> int:
    return sum(s is status for s in statuses.values())


async def _activity(session: AsyncSession, activity: Activity) -> Activity:
    session.add(activity)
    await session.flush()  # its id, for the attendance rows
    return activity
