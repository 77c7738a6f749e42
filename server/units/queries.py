"""Statements that read units (the published list of experiment sites is public)."""

from sqlalchemy import Select, select

from server.units.models import Unit
from server.vocabulary import Level, SiteStatus


def units_statement(
    level: Level | None = None,
    province: str | None = None,
    status: SiteStatus | None = None,
    search: str | None = None,
) -> Select[tuple[Unit]]:
    statement = select(Unit)
    if level is not None:
        statement = statement.where(Unit.level == level)
    if province is not None:
        statement = statement.where(Unit.province == province)
    if status is not None:
        statement = statement.where(Unit.site_status == status)
    if search:
        statement = statement.where(
            Unit.name.icontains(search, autoescape=True)
            | Unit.division_code.startswith(search, autoescape=True)
        )
    return statement
