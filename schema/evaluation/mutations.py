import datetime as dt

import strawberry

from policies.permissions import Permission
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import Attempt, mutation
from schema.evaluation.types import EvaluationRound, Nomination, ReviewAssignment
from server.errors import AccessError, ErrorCode, UserFacingError
from server.evaluation import service
from server.evaluation.rules import MOST_CRITERIA
from server.vocabulary import AchievementKind


@strawberry.input
class CriterionInput:
    name: str
    weight: int = strawberry.field(description="1-100")


@strawberry.input
class OpenEvaluationRoundInput:
    title: str
    year: int
    kinds: list[AchievementKind] = strawberry.field(description="the achievement kinds it takes")
    closes_on: dt.date = strawberry.field(
        description="the last day nominations are taken: today or later"
    )
    criteria: list[CriterionInput] = strawberry.field(
        description=f"1-{MOST_CRITERIA} criteria with distinct names, each weighted 1-100"
    )


@strawberry.input
class NominateInput:
    round_id: strawberry.ID
    achievement_id: strawberry.ID


@strawberry.input
class AssignReviewerInput:
    nomination_id: strawberry.ID
    expert_user_id: strawberry.ID


@strawberry.input
class DeclareConflictInput:
    assignment_id: strawberry.ID
    reason: str = limited(WRITTEN)


@strawberry.input
class ScoreInput:
    criterion: str
    score: int = strawberry.field(description="0-100")


@strawberry.input
class SubmitReviewInput:
    assignment_id: strawberry.ID
    scores: list[ScoreInput] = strawberry.field(description="one per criterion of the round")
    comment: str = limited(WRITTEN)


@strawberry.input
class CloseEvaluationRoundInput:
    round_id: strawberry.ID


@strawberry.type
class EvaluationRoundPayload:
    round: EvaluationRound | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class NominationPayload:
    nomination: Nomination | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class ReviewAssignmentPayload:
    assignment: ReviewAssignment | None = None
    errors: list[UserError] = refusals()


def _decoded(global_id: str, type_name: str, arity: int, error: UserFacingError) -> tuple[int, ...]:
    """The keys of an id of `type_name`; a malformed or other id names none (`error`)."""
    try:
        return ids.decode_as(global_id, type_name, arity)
    except AccessError:
        raise error from None


def _not_found(zh: str, en: str, field: str) -> UserFacingError:
    return UserFacingError(ErrorCode.NOT_FOUND, zh, en, field)


NO_ROUND = ("评审不存在", "no such evaluation round", "roundId")
NO_ASSIGNMENT = ("评审任务不存在", "no such review assignment", "assignmentId")


