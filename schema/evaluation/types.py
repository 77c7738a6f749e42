import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

import strawberry
from sqlalchemy import select

from policies.enforcer import EXPERT
from policies.permissions import Permission
from schema.achievements.types import Achievement
from schema.core import ids
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.pagination import Connection, paginate
from schema.core.projection import label, related
from schema.recognition.types import Recognition
from schema.reports.types import Report
from server.access.guard import Guard
from server.accounts.models import User
from server.achievements import models as achievement_models
from server.achievements.rules import may_read
from server.evaluation import models
from server.evaluation.queries import round_nominations_statement
from server.recognition import models as recognition_models
from server.vocabulary import (
    AchievementKind,
    AssignmentStatus,
    RecognitionKind,
    ReviewTaskKind,
    RoundStatus,
)

if TYPE_CHECKING:
    # Its module imports this one: strawberry reads it lazily, the type checker directly.
    from schema.communities.types import Community
else:
    Community = Annotated["Community", strawberry.lazy("schema.communities.types")]


def is_expert(guard: Guard) -> bool:
    return guard.actor is not None and guard.policy.holds(guard.actor.subject, EXPERT)


def sees_every_nomination(guard: Guard) -> bool:
    """The project group and the experts read every community's nominations of a round and,
    once it is closed, the whole ranking; anyone else those of the communities they read."""
    return guard.is_project_group or is_expert(guard)


@strawberry.type(description="评审指标: one criterion of a round and its weight.")
class Criterion:
    name: str
    weight: int


@strawberry.type(description="One criterion's score (0-100) in a review.")
class CriterionScore:
    criterion: str
    score: int


@strawberry.type(
    description="评审: a round in which experts score the achievements the communities nominate "
    "(Art. 17(4)), by weighted criteria, closed into a ranking. Public, but for its "
    "nominations and ranking."
)
class EvaluationRound(Node):
    id: strawberry.ID
    title: str
    year: int
    closes_on: dt.date = strawberry.field(description="the last day nominations are taken")
    status: RoundStatus
    status_label: str = label("status", RoundStatus)
    created_at: dt.datetime = strawberry.field(description="when it was opened")
    closed_at: dt.datetime | None
    db_id: strawberry.Private[int]
    kind_values: strawberry.Private[list[str]]
    criteria_given: strawberry.Private[list[dict[str, Any]]]

    @classmethod
    def of(cls, row: models.EvaluationRound) -> "EvaluationRound":
        return cls(
            id=strawberry.ID(ids.encode("EvaluationRound", row.id)),
            title=row.title,
            year=row.year,
            closes_on=row.closes_on,
            status=row.status,
            created_at=row.created_at,
            closed_at=row.closed_at,
            db_id=row.id,
            kind_values=list(row.kinds),
            criteria_given=list(row.criteria),
        )

    @strawberry.field(description="The achievement kinds it takes.")
    def kinds(self) -> list[AchievementKind]:
        return [AchievementKind(value) for value in self.kind_values]

    @strawberry.field(description="Its criteria and weights, in the order given.")
    def criteria(self) -> list[Criterion]:
        return [Criterion(name=c["name"], weight=c["weight"]) for c in self.criteria_given]

    @strawberry.field(
        description="Its nominations, oldest first: every community's for the project group "
        "and the experts; for anyone else those of the communities they belong to."
    )
    async def nominations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["Nomination"]:
        guard = await info.context.guard()
        communities = None if sees_every_nomination(guard) else _readable(guard)
        return await paginate(
            info.context,
            round_nominations_statement(self.db_id, communities),
            models.Nomination.id,
            first,
            after,
            Nomination.of,
            all_communities=True,
        )

    @strawberry.field(
        description="Once closed: the nominations with at least one review, best first, each "
        "with its weighted score (the mean of its reviewers' weighted means) and spread "
        "(highest less lowest); equal scores share a rank. Null while open. The project "
        "group and the experts read all of it, anyone else the entries of the communities "
        "they belong to."
    )
    async def ranking(self, info: Info) -> list["RankedNomination"] | None:
        if self.status is not RoundStatus.CLOSED:
            return None
        guard = await info.context.guard()
        communities = None if sees_every_nomination(guard) else _readable(guard)
        statement = round_nominations_statement(self.db_id, communities).where(
            models.Nomination.rank.is_not(None)
        )
        async with info.context.transaction(all_communities=True) as session:
            rows = (
                await session.scalars(
                    statement.order_by(models.Nomination.rank, models.Nomination.id)
                )
            ).all()
        return [
            RankedNomination(
                rank=row.rank or 0,
                weighted_score=row.weighted_score or 0.0,
                spread=row.spread or 0.0,
                nomination=Nomination.of(row),
            )
            for row in rows
        ]


def _readable(guard: Guard) -> list[int]:
    return guard.communities(Permission.TENANT_READ)


