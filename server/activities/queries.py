"""Statements that read activities and their attendance (a community's own business)."""

import datetime as dt

from sqlalchemy import Select, select

from server.activities.models import Activity, Attendance, ProgrammeActivity, ProgrammeAttendance
from server.vocabulary import ActivityKind


def activities_statement(
    community_id: int,
    kind: ActivityKind | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Select[tuple[Activity]]:
    statement = select(Activity).where(Activity.community_id == community_id)
    if kind is not None:
        statement = statement.where(Activity.kind == kind)
    if since is not None:
        statement = statement.where(Activity.held_on >= since)
    if until is not None:
        statement = statement.where(Activity.held_on <= until)
    return statement


def programme_activities_statement(
    kind: ActivityKind | None = None, since: dt.date | None = None, until: dt.date | None = None
) -> Select[tuple[ProgrammeActivity]]:
    statement = select(ProgrammeActivity)
    if kind is not None:
        statement = statement.where(ProgrammeActivity.kind == kind)
    if since is not None:
        statement = statement.where(ProgrammeActivity.held_on >= since)
    if until is not None:
        statement = statement.where(ProgrammeActivity.held_on <= until)
    return statement


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
