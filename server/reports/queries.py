"""Statements that read a community's reports (its own business, and its reviewers')."""

from sqlalchemy import Select, select

from server.reports.models import Report
from server.vocabulary import ReportKind


def reports_statement(
    community_id: int, kind: ReportKind | None = None, year: int | None = None
) -> Select[Report]:
    statement = select(Report).where(Report.community_id == community_id)
    if kind is not None:
        statement = statement.where(Report.kind == kind)
    if year is not None:
        statement = statement.where(Report.year == year)
    return statement
