"""Statements that read recognitions: all public (the verification page shows any to anyone).
`chosen_brands` is the one count of a year's national brands, for the grant that refuses a
sixth and for the audit that finds fewer than three."""

from sqlalchemy import ColumnElement, Integer, Select, func, select

from server.recognition.models import Recognition
from server.vocabulary import RecognitionKind


def in_force() -> ColumnElement[bool]:
    """Granted and not revoked."""
    return Recognition.revoked_at.is_(None)


def chosen_brands() -> Select[int, int]:
    """Each year's national brands in force (Art. 6(5)): (year, count)."""
    return (
        select(Recognition.year, func.count().cast(Integer))
        .where(Recognition.kind == RecognitionKind.NATIONAL_BRAND, in_force())
        .group_by(Recognition.year)
    )


def recognitions_statement(
    year: int | None = None, kind: RecognitionKind | None = None
) -> Select[Recognition]:
    """Every recognition, revoked ones too (the register keeps them), filtered."""
    statement = select(Recognition)
    if year is not None:
        statement = statement.where(Recognition.year == year)
    if kind is not None:
        statement = statement.where(Recognition.kind == kind)
    return statement


def community_recognitions_statement(community_id: int) -> Select[Recognition]:
    """A community's honours in force: its own and its achievements' (its sub-platform's 荣誉)."""
    return select(Recognition).where(Recognition.community_id == community_id, in_force())
