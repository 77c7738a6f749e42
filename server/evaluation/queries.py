"""Statements that read evaluation rounds, their nominations, and an expert's review queue."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date, Select, String, cast, false, func, literal, select, union_all

from server.clock import PROGRAMME_TIMEZONE
from server.evaluation.models import EvaluationRound, Nomination, ReviewAssignment
from server.reports.models import Report
from server.vocabulary import (
    AssignmentStatus,
    ReportKind,
    ReviewTaskKind,
    RoundStatus,
)


def rounds_statement(year: int | None = None, status: RoundStatus | None = None) -> Select[Any]:
    statement = select(EvaluationRound)
    if year is not None:
        statement = statement.where(EvaluationRound.year == year)
    if status is not None:
        statement = statement.where(EvaluationRound.status == status)
    return statement


def round_nominations_statement(round_id: int, communities: Sequence[int] | None) -> Select[Any]:
    """A round's nominations: every community's (`communities` None), or those of the given
    communities only."""
    statement = select(Nomination).where(Nomination.round_id == round_id)
    if communities is not None:
        statement = statement.where(
            Nomination.community_id.in_(list(communities)) if communities else false()
        )
    return statement


def review_queue_statement(expert_user_id: int, guided: Sequence[int]) -> Select[Any]:
    """What waits for one expert, oldest first, numbered (`key`) for paging: the semi-annual
    reports of the communities it guides that nobody has reviewed yet (Art. 18(4)), and the
    nominated achievements assigned to it in open rounds, not yet scored (17(4)). Read in
    the all-communities scope."""
    reports = select(
        literal(ReviewTaskKind.REPORT.value, String).label("kind"),
        Report.community_id.label("community_id"),
        Report.id.label("id"),
        Report.submitted_on.label("since"),
    ).where(
        Report.kind == ReportKind.SEMI_ANNUAL,
        Report.reviewed_at.is_(None),
        Report.community_id.in_(list(guided)) if guided else false(),
    )
    assigned_on = cast(func.timezone(str(PROGRAMME_TIMEZONE), ReviewAssignment.created_at), Date)
    assignments = (
        select(
            literal(ReviewTaskKind.ACHIEVEMENT.value, String).label("kind"),
            ReviewAssignment.community_id.label("community_id"),
            ReviewAssignment.id.label("id"),
            assigned_on.label("since"),
        )
        .join(
            Nomination,
            (Nomination.community_id == ReviewAssignment.community_id)
            & (Nomination.id == ReviewAssignment.nomination_id),
        )
        .join(EvaluationRound, EvaluationRound.id == Nomination.round_id)
        .where(
            ReviewAssignment.expert_user_id == expert_user_id,
            ReviewAssignment.status == AssignmentStatus.ASSIGNED,
            EvaluationRound.status == RoundStatus.OPEN,
        )
    )
    waiting = union_all(reports, assignments).subquery()
    order = (waiting.c.since, waiting.c.kind, waiting.c.community_id, waiting.c.id)
    return select(waiting, func.row_number().over(order_by=order).label("key"))