@strawberry.type(description="One place in a closed round's ranking.")
class RankedNomination:
    rank: int
    weighted_score: float = strawberry.field(description="0-100, to two decimals")
    spread: float = strawberry.field(
        description="the highest reviewer's weighted score less the lowest's"
    )
    nomination: "Nomination"


@strawberry.type(
    description="推荐: an achievement a community put forward to an evaluation round. Read by "
    "the community, the experts and the project group."
)
class Nomination(Node):
    id: strawberry.ID
    created_at: dt.datetime = strawberry.field(description="when it was nominated")
    weighted_score: float | None = strawberry.field(description="once the round is closed")
    spread: float | None = strawberry.field(description="once the round is closed")
    rank: int | None = strawberry.field(description="once the round is closed")
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    round_id: strawberry.Private[int]
    achievement_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: models.Nomination) -> "Nomination":
        return cls(
            id=strawberry.ID(ids.encode("Nomination", row.community_id, row.id)),
            created_at=row.created_at,
            weighted_score=row.weighted_score,
            spread=row.spread,
            rank=row.rank,
            db_id=row.id,
            community_id=row.community_id,
            round_id=row.round_id,
            achievement_id=row.achievement_id,
        )

    community: Community = related("Community", "community_id", same_community=True)

    @strawberry.field(description="The round it is nominated to.")
    async def round(self, info: Info) -> EvaluationRound:
        loader = info.context.loaders.of(info.context.loaders.rows_of(models.EvaluationRound))
        return EvaluationRound.of(await loader.load(self.round_id))

    @strawberry.field(
        description="The achievement nominated: as the reader may read it, and always for "
        "the project group and the experts assigned to review it."
    )
    async def achievement(self, info: Info) -> Achievement | None:
        guard = await info.context.guard()
        async with info.context.transaction(self.community_id) as session:
            row = await session.get(
                achievement_models.Achievement, (self.community_id, self.achievement_id)
            )
            if row is None:
                return None
            if may_read(guard, row.community_id, row.visibility) or guard.is_project_group:
                return Achievement.of(row)
            reviewer = guard.actor is not None and await session.scalar(
                select(models.ReviewAssignment.id).where(
                    models.ReviewAssignment.community_id == self.community_id,
                    models.ReviewAssignment.nomination_id == self.db_id,
                    models.ReviewAssignment.expert_user_id == guard.actor.user_id,
                )
            )
        return Achievement.of(row) if reviewer else None

    @strawberry.field(
        description="The achievement award (成果奖) of the round's year its achievement holds, "
        "while in force; null before it is granted or once revoked. Public, as awards are."
    )
    async def award(self, info: Info) -> Recognition | None:
        year = (
            select(models.EvaluationRound.year)
            .where(models.EvaluationRound.id == self.round_id)
            .scalar_subquery()
        )
        async with info.context.transaction(self.community_id) as session:
            row = await session.scalar(
                select(recognition_models.Recognition).where(
                    recognition_models.Recognition.achievement_id == self.achievement_id,
                    recognition_models.Recognition.kind == RecognitionKind.ACHIEVEMENT_AWARD,
                    recognition_models.Recognition.year == year,
                    recognition_models.Recognition.revoked_at.is_(None),
                )
            )
        return Recognition.of(row) if row else None

    @strawberry.field(
        description="Its reviewers' assignments: all for the project group; for an expert "
        "assigned to it, its own and the others' (their scores once it has submitted its "
        "own); none for anyone else."
    )
    async def assignments(self, info: Info) -> list["ReviewAssignment"]:
        guard = await info.context.guard()
        if guard.actor is None:
            return []
        async with info.context.transaction(self.community_id) as session:
            rows = (
                await session.scalars(
                    select(models.ReviewAssignment)
                    .where(
                        models.ReviewAssignment.community_id == self.community_id,
                        models.ReviewAssignment.nomination_id == self.db_id,
                    )
                    .order_by(models.ReviewAssignment.id)
                )
            ).all()
        mine = [r for r in rows if r.expert_user_id == guard.actor.user_id]
        if not guard.is_project_group and not mine:
            return []
        return [ReviewAssignment.of(row) for row in rows]