@strawberry.type
class EvaluationMutations:
    @mutation(
        Permission.EVALUATION_ROUND_OPEN,
        description="Project group: opens an evaluation round (评审, Art. 17(4)) of a year for "
        "some achievement kinds, taking nominations until `closesOn`, scored 0-100 on 1-10 "
        "criteria weighted 1-100. A blank title, no kind, a past `closesOn`, or criteria "
        "out of those bounds (or with the same name twice) are INVALID_INPUT.",
    )
    async def open_evaluation_round(
        self, attempt: Attempt, input: OpenEvaluationRoundInput
    ) -> EvaluationRoundPayload:
        async with attempt.transaction() as session:
            opened = await service.open_round(
                session,
                attempt.guard,
                input.title,
                input.year,
                input.kinds,
                input.closes_on,
                [(c.name, c.weight) for c in input.criteria],
            )
        return EvaluationRoundPayload(round=EvaluationRound.of(opened))

    @mutation(
        Permission.NOMINATION_WRITE,
        description="Leader, deputy or project group: nominates one of the community's "
        "achievements to an open round, by its closing day. A kind the round does not take "
        "is INVALID_INPUT; the same achievement twice DUPLICATE; a closed round or a day "
        "after `closesOn` INVALID_TRANSITION; another community's achievement NOT_FOUND.",
    )
    async def nominate(self, attempt: Attempt, input: NominateInput) -> NominationPayload:
        (round_id,) = _decoded(input.round_id, "EvaluationRound", 1, _not_found(*NO_ROUND))
        community_id, achievement_id = _decoded(
            input.achievement_id,
            "Achievement",
            2,
            _not_found("成果不存在", "no such achievement", "achievementId"),
        )
        await attempt.context.refuse_other_tenant(community_id)
        async with attempt.transaction(community_id) as session:
            nomination = await service.nominate(
                session, attempt.guard, round_id, community_id, achievement_id
            )
        return NominationPayload(nomination=Nomination.of(nomination))

    @mutation(
        Permission.REVIEWER_ASSIGN,
        description="Project group: assigns an expert to review a nomination of an open round; "
        "the expert is notified. CONFLICT_OF_INTEREST when the expert works for the "
        "achievement's unit or a member unit of its community, guides its community, or "
        "declared a conflict on it; DUPLICATE when already assigned; INVALID_INPUT when the "
        "user is no active expert.",
    )
    async def assign_reviewer(
        self, attempt: Attempt, input: AssignReviewerInput
    ) -> ReviewAssignmentPayload:
        community_id, nomination_id = _decoded(
            input.nomination_id,
            "Nomination",
            2,
            _not_found("推荐不存在", "no such nomination", "nominationId"),
        )
        (expert_user_id,) = _decoded(
            input.expert_user_id,
            "User",
            1,
            _not_found("用户不存在", "no such user", "expertUserId"),
        )
        await attempt.context.refuse_other_tenant(community_id)
        async with attempt.transaction(community_id) as session:
            assignment = await service.assign_reviewer(
                session, attempt.guard, community_id, nomination_id, expert_user_id
            )
        return ReviewAssignmentPayload(assignment=ReviewAssignment.of(assignment))

    @mutation(
        Permission.ACHIEVEMENT_REVIEW,
        description="The assigned expert: declares a conflict of interest (回避) with a reason, "
        "before submitting the review; the project group may assign another expert. "
        "INVALID_TRANSITION once submitted or when the round is closed.",
    )
    async def declare_conflict(
        self, attempt: Attempt, input: DeclareConflictInput
    ) -> ReviewAssignmentPayload:
        community_id, assignment_id = _decoded(
            input.assignment_id, "ReviewAssignment", 2, _not_found(*NO_ASSIGNMENT)
        )
        async with attempt.transaction(community_id) as session:
            assignment = await service.declare_conflict(
                session, attempt.guard, community_id, assignment_id, input.reason
            )
        return ReviewAssignmentPayload(assignment=ReviewAssignment.of(assignment))

    @mutation(
        Permission.ACHIEVEMENT_REVIEW,
        description="The assigned expert: scores every criterion of the round (0-100) with a "
        "comment; submitting again replaces the review while the round is open. A missing, "
        "unknown or repeated criterion, a score out of 0-100 or a blank comment are "
        "INVALID_INPUT; another expert's assignment NOT_FOUND; a closed round or a declared "
        "conflict INVALID_TRANSITION.",
    )
    async def submit_review(
        self, attempt: Attempt, input: SubmitReviewInput
    ) -> ReviewAssignmentPayload:
        community_id, assignment_id = _decoded(
            input.assignment_id, "ReviewAssignment", 2, _not_found(*NO_ASSIGNMENT)
        )
        async with attempt.transaction(community_id) as session:
            assignment = await service.submit_review(
                session,
                attempt.guard,
                community_id,
                assignment_id,
                [(s.criterion, s.score) for s in input.scores],
                input.comment,
            )
        return ReviewAssignmentPayload(assignment=ReviewAssignment.of(assignment))

    @mutation(
        Permission.EVALUATION_ROUND_CLOSE,
        description="Project group: closes an open round into its ranking (`ranking`): each "
        "nomination with a submitted review gets the mean of its reviewers' weighted scores, "
        "their spread and its rank; reviews not submitted by then do not count. Closing "
        "twice is INVALID_TRANSITION.",
    )
    async def close_evaluation_round(
        self, attempt: Attempt, input: CloseEvaluationRoundInput
    ) -> EvaluationRoundPayload:
        (round_id,) = _decoded(input.round_id, "EvaluationRound", 1, _not_found(*NO_ROUND))
        async with attempt.transaction(all_communities=True) as session:
            closed = await service.close_round(session, attempt.guard, round_id)
        return EvaluationRoundPayload(round=EvaluationRound.of(closed))
