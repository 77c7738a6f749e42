"""Statements that read activities and their attendance (a community's own business)."""

import datetime as dt

from sqlalchemy import ColumnElement, ScalarSelect, Select, select

from server.activities.models import (
    Activity,
    AnyActivity,
    Attendance,
    ProgrammeActivity,
    ProgrammeAttendance,
)
from server.communities.models import Community
from server.vocabulary import ActivityKind, Region


def _filtered(
    statement: Select[AnyActivity],
    table: type[AnyActivity],
    kind: ActivityKind | None,
    since: dt.date | None,
    until: dt.date | None,
) -> Select[AnyActivity]:
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
) -> Select[Activity]:
    statement = select(Activity).where(Activity.community_id == community_id)
    return _filtered(statement, Activity, kind, since, until)


def public_activities_statement(community_id: int) -> Select[Activity]:
    """The activities its leader or a deputy chose to show on the community's sub-platform."""
    return select(Activity).where(Activity.community_id == community_id, Activity.is_public)


def region_activities_statement(
    region: Region,
    kind: ActivityKind | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Select[Activity]:
    in_region = select(Community.id).where(Community.region == region)
    statement = select(Activity).where(Activity.community_id.in_(in_region))
    return _filtered(statement, Activity, kind, since, until)


def programme_activities_statement(
    kind: ActivityKind | None = None, since: dt.date | None = None, until: dt.date | None = None
) -> Select[ProgrammeActivity]:
    return _filtered(select(ProgrammeActivity), ProgrammeActivity, kind, since, until)


def attendance_statement(
    community_id: int | None, activity_id: int
) -> Select[Attendance] | Select[ProgrammeAttendance]:
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


def latest_activity_on(
    community_id: int | ColumnElement[int], today: dt.date | ColumnElement[dt.date]
) -> ScalarSelect[dt.date]:
    """The day of a community's latest activity held by `today`; `community_id` a value, or
    the column of an outer query. ORDER BY ... LIMIT 1 rather than max(): under row-level
    security PostgreSQL does not turn max() into one step down the `(community_id, held_on)`
    index, and scans the community's activities (bench/RESULTS.md)."""
    return (
        select(Activity.held_on)
        .where(Activity.community_id == community_id, Activity.held_on <= today)
        .order_by(Activity.held_on.desc())
        .limit(1)
        .scalar_subquery()
    )
