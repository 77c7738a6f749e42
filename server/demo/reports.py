"""A demo community's reports: every one owed by yesterday (Art. 18(4), 18(5), 19(3), as
`server/reports/rules.py` counts them) submitted a few days before it was due, its semi-annual
reports reviewed three weeks after, the latest one still with the experts; but where the
data set says the community missed its latest semi-annual report, that one is not in."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from server.communities.models import Community
from server.reports import rules
from server.reports.models import Report
from server.units.models import Unit
from server.vocabulary import ReportKind

SUBMITTED_BEFORE_DUE = dt.timedelta(days=5)
REVIEWED_AFTER_DUE = dt.timedelta(days=21)


def _title(community: Community, owed: rules.Owed, unit: Unit | None) -> str:
    half = {1: "上半年", 2: "下半年", None: ""}[owed.half]
    return f"{unit.name if unit else community.name} {owed.year} 年{half}{owed.kind.zh}"


async def file_reports(
    session: AsyncSession,
    community: Community,
    units: Sequence[Unit],
    submitted_by: int,
    reviewed_by: int,
    misses_semi_annual: bool,
    today: dt.date,
) -> int:
    """Returns how many reports were filed."""
    by_id = {u.id: u for u in units}
    yesterday = today - dt.timedelta(days=1)
    owed = rules.owed(community.cycle_start, by_id, yesterday, community.cycle_end)
    semi_annual = [o for o in owed if o.kind is ReportKind.SEMI_ANNUAL]
    missed = semi_annual.pop() if misses_semi_annual and semi_annual else None
    awaiting = semi_annual[-1] if semi_annual else None  # the latest in, not yet reviewed
    filed = 0
    for o in owed:
        if o == missed:
            continue
        unit = by_id.get(o.unit_id) if o.unit_id is not None else None
        review = o.kind is ReportKind.SEMI_ANNUAL and o != awaiting
        reviewed_at = dt.datetime.combine(o.due_on + REVIEWED_AFTER_DUE, dt.time(10), dt.UTC)
        review &= reviewed_at.date() < today
        session.add(
            Report(
                community_id=community.id,
                kind=o.kind,
                year=o.year,
                half=o.half,
                unit_id=o.unit_id,
                title=_title(community, o, unit),
                body=f"{_title(community, o, unit)}：按计划开展活动，成员单位参与良好。",
                due_on=o.due_on,
                submitted_on=o.due_on - SUBMITTED_BEFORE_DUE,
                late=False,
                submitted_by=submitted_by if unit is None else None,
                review_comment="内容翔实，请继续推进联合课题研究。" if review else None,
                reviewed_by=reviewed_by if review else None,
                reviewed_at=reviewed_at if review else None,
            )
        )
        filed += 1
    await session.flush()
    return filed
