"""Reports: submitted by the community (or a member unit), reviewed by the experts or the
project group, with what is due or overdue derived from the rules."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Guard, forbidden
from server.accounts.service import works_for
from server.audit.service import record
from server.clock import today
from server.communities.models import Community, Membership
from server.communities.service import active_membership
from server.errors import ErrorCode, UserFacingError, not_found
from server.reports import rules
from server.reports.models import Report
from server.vocabulary import MembershipStatus, ReportKind


async def submit_report(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    kind: ReportKind,
    year: int,
    half: int | None,
    unit_id: int | None,
    title: str,
    body: str,
) -> Report:
    """The community's reports by its leader or deputies; a member unit's own annual summary
    and plan by that unit's staff too."""
    actor = guard.signed_in()
    own_unit = await works_for(session, actor.user_id, unit_id)
    if not guard.allows(Permission.REPORT_SUBMIT, community_id) and not own_unit:
        raise forbidden()
    if error := rules.period_error(kind, year, half, unit_id):
        raise error
    community = await session.get(Community, community_id)
    if community is None:
        raise not_found("共同体", "community")
    start = await cooperation_start(session, community)
    if error := rules.outside_cycle_error(kind, year, half, start, community.cycle_end):
        raise error
    if not title.strip() or not body.strip():
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "请填写标题和正文", "title and body are required", "body"
        )
    if unit_id is not None:
        if await active_membership(session, community_id, unit_id) is None:
            raise UserFacingError(
                ErrorCode.NOT_FOUND, "该单位不是本共同体成员", "the unit is not a member", "unitId"
            )
    due = rules.due_on(kind, year, half)
    submitted = today()
    report = Report(
        community_id=community_id,
        kind=kind,
        year=year,
        half=half,
        unit_id=unit_id,
        title=title.strip(),
        body=body.strip(),
        due_on=due,
        submitted_on=submitted,
        late=rules.late(due, submitted),
        submitted_by=actor.user_id,
    )
    try:
        async with session.begin_nested():
            session.add(report)
            await session.flush()
    except IntegrityError:
        raise UserFacingError(
            ErrorCode.DUPLICATE,
            "该期报告已提交",
            "a report for this period has already been submitted",
            "year",
        ) from None
    await record(
        session,
        actor_user_id=actor.user_id,
        action="report.submit",
        target_type="Report",
        target_id=report.id,
        community_id=community_id,
        after={"kind": kind.value, "year": year, "half": half, "late": report.late},
    )
    return report


async def cooperation_start(session: AsyncSession, community: Community) -> dt.date:
    """When the community's first cycle began. A renewal moves `cycle_start` on; the founding
    members joined on the first cycle's start, and memberships are never deleted."""
    first_joined = await session.scalar(
        select(func.min(Membership.joined_on)).where(Membership.community_id == community.id)
    )
    return min(community.cycle_start, first_joined or community.cycle_start)


async def review_report(
    session: AsyncSession, guard: Guard, community_id: int, report_id: int, comment: str
) -> Report:
    """Semi-annual reports go to the experts (Art. 18(4)): an assigned expert or the project
    group comments; the others go to the project group (Art. 18(5), 19(3))."""
    guard.require(
        Permission.TENANT_READ, community_id
    )  # outsiders learn nothing, not even existence
    report = await session.get(Report, (community_id, report_id))
    if report is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "报告不存在", "no such report", "reportId")
    reviewing = (
        Permission.REPORT_SEMI_ANNUAL_REVIEW
        if report.kind is ReportKind.SEMI_ANNUAL
        else Permission.REPORT_REVIEW
    )
    actor = guard.require(reviewing, community_id)
    if not comment.strip():
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "请填写审阅意见", "a comment is required", "comment"
        )
    report.review_comment = comment.strip()
    report.reviewed_by = actor.user_id
    report.reviewed_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="report.review",
        target_type="Report",
        target_id=report.id,
        community_id=community_id,
        after={"comment": report.review_comment},
    )
    return report


@dataclass(frozen=True)
class Due:
    owed: rules.Owed
    report: Report | None

    @property
    def overdue(self) -> bool:
        return self.report is None and self.owed.due_on < today()


async def reports_due(session: AsyncSession, community: Community, until: dt.date) -> list[Due]:
    """Every report the community (and each active member) owes from its cycle's start until
    `until`, with the report when it has been submitted."""
    submitted = {
        (r.kind, r.year, r.half, r.unit_id): r
        for r in (
            await session.scalars(select(Report).where(Report.community_id == community.id))
        ).all()
    }
    members = (
        await session.scalars(
            select(Membership.unit_id).where(
                Membership.community_id == community.id,
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
    ).all()
    return [
        Due(o, submitted.get(o.key))
        for o in rules.owed(community.cycle_start, members, until, community.cycle_end)
    ]
