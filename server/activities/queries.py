"""Statements that read activities and their attendance (a community's own business)."""

import datetime as dt
from typing import Any

from sqlalchemy import ScalarSelect, Select, select

from server.activities.models import Activity, Attendance, ProgrammeActivity, ProgrammeAttendance
from server.communities.models import Community
from server.vocabulary import ActivityKind, Region


def _filtered(
    statement: Select,
    table: type[Activity] | type[ProgrammeActivity],
    kind: ActivityKind | None,
    since: dt.date | None,
    until: dt.date | None,
) -> Select:
    if kind is not None:
        statement = statement.where(table.kind == kind)
    if since is not None:
        statement = statement.where(table.held_on >= since)
    if until is not None:
        statement = statement.where(table.held_on <= until)
    return statement


def activities_statement(
    community_id: int,
    kind: ActivityKind | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Select[tuple[Activity]]:
    statement = select(Activity).where(Activity.community_id == community_id)
    return _filtered(statement, Activity, kind, since, until)


def region_activities_statement(
    region: Region,
    kind: ActivityKind | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Select[tuple[Activity]]:
    in_region = select(Community.id).where(Community.region == region)
    statement = select(Activity).where(Activity.community_id.in_(in_region))
    return _filtered(statement, Activity, kind, since, until)


def programme_activities_statement(
    kind: ActivityKind | None = None, since: dt.date | None = None, until: dt.date | None = None
) -> Select[tuple[ProgrammeActivity]]:
    return _filtered(select(ProgrammeActivity), ProgrammeActivity, kind, since, until)


def attendance_statement(
    community_id: int | None, activity_id: int
) -> Select[tuple[Attendance]] | Select[tuple[ProgrammeAttendance]]:
    """The expected units of one activity with what was recorded for each."""
    if community_id is None:
        return (
            select(ProgrammeAttendance)
            .where(ProgrammeAttendance.activity_id == activity_id)
            .order_by(ProgrammeAttendance.unit_id)
        )
    return (
        select(Attendance)
        .where(Attendance.community_id == community_id, Attendance.activity_id == activity_id)
        .order_by(Attendance.unit_id)
    )


def latest_activity_on(community_id: Any, today: Any) -> ScalarSelect[dt.date]:
    """The day of a community's latest activity held by `today`; `community_id` a value, or
    the column of an outer query. ORDER BY ... LIMIT 1 rather than max(): under row-level
    security PostgreSQL does not turn max() into one step down the `(community_id, held_on)`
    index, and scans the community's activities (4.7 ms for 50 of them)."""
    return (
        select(Activity.held_on)
        .where(Activity.community_id == community_id, Activity.held_on <= today)
        .order_by(Activity.held_on.desc())
        .limit(1)
        .scalar_subquery()
    )
