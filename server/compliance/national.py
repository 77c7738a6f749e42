"""The whole programme's standing against the regulation, for the project group: open
findings counted by SQL aggregates (GROUP BY) over every community at once, never row by row
in Python, so the national dashboard reads the whole country in a few statements.

Read with every community in scope (`all_communities=True`): row-level security shows none
otherwise. Waived and resolved findings are not open; the programme's own findings (no
community) are counted apart, from their own table."""

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    any_,
    cast,
    exists,
    func,
    literal,
    select,
    union_all,
)

from server.communities.models import Community
from server.compliance.models import Finding, ProgrammeFinding
from server.vocabulary import FindingStatus, Severity


def _open_count(severity: Severity | None = None) -> ColumnElement[int]:
    """Open findings of a group, of one severity or all."""
    opened = Finding.status == FindingStatus.OPEN
    if severity is not None:
        opened = and_(opened, Finding.severity == severity)
    return func.count().filter(opened)


# What `open_findings_counted` counts by: (dimension, table, column); a community's region
# and level through its community, the programme's own findings apart ("programme-...").
DIMENSIONS = (
    ("severity", "finding", "severity"),
    ("article", "finding", "article"),
    ("rule", "finding", "rule"),
    ("region", "community", "region"),
    ("level", "community", "level"),
    ("programme-severity", "programme", "severity"),
    ("programme-article", "programme", "article"),
    ("programme-rule", "programme", "rule"),
)


def open_findings_counted() -> Select[Any]:
    """Every open finding counted per value of each of `DIMENSIONS`, in one statement (a
    GROUP BY for each, their rows together): (dimension, value, count)."""
    counts: list[Select[str, str, int]] = []
    for dimension, table, column in DIMENSIONS:
        if table == "programme":
            grouped = ProgrammeFinding.__table__.c[column]
            opened = ProgrammeFinding.status == FindingStatus.OPEN
            source: Any = ProgrammeFinding
        else:
            grouped = (Finding if table == "finding" else Community).__table__.c[column]
            opened = Finding.status == FindingStatus.OPEN
            source = Finding
        statement = select(literal(dimension), cast(grouped, String), func.count()).select_from(
            source
        )
        if table == "community":
            statement = statement.join(Community, Community.id == Finding.community_id)
        counts.append(statement.where(opened).group_by(grouped))
    return select(union_all(*counts).subquery("counted"))


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
