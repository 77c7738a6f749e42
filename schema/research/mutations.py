import strawberry

from policies.permissions import Permission
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import REPORT, WRITTEN, limited
from schema.core.mutations import Attempt, mutation
from schema.research.types import ResearchTopic, SubTopic
from server.errors import AccessError, ErrorCode, UserFacingError
from server.research import service
from server.vocabulary import ReviewDecision, TopicStage

# A sub-topic is carried with a few of the community's 3-15 member units.
MOST_MEMBER_UNITS = 15


@strawberry.input
class OpenResearchTopicInput:
    title: str
    year: int
    description: str | None = limited(WRITTEN, default=None)


@strawberry.input
class RegisterSubTopicInput:
    topic_id: strawberry.ID
    community_slug: str
    unit_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="the active member unit that carries it; none: the community itself",
    )
    title: str
    leader_name: str
    member_unit_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="the other active member units taking part (at most 15)"
    )
    plan: str = limited(REPORT)


@strawberry.input
class ReviewSubTopicInput:
    id: strawberry.ID
    decision: ReviewDecision
    comment: str | None = limited(
        WRITTEN, default=None, description="required when the decision is REJECT"
    )


@strawberry.input
class SubmitTopicReportInput:
    sub_topic_id: strawberry.ID
    stage: TopicStage
    body: str = limited(REPORT)
    achievement_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="the sub-topic's outputs (Art. 6b): achievements of its community (any "
        "other is NOT_FOUND), from no other sub-topic; each then names this sub-topic as its "
        "`subTopic`",
    )


@strawberry.type
class OpenResearchTopicPayload:
    topic: ResearchTopic | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class SubTopicPayload:
    sub_topic: SubTopic | None = None
    errors: list[UserError] = refusals()


def _unit(global_id: str, field: str) -> int:
    """A unit's id; a malformed or foreign id names no unit, refused naming `field`."""
    try:
        return ids.decode_as(global_id, "Unit")[0]
    except AccessError:
        raise UserFacingError(ErrorCode.NOT_FOUND, "单位不存在", "no such unit", field) from None


def _unit_ids(given: list[strawberry.ID] | None) -> list[int]:
    if given and len(given) > MOST_MEMBER_UNITS:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"参与单位至多 {MOST_MEMBER_UNITS} 个",
            f"at most {MOST_MEMBER_UNITS} member units",
            "memberUnitIds",
        )
    return [_unit(u, "memberUnitIds") for u in given or []]


def _achievements(given: list[strawberry.ID] | None, community_id: int) -> list[int]:
    """The achievements' ids; a malformed one, or another community's, is NOT_FOUND."""
    found = []
    for global_id in given or []:
        try:
            owner, achievement_id = ids.decode_as(global_id, "Achievement", 2)
        except AccessError:
            owner, achievement_id = None, 0
        if owner != community_id:
            raise UserFacingError(
                ErrorCode.NOT_FOUND, "成果不存在", "no such achievement", "achievementIds"
            )
        found.append(achievement_id)
    return found


@strawberry.type
class ResearchMutations:
    @mutation(
        Permission.TOPIC_OPEN,
        description="Project group: opens a national research topic (总课题, Art. 17(3)).",
    )
    async def open_research_topic(
        self, attempt: Attempt, input: OpenResearchTopicInput
    ) -> OpenResearchTopicPayload:
        async with attempt.transaction() as session:
            topic = await service.open_research_topic(
                session, attempt.guard, input.title, input.year, input.description
            )
        return OpenResearchTopicPayload(topic=ResearchTopic.of(topic))

    @mutation(
        Permission.SUB_TOPIC_REGISTER,
        description="Leader or deputy: registers a sub-topic (子课题, Art. 16(7)) under a "
        "national topic for the community or one of its active member units; PENDING until "
        "the project group reviews it. A unit that is not an active member is NOT_FOUND, "
        "naming `unitId` or `memberUnitIds`.",
    )
    async def register_sub_topic(
        self, attempt: Attempt, input: RegisterSubTopicInput
    ) -> SubTopicPayload:
        community = await attempt.context.access_community(input.community_slug)
        (topic_id,) = ids.decode_as(input.topic_id, "ResearchTopic")
        unit_id = None if input.unit_id is None else _unit(input.unit_id, "unitId")
        members = _unit_ids(input.member_unit_ids)
        async with attempt.transaction(community.id) as session:
            sub_topic = await service.register_sub_topic(
                session,
                attempt.guard,
                community.id,
                topic_id,
                unit_id,
                input.title,
                input.leader_name,
                members,
                input.plan,
            )
        return SubTopicPayload(sub_topic=SubTopic.of(sub_topic))

    @mutation(
        Permission.SUB_TOPIC_REVIEW,
        description="Project group: approves (立项) or rejects a PENDING sub-topic; a "
        "rejection needs a comment. Anything but PENDING is INVALID_TRANSITION.",
    )
    async def review_sub_topic(
        self, attempt: Attempt, input: ReviewSubTopicInput
    ) -> SubTopicPayload:
        community_id, sub_topic_id = ids.decode_as(input.id, "SubTopic", 2)
        await attempt.context.refuse_other_tenant(community_id)
        async with attempt.transaction(community_id) as session:
            sub_topic = await service.review_sub_topic(
                session, attempt.guard, community_id, sub_topic_id, input.decision, input.comment
            )
        return SubTopicPayload(sub_topic=SubTopic.of(sub_topic))

    @mutation(
        Permission.TENANT_READ,
        Permission.TOPIC_REPORT_SUBMIT,
        description="Leader or deputy: a PROGRESS or CONCLUSION report on an APPROVED "
        "sub-topic; the conclusion closes it (CONCLUDED), after which reports are "
        "INVALID_TRANSITION. `achievementIds` links the community's achievements as its "
        "outputs (another community's is NOT_FOUND).",
    )
    async def submit_topic_report(
        self, attempt: Attempt, input: SubmitTopicReportInput
    ) -> SubTopicPayload:
        community_id, sub_topic_id = ids.decode_as(input.sub_topic_id, "SubTopic", 2)
        await attempt.context.refuse_other_tenant(community_id)
        outputs = _achievements(input.achievement_ids, community_id)
        async with attempt.transaction(community_id) as session:
            sub_topic, _ = await service.submit_topic_report(
                session,
                attempt.guard,
                community_id,
                sub_topic_id,
                input.stage,
                input.body,
                outputs,
            )
        return SubTopicPayload(sub_topic=SubTopic.of(sub_topic))
