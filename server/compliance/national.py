"""The whole programme's standing against the regulation, for the project group: open
findings counted by SQL aggregates (GROUP BY) over every community at once, never row by row
in Python, so the national dashboard reads the whole country in a few statements.

Read with every community in scope (`all_communities=True`): row-level security shows none
otherwise. Waived and resolved findings are not open; the programme's own findings (no
community) are counted apart, from their own table."""

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, any_, exists, func, select

from server.communities.models import Community
from server.compliance.models import Finding, ProgrammeFinding
from server.vocabulary import FindingStatus, Severity


def _open_count(severity: Severity | None = None) -> ColumnElement[int]:
    """Open findings of a group, of one severity or all."""
    opened = Finding.status == FindingStatus.OPEN
    if severity is not None:
        opened = and_(opened, Finding.severity == severity)
    return func.count().filter(opened)


def open_findings() -> Select[int]:
    return select(func.count()).where(Finding.status == FindingStatus.OPEN)


# `Any`: the key a figure groups by (a severity, a rule, an article), each its own type.
def open_findings_by(column: str) -> Select[Any, int]:
    """The communities' open findings per value of one of their columns (`severity`,
    `article`, `rule`)."""
    grouped = Finding.__table__.c[column]
    return (
        select(grouped, func.count()).where(Finding.status == FindingStatus.OPEN).group_by(grouped)
    )


def open_findings_by_community(column: str) -> Select[Any, int]:
    """The communities' open findings per value of their community's column (`region`,
    `level`)."""
    grouped = Community.__table__.c[column]
    return (
        select(grouped, func.count())
        .select_from(Finding)
        .join(Community, Community.id == Finding.community_id)
        .where(Finding.status == FindingStatus.OPEN)
        .group_by(grouped)
    )


def programme_findings_by(column: str) -> Select[Any, int]:
    """The programme's own open findings per value of one of their columns."""
    grouped = ProgrammeFinding.__table__.c[column]
    return (
        select(grouped, func.count())
        .where(ProgrammeFinding.status == FindingStatus.OPEN)
        .group_by(grouped)
    )


def communities_counted() -> Select[int, int]:
    """Every community, and those with no open error (Art. 20: an error is a breach)."""
    erring = exists().where(
        Finding.community_id == Community.id,
        Finding.status == FindingStatus.OPEN,
        Finding.severity == Severity.ERROR,
    )
    return select(func.count(), func.count().filter(~erring)).select_from(Community)


def standings(among: ColumnElement[Any]) -> Select[int, int, int, int, int]:
    """Per community of `among` (an array parameter: one SQL text for any batch) with any
    unresolved finding: open errors, warnings, notices, and waived findings. A community
    absent has none."""
    return (
        select(
            Finding.community_id,
            _open_count(Severity.ERROR).label("errors"),
            _open_count(Severity.WARNING).label("warnings"),
            _open_count(Severity.NOTICE).label("notices"),
            func.count().filter(Finding.status == FindingStatus.WAIVED).label("waived"),
        )
        .where(Finding.community_id == any_(among), Finding.status != FindingStatus.RESOLVED)
        .group_by(Finding.community_id)
    )


def worst_communities(first: int) -> Select[Any]:
    """The `first` communities with most open errors, then warnings (a tie by name), each
    with its open counts; a community with neither is not among them."""
    counted = (
        select(
            Finding.community_id,
            _open_count(Severity.ERROR).label("errors"),
            _open_count(Severity.WARNING).label("warnings"),
            _open_count(Severity.NOTICE).label("notices"),
        )
        .where(Finding.status == FindingStatus.OPEN)
        .group_by(Finding.community_id)
        .subquery("counted")
    )
    return (
        select(
            Community.slug,
            Community.name,
            Community.region,
            Community.level,
            counted.c.errors,
            counted.c.warnings,
            counted.c.notices,
        )
        .join(counted, counted.c.community_id == Community.id)
        .where((counted.c.errors + counted.c.warnings) > 0)
        .order_by(counted.c.errors.desc(), counted.c.warnings.desc(), Community.name, Community.id)
        .limit(first)
    )