@strawberry.type(
    description="One expert's review of one nomination: its scores per criterion and comment, "
    "or the conflict of interest it declared (回避). Read by the project group and the "
    "nomination's reviewers; scores are blind to the other reviewers until they submit theirs."
)
class ReviewAssignment(Node):
    id: strawberry.ID
    status: AssignmentStatus
    status_label: str = label("status", AssignmentStatus)
    created_at: dt.datetime = strawberry.field(description="when the expert was assigned")
    submitted_at: dt.datetime | None
    declared_at: dt.datetime | None = strawberry.field(description="when it declared a conflict")
    conflict_reason: str | None
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    nomination_id: strawberry.Private[int]
    expert_user_id: strawberry.Private[int]
    given_scores: strawberry.Private[dict[str, int] | None]
    given_comment: strawberry.Private[str | None]

    @classmethod
    def of(cls, row: models.ReviewAssignment) -> "ReviewAssignment":
        return cls(
            id=strawberry.ID(ids.encode("ReviewAssignment", row.community_id, row.id)),
            status=row.status,
            created_at=row.created_at,
            submitted_at=row.submitted_at,
            declared_at=row.declared_at,
            conflict_reason=row.conflict_reason,
            db_id=row.id,
            community_id=row.community_id,
            nomination_id=row.nomination_id,
            expert_user_id=row.expert_user_id,
            given_scores=row.scores,
            given_comment=row.comment,
        )

    async def _visible(self, info: Info) -> bool:
        """Blind review: a fellow reviewer sees the scores once it has submitted its own."""
        mine = await _readers_assignment(
            info.context, self.community_id, self.nomination_id, self.expert_user_id
        )
        return mine == WHOLE or mine is AssignmentStatus.SUBMITTED

    @strawberry.field(description="The nomination it reviews.")
    async def nomination(self, info: Info) -> Nomination:
        async with info.context.transaction(self.community_id) as session:
            row = await session.get_one(models.Nomination, (self.community_id, self.nomination_id))
        return Nomination.of(row)

    @strawberry.field(
        description="The expert's name: for the project group and the expert itself; null "
        "for the other reviewers (blind review)."
    )
    async def expert_name(self, info: Info) -> str | None:
        guard = await info.context.guard()
        if guard.actor is None or not (
            guard.is_project_group or guard.actor.user_id == self.expert_user_id
        ):
            return None
        async with info.context.transaction() as session:
            return await session.scalar(
                select(User.display_name).where(User.id == self.expert_user_id)
            )

    @strawberry.field(description="Its scores, in the round's order; null until submitted.")
    async def scores(self, info: Info) -> list[CriterionScore] | None:
        if self.given_scores is None or not await self._visible(info):
            return None
        return [CriterionScore(criterion=k, score=v) for k, v in self.given_scores.items()]

    @strawberry.field(description="Its comment (评审意见); null until submitted.")
    async def comment(self, info: Info) -> str | None:
        if self.given_comment is None or not await self._visible(info):
            return None
        return self.given_comment


@strawberry.type(
    description="One item of an expert's review queue: a semi-annual report of a community it "
    "guides, or a nominated achievement assigned to it."
)
class ReviewTask:
    kind: ReviewTaskKind
    kind_label: str
    waiting_since: dt.date = strawberry.field(
        description="the day the report was submitted, or the expert assigned"
    )
    report: Report | None
    assignment: ReviewAssignment | None
    community_id: strawberry.Private[int]

    community: Community = related("Community", "community_id", same_community=True)


# What the reader holds on an assignment's nomination (`_readers_assignment`): WHOLE for the
# project group and the assignment's own expert, who read it whole.
WHOLE: Final = "whole"
Held = Literal["whole"] | AssignmentStatus | None


async def _readers_assignment(
    context: Context, community_id: int, nomination_id: int, expert_user_id: int
) -> Held:
    """What the reader holds on an assignment's nomination: `WHOLE` (the project group, or the
    assignment is its own), the status of its own assignment there (a fellow reviewer), or
    None (nobody signed in, or no assignment of its own there)."""
    guard = await context.guard()
    if guard.actor is None:
        return None
    if guard.is_project_group or expert_user_id == guard.actor.user_id:
        return WHOLE
    async with context.transaction(community_id) as session:
        status: AssignmentStatus | None = await session.scalar(
            select(models.ReviewAssignment.status).where(
                models.ReviewAssignment.community_id == community_id,
                models.ReviewAssignment.nomination_id == nomination_id,
                models.ReviewAssignment.expert_user_id == guard.actor.user_id,
            )
        )
    return status


@fetches("EvaluationRound")
async def fetch_round(context: Context, keys: tuple[int, ...]) -> EvaluationRound | None:
    async with context.transaction() as session:
        row = await session.get(models.EvaluationRound, keys[0])
    return EvaluationRound.of(row) if row else None


@fetches("Nomination", arity=2)
async def fetch_nomination(context: Context, keys: tuple[int, ...]) -> Nomination | None:
    guard = await context.guard()
    async with context.transaction(keys[0]) as session:
        row = await session.get(models.Nomination, keys)
        if row is None:
            return None
        if sees_every_nomination(guard) or guard.allows(Permission.TENANT_READ, keys[0]):
            return Nomination.of(row)
    return None


@fetches("ReviewAssignment", arity=2)
async def fetch_assignment(context: Context, keys: tuple[int, ...]) -> ReviewAssignment | None:
    async with context.transaction(keys[0]) as session:
        row = await session.get(models.ReviewAssignment, keys)
    if row is None:
        return None
    held = await _readers_assignment(
        context, row.community_id, row.nomination_id, row.expert_user_id
    )
    if held is None:
        return None
    return ReviewAssignment.of(row)
