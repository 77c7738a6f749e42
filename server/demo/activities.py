"""A year of a demo community's activities, with attendance as such communities record it:
almost everyone attends, now and then a unit is excused, and where the data set names an
absentee, it misses two in a row and leaves (Art. 12) through the same function as the
mutation."""

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from server.activities.models import Activity, Attendance
from server.activities.service import enact_absences
from server.clock import today
from server.communities.models import Community
from server.units.models import Unit
from server.vocabulary import ActivityKind, AttendanceStatus

PROGRAMME = (
    (ActivityKind.SEMINAR, "共同体年度工作研讨会"),
    (ActivityKind.CITIZEN_LEARNING, "市民终身学习体验日"),
    (ActivityKind.TRAINING, "社区教育工作者专题培训"),
    (ActivityKind.RESEARCH, "共同体联合课题推进会"),
    (ActivityKind.LEARNING_WEEK, "全民终身学习活动周联合展示"),
    (ActivityKind.SEMINAR, "共同体年度工作总结会"),
)


def _status(unit_index: int, activity_index: int) -> AttendanceStatus:
    return (
        AttendanceStatus.EXCUSED
        if (unit_index + activity_index) % 7 == 3
        else AttendanceStatus.ATTENDED
    )


async def hold_a_year(
    session: AsyncSession, community: Community, units: list[Unit], absentee: Unit | None
) -> int:
    """Six activities, one every two months up to last month (none before the cycle began).
    Returns how many were held."""
    on = today()
    dates = [on - dt.timedelta(days=30 + 61 * k) for k in reversed(range(len(PROGRAMME)))]
    held = [(d, kind, title) for d, (kind, title) in zip(dates, PROGRAMME, strict=True)]
    held = [h for h in held if h[0] >= community.cycle_start]
    for index, (held_on, kind, title) in enumerate(held):
        statuses = {u.id: _status(i, index) for i, u in enumerate(units)}
        if absentee is not None and index >= len(held) - 2:
            statuses[absentee.id] = AttendanceStatus.ABSENT
        activity = Activity(
            community_id=community.id,
            kind=kind,
            title=title,
            held_on=held_on,
            expected_count=len(units),
            attended_count=sum(s is AttendanceStatus.ATTENDED for s in statuses.values()),
            absent_count=sum(s is AttendanceStatus.ABSENT for s in statuses.values()),
            excused_count=sum(s is AttendanceStatus.EXCUSED for s in statuses.values()),
            attendance_recorded_at=dt.datetime.combine(held_on, dt.time(18), dt.UTC),
        )
        session.add(activity)
        await session.flush()
        recorded_at = activity.attendance_recorded_at
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
    return len(held)
