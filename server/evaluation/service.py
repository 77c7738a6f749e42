"""Evaluation rounds (评审, Art. 17(4), 6b): the project group opens a round with its criteria
and weights, the communities nominate their achievements, the project group assigns experts
(a derived conflict of interest refused), each expert scores every criterion with a comment
or declares a conflict, and the project group closes the round into a ranking."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.enforcer import EXPERT, EXPERT_ASSIGNED
from policies.permissions import Permission
from server.access.guard import Guard
from server.accounts.models import User
from server.accounts.service import subject
from server.achievements.models import Achievement
from server.audit.service import record
from server.clock import today
from server.communities.models import Community, Membership
from server.errors import ErrorCode, UserFacingError
from server.evaluation import rules
from server.evaluation.models import EvaluationRound, Nomination, ReviewAssignment
from server.notifications.service import notify
from server.research.rules import required, year_error
from server.units.models import Unit
from server.vocabulary import AchievementKind, AssignmentStatus, MembershipStatus, RoundStatus


def _no_round() -> UserFacingError:
    return UserFacingError(ErrorCode.NOT_FOUND, "评审不存在", "no such evaluation round", "roundId")


def _no_nomination() -> UserFacingError:
    return UserFacingError(ErrorCode.NOT_FOUND, "推荐不存在", "no such nomination", "nominationId")


def _no_assignment() -> UserFacingError:
    return UserFacingError(
        ErrorCode.NOT_FOUND, "评审任务不存在", "no such review assignment", "assignmentId"
    )


async def open_round(
    session: AsyncSession,
    guard: Guard,
    title: str,
    year: int,
    kinds: Sequence[AchievementKind],
    closes_on: dt.date,
    criteria: Sequence[tuple[str, int]],
) -> EvaluationRound:
    """A round of one year for some kinds of achievement, taking nominations until
    `closes_on`, scored on weighted criteria."""
    actor = guard.require(Permission.EVALUATION_ROUND_OPEN)
    written = required(title, "title", "请填写评审名称", "a title is required")
    if error := year_error(year):
        raise error
    if not kinds:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "请选择参评成果类别", "choose the kinds it takes", "kinds"
        )
    if error := rules.criteria_error(criteria) or rules.closes_on_error(closes_on, today()):
        raise error
    evaluation_round = EvaluationRound(
        title=written,
        year=year,
        kinds=[kind.value for kind in dict.fromkeys(kinds)],
        closes_on=closes_on,
        criteria=[{"name": name.strip(), "weight": weight} for name, weight in criteria],
        status=RoundStatus.OPEN,
        opened_by=actor.user_id,
    )
    session.add(evaluation_round)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="evaluation_round.open",
        target_type="EvaluationRound",
        target_id=evaluation_round.id,
        after={
            "title": written,
            "year": year,
            "kinds": evaluation_round.kinds,
            "closes_on": closes_on.isoformat(),
            "criteria": evaluation_round.criteria,
        },
    )
    return evaluation_round


async def _round(
    session: AsyncSession, round_id: int, *, exclusive: bool = False
) -> EvaluationRound:
    """The round, locked: shared by a nomination or a review, exclusively by its closing, so
    that nothing is nominated or scored after its ranking is worked out."""
    found = await session.get(
        EvaluationRound, round_id, with_for_update=True if exclusive else {"read": True}
    )
    if found is None:
        raise _no_round()
    return found


async def nominate(
    session: AsyncSession, guard: Guard, round_id: int, community_id: int, achievement_id: int
) -> Nomination:
    """推荐: the community's leader, a deputy or the project group puts one of the community's
    achievements forward to an open round, by its closing day, once, if the round takes its
    kind."""
    actor = guard.require(Permission.NOMINATION_WRITE, community_id)
    evaluation_round = await _round(session, round_id)
    if error := rules.nominations_closed(
        evaluation_round.status, evaluation_round.closes_on, today()
    ):
        raise error
    achievement = await session.get(Achievement, (community_id, achievement_id))
    if achievement is None:
        raise UserFacingError(
            ErrorCode.NOT_FOUND, "成果不存在", "no such achievement", "achievementId"
        )
    if achievement.kind.value not in evaluation_round.kinds:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"本轮评审不受理{achievement.kind.zh}类成果",
            f"the round does not take {achievement.kind.en.lower()}s",
            "achievementId",
        )
    twice = await session.scalar(
        select(Nomination.id).where(
            Nomination.round_id == round_id,
            Nomination.community_id == community_id,
            Nomination.achievement_id == achievement_id,
        )
    )
    if twice is not None:
        raise UserFacingError(
            ErrorCode.DUPLICATE,
            "该成果已推荐参加本轮评审",
            "the achievement is already nominated to this round",
            "achievementId",
        )
    nomination = Nomination(
        community_id=community_id,
        round_id=round_id,
        achievement_id=achievement_id,
        nominated_by=actor.user_id,
    )
    session.add(nomination)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="nomination.create",
        target_type="Nomination",
        target_id=nomination.id,
        community_id=community_id,
        after={"round_id": round_id, "achievement_id": achievement_id},
    )
    return nomination


async def _interest(
    session: AsyncSession, guard: Guard, expert: User, achievement: Achievement
) -> rules.Interest:
    members = await session.scalars(
        select(Membership.unit_id).where(
            Membership.community_id == achievement.community_id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )
    return rules.Interest(
        expert_unit_id=expert.unit_id,
        achievement_unit_id=achievement.unit_id,
        community_unit_ids=frozenset(members),
        guides_community=guard.policy.holds(
            subject(expert.id), EXPERT_ASSIGNED, str(achievement.community_id)
        ),
    )


async def assign_reviewer(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    nomination_id: int,
    expert_user_id: int,
) -> ReviewAssignment:
    """The project group assigns an expert to review a nomination of an open round; a derived
    conflict of interest (`rules.conflict_error`) or one the expert declared on it before is
    CONFLICT_OF_INTEREST. The expert is told."""
    actor = guard.require(Permission.REVIEWER_ASSIGN)
    nomination = await session.get(Nomination, (community_id, nomination_id))
    if nomination is None:
        raise _no_nomination()
    evaluation_round = await _round(session, nomination.round_id)
    if error := rules.round_closed(evaluation_round.status, "nominationId"):
        raise error
    expert = await session.get(User, expert_user_id)
    if expert is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "用户不存在", "no such user", "expertUserId")
    if not expert.is_active or not guard.policy.holds(subject(expert.id), EXPERT):
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            "该用户不是在任专家",
            "the user is not an active expert",
            "expertUserId",
        )
    achievement = await session.get_one(Achievement, (community_id, nomination.achievement_id))
    if error := rules.conflict_error(await _interest(session, guard, expert, achievement)):
        raise error
    before = (
        await session.scalars(
            select(ReviewAssignment).where(
                ReviewAssignment.community_id == community_id,
                ReviewAssignment.nomination_id == nomination_id,
                ReviewAssignment.expert_user_id == expert_user_id,
            )
        )
    ).one_or_none()
    if before is not None and before.status is AssignmentStatus.CONFLICT_DECLARED:
        raise UserFacingError(
            ErrorCode.CONFLICT_OF_INTEREST,
            "该专家已对此成果申请回避",
            "the expert declared a conflict of interest on this achievement",
            "expertUserId",
        )
    if before is not None:
        raise UserFacingError(
            ErrorCode.DUPLICATE,
            "该专家已受邀评审此成果",
            "the expert already reviews this nomination",
            "expertUserId",
        )
    assignment = ReviewAssignment(
        community_id=community_id,
        nomination_id=nomination_id,
        expert_user_id=expert_user_id,
        status=AssignmentStatus.ASSIGNED,
        assigned_by=actor.user_id,
    )
    session.add(assignment)
    await session.flush()
    await notify(
        session,
        [expert_user_id],
        "evaluation.assigned",
        f"新的成果评审：《{achievement.title}》",
        f"您受邀参加“{evaluation_round.title}”，请评审成果《{achievement.title}》。",
    )
    await record(
        session,
        actor_user_id=actor.user_id,
        action="review_assignment.create",
        target_type="ReviewAssignment",
        target_id=assignment.id,
        community_id=community_id,
        after={"nomination_id": nomination_id, "expert_user_id": expert_user_id},
    )
    return assignment


async def _own_assignment(
    session: AsyncSession, guard: Guard, community_id: int, assignment_id: int
) -> tuple[ReviewAssignment, EvaluationRound]:
    """The expert's own assignment and its round, while the round is open; anybody else's is
    NOT_FOUND, as if it did not exist."""
    actor = guard.require(Permission.ACHIEVEMENT_REVIEW)
    assignment = await session.get(
        ReviewAssignment, (community_id, assignment_id), with_for_update=True
    )
    if assignment is None or assignment.expert_user_id != actor.user_id:
        raise _no_assignment()
    nomination = await session.get_one(Nomination, (community_id, assignment.nomination_id))
    evaluation_round = await _round(session, nomination.round_id)
    if error := rules.round_closed(evaluation_round.status, "assignmentId"):
        raise error
    if assignment.status is AssignmentStatus.CONFLICT_DECLARED:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            "您已对此成果申请回避",
            "you declared a conflict of interest on it",
            "assignmentId",
        )
    return assignment, evaluation_round


async def declare_conflict(
    session: AsyncSession, guard: Guard, community_id: int, assignment_id: int, reason: str
) -> ReviewAssignment:
    """回避: the assigned expert declines a review they have a conflict of interest in, with a
    written reason, before submitting it; the project group may assign another."""
    assignment, _ = await _own_assignment(session, guard, community_id, assignment_id)
    written = required(reason, "reason", "请填写回避理由", "a reason is required")
    if assignment.status is AssignmentStatus.SUBMITTED:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            "已提交评审意见，不能再申请回避",
            "the review is already submitted",
            "assignmentId",
        )
    assignment.status = AssignmentStatus.CONFLICT_DECLARED
    assignment.conflict_reason = written
    assignment.declared_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await record(
        session,
        actor_user_id=assignment.expert_user_id,
        action="review_assignment.declare_conflict",
        target_type="ReviewAssignment",
        target_id=assignment.id,
        community_id=community_id,
        before={"status": AssignmentStatus.ASSIGNED.value},
        after={"status": assignment.status.value, "reason": written},
    )
    return assignment


async def submit_review(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    assignment_id: int,
    scores: Sequence[tuple[str, int]],
    comment: str,
) -> ReviewAssignment:
    """The assigned expert scores every criterion of the round (0-100) with a comment; a
    second submission replaces the first while the round is open."""
    assignment, evaluation_round = await _own_assignment(
        session, guard, community_id, assignment_id
    )
    criteria = [str(criterion["name"]) for criterion in evaluation_round.criteria]
    if error := rules.scores_error(criteria, scores):
        raise error
    written = required(comment, "comment", "请填写评审意见", "a comment is required")
    before = assignment.scores
    assignment.scores = {name.strip(): score for name, score in scores}
    assignment.comment = written
    assignment.status = AssignmentStatus.SUBMITTED
    assignment.submitted_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await record(
        session,
        actor_user_id=assignment.expert_user_id,
        action="review_assignment.submit",
        target_type="ReviewAssignment",
        target_id=assignment.id,
        community_id=community_id,
        before={"scores": before},
        after={"scores": assignment.scores},
    )
    return assignment


async def close_round(session: AsyncSession, guard: Guard, round_id: int) -> EvaluationRound:
    """Closes an open round into its ranking (`rules.ranking`): every nomination with at least
    one submitted review gets its weighted score, spread and rank; reviews not submitted by
    then do not count. Runs in the all-communities scope."""
    actor = guard.require(Permission.EVALUATION_ROUND_CLOSE)
    evaluation_round = await _round(session, round_id, exclusive=True)
    if error := rules.round_closed(evaluation_round.status, "roundId"):
        raise error
    criteria = [(str(c["name"]), int(c["weight"])) for c in evaluation_round.criteria]
    nominations = {
        (n.community_id, n.id): n
        for n in await session.scalars(select(Nomination).where(Nomination.round_id == round_id))
    }
    reviewed: dict[int, list[float]] = defaultdict(list)
    keys = {n.id: key for key, n in nominations.items()}
    submitted = await session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.nomination_id.in_(list(keys)),
            ReviewAssignment.status == AssignmentStatus.SUBMITTED,
        )
    )
    for assignment in submitted:
        if assignment.scores is not None:
            reviewed[assignment.nomination_id].append(rules.weighted(assignment.scores, criteria))
    ranked = rules.ranking(reviewed)
    for entry in ranked:
        nomination = nominations[keys[entry.nomination_id]]
        nomination.weighted_score = entry.weighted_score
        nomination.spread = entry.spread
        nomination.rank = entry.rank
    evaluation_round.status = RoundStatus.CLOSED
    evaluation_round.closed_at = dt.datetime.now(dt.UTC)
    evaluation_round.closed_by = actor.user_id
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="evaluation_round.close",
        target_type="EvaluationRound",
        target_id=round_id,
        before={"status": RoundStatus.OPEN.value},
        after={
            "status": RoundStatus.CLOSED.value,
            "ranking": [[e.nomination_id, e.weighted_score, e.rank] for e in ranked],
        },
    )
    return evaluation_round


async def awarded_achievement(
    session: AsyncSession, community_id: int, achievement_id: int, year: int
) -> tuple[int, str]:
    """An achievement an award may go to (Art. 6(5): from a closed round): one ranked in a
    round of `year` that is closed. Its community and the name its certificate prints: the
    owner (its unit, or its community) and its title."""
    achievement = await session.get(Achievement, (community_id, achievement_id))
    if achievement is None:
        raise UserFacingError(
            ErrorCode.NOT_FOUND, "成果不存在", "no such achievement", "achievementId"
        )
    ranked = await session.scalar(
        select(Nomination.id)
        .join(EvaluationRound, EvaluationRound.id == Nomination.round_id)
        .where(
            Nomination.community_id == community_id,
            Nomination.achievement_id == achievement_id,
            Nomination.rank.is_not(None),
            EvaluationRound.status == RoundStatus.CLOSED,
            EvaluationRound.year == year,
        )
        .limit(1)
    )
    if ranked is None:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"该成果未在 {year} 年度已结束的评审中获得评分，不能授予成果奖",
            f"the achievement was not scored in a closed round of {year}",
            "achievementId",
        )
    if achievement.unit_id is not None:
        owner = (await session.get_one(Unit, achievement.unit_id)).name
    else:
        owner = (await session.get_one(Community, community_id)).name
    return community_id, f"{owner}《{achievement.title}》"[:200]
