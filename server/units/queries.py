"""Statements that read units (the published list of experiment sites is public)."""

from sqlalchemy import Select, func, select

from server.units.models import ExitRecord, Unit
from server.vocabulary import ExitScope, Level, SiteStatus


def units_statement(
    level: Level | None = None,
    province: str | None = None,
    status: SiteStatus | None = None,
    search: str | None = None,
) -> Select[Unit]:
    statement = select(Unit)
    if level is not None:
        statement = statement.where(Unit.level == level)
    if province is not None:
        statement = statement.where(Unit.province == province)
    if status is not None:
        statement = statement.where(Unit.site_status == status)
    if search is not None:
        # Escaped in SQL, so that `search` may be a bound parameter (a statement built once):
        # its % and _ match themselves. An empty search matches every unit.
        literal = func.replace(
            func.replace(func.replace(search, "\\", "\\\\"), "%", "\\%"), "_", "\\_"
        )
        statement = statement.where(
            Unit.name.ilike("%" + literal + "%", escape="\\")
            | Unit.division_code.like(literal + "%", escape="\\")
        )
    return statement


def exits_statement(
    scope: ExitScope | None = None,
    community_id: int | None = None,
    unit_id: int | None = None,
) -> Select[ExitRecord]:
    """The exit list (Art. 8(2), 12), published like the list of sites."""
    statement = select(ExitRecord)
    if scope is not None:
        statement = statement.where(ExitRecord.scope == scope)
    if community_id is not None:
        statement = statement.where(ExitRecord.community_id == community_id)
    if unit_id is not None:
        statement = statement.where(ExitRecord.unit_id == unit_id)
    return statement
