import strawberry

from policies.permissions import Permission
from schema.achievements.types import Achievement
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import Attempt, mutation
from server.achievements import rules, service
from server.errors import AccessError, ErrorCode, UserFacingError
from server.vocabulary import AchievementKind, Visibility

COURSE_ONLY = "a course resource's (COURSE_RESOURCE: required; any other kind: refused)"


@strawberry.input
class SubmitAchievementInput:
    kind: AchievementKind
    community_slug: str
    unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="the active member unit it is of; none: the community's own"
    )
    title: str
    summary: str = limited(WRITTEN)
    authors: list[str] = strawberry.field(
        description=f"1 to {rules.MOST_AUTHORS} names, each at most {rules.AUTHOR_LENGTH} "
        "characters"
    )
    sub_topic_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="the community's approved or concluded sub-topic it came from (Art. 16(7))",
    )
    upload_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description=f"its files: at most {rules.MOST_FILES} of the submitter's uploads "
        "(`POST /uploads`)",
    )
    links: list[str] | None = strawberry.field(
        default=None, description=f"at most {rules.MOST_LINKS} http(s) URLs"
    )
    visibility: Visibility
    subject: str | None = strawberry.field(default=None, description=COURSE_ONLY)
    audience: str | None = strawberry.field(default=None, description=COURSE_ONLY)
    format: str | None = strawberry.field(default=None, description=COURSE_ONLY)


@strawberry.input(
    description="Only what is given changes; the kind and the owner stay, the visibility has "
    "`setAchievementVisibility`. A list given replaces the one held."
)
class UpdateAchievementInput:
    id: strawberry.ID
    title: str | None = None
    summary: str | None = limited(WRITTEN, default=None)
    authors: list[str] | None = None
    sub_topic_id: strawberry.ID | None = None
    upload_ids: list[strawberry.ID] | None = None
    links: list[str] | None = None
    subject: str | None = strawberry.field(default=None, description=COURSE_ONLY)
    audience: str | None = strawberry.field(default=None, description=COURSE_ONLY)
    format: str | None = strawberry.field(default=None, description=COURSE_ONLY)


@strawberry.input
class SetAchievementVisibilityInput:
    id: strawberry.ID
    visibility: Visibility


@strawberry.type
class AchievementPayload:
    achievement: Achievement | None = None
    errors: list[UserError] = refusals()


def _decoded(global_id: str, kind: str, field: str, arity: int = 1) -> tuple[int, ...]:
    """An id's keys; a malformed or foreign id names nothing, refused naming `field`."""
    try:
        return ids.decode_as(global_id, kind, arity)
    except AccessError:
        raise UserFacingError(ErrorCode.NOT_FOUND, "对象不存在", "no such object", field) from None


def _sub_topic(given: strawberry.ID | None, community_id: int) -> int | None:
    """The sub-topic's id; another community's is NOT_FOUND, as a missing one is."""
    if given is None:
        return None
    owner, sub_topic_id = _decoded(given, "SubTopic", "subTopicId", 2)
    if owner != community_id:
        raise UserFacingError(
            ErrorCode.NOT_FOUND, "子课题不存在", "no such sub-topic", "subTopicId"
        )
    return sub_topic_id


def _uploads(given: list[strawberry.ID] | None) -> list[int] | None:
    if given is None:
        return None
    if error := rules.files_error(given):
        raise error
    return [_decoded(u, "Upload", "uploadIds")[0] for u in given]


def _written(
    input: SubmitAchievementInput | UpdateAchievementInput, community_id: int
) -> service.Written:
    return service.Written(
        title=input.title,
        summary=input.summary,
        authors=input.authors,
        sub_topic_id=_sub_topic(input.sub_topic_id, community_id),
        upload_ids=_uploads(input.upload_ids),
        links=input.links,
        subject=input.subject,
        audience=input.audience,
        format=input.format,
    )


@strawberry.type
class AchievementMutations:
    @mutation(
        Permission.ACHIEVEMENT_WRITE,
        signed_in=True,
        description="Leader, deputy or project group: records an achievement (成果, Art. 6b) of "
        "the community or of one of its active member units; a member unit's staff: one of "
        "their own unit. A unit that is not an active member is NOT_FOUND naming `unitId`; a "
        "sub-topic must be the community's and approved; files must be the submitter's "
        "uploads. A COURSE_RESOURCE (16(6)) needs `subject`, `audience` and `format`; any "
        "other kind is refused them.",
    )
    async def submit_achievement(
        self, attempt: Attempt, input: SubmitAchievementInput
    ) -> AchievementPayload:
        community = await attempt.context.access_community(input.community_slug)
        unit_id = None if input.unit_id is None else _decoded(input.unit_id, "Unit", "unitId")[0]
        written = _written(input, community.id)
        async with attempt.transaction(community.id) as session:
            achievement = await service.submit_achievement(
                session,
                attempt.guard,
                community.id,
                input.kind,
                unit_id,
                input.visibility,
                written,
            )
        return AchievementPayload(achievement=Achievement.of(achievement))

    @mutation(
        Permission.TENANT_READ,
        Permission.ACHIEVEMENT_WRITE,
        description="Whoever may submit it: changes what is given of an achievement.",
    )
    async def update_achievement(
        self, attempt: Attempt, input: UpdateAchievementInput
    ) -> AchievementPayload:
        community_id, achievement_id = ids.decode_as(input.id, "Achievement", 2)
        await attempt.context.refuse_other_tenant(community_id)
        written = _written(input, community_id)
        async with attempt.transaction(community_id) as session:
            achievement = await service.update_achievement(
                session, attempt.guard, community_id, achievement_id, written
            )
        return AchievementPayload(achievement=Achievement.of(achievement))

    @mutation(
        Permission.TENANT_READ,
        Permission.ACHIEVEMENT_WRITE,
        description="Whoever may submit it: keeps an achievement to its community (COMMUNITY), "
        "shares it with all communities (ALL_COMMUNITIES) or makes it public on the "
        "sub-platform and the main platform (PUBLIC) (共建共享, Art. 6b).",
    )
    async def set_achievement_visibility(
        self, attempt: Attempt, input: SetAchievementVisibilityInput
    ) -> AchievementPayload:
        community_id, achievement_id = ids.decode_as(input.id, "Achievement", 2)
        await attempt.context.refuse_other_tenant(community_id)
        async with attempt.transaction(community_id) as session:
            achievement = await service.set_visibility(
                session, attempt.guard, community_id, achievement_id, input.visibility
            )
        return AchievementPayload(achievement=Achievement.of(achievement))
