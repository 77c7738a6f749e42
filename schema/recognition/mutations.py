import strawberry

from policies.permissions import Permission
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import Attempt, mutation
from schema.recognition.types import Recognition
from server.errors import AccessError, ErrorCode, UserFacingError
from server.recognition import service
from server.vocabulary import Prize, RecognitionKind

# `holder_name`'s column.
HOLDER_CHARACTERS = 200


@strawberry.input
class GrantRecognitionInput:
    kind: RecognitionKind
    year: int = strawberry.field(description="the year it is granted for: not in the future")
    achievement_id: strawberry.ID | None = strawberry.field(
        default=None, description="ACHIEVEMENT_AWARD only: the awarded achievement"
    )
    community_slug: str | None = strawberry.field(
        default=None,
        description="MODEL_COMMUNITY, FEATURED_COMMUNITY; or NATIONAL_BRAND, "
        "HONOUR_CERTIFICATE held through a community",
    )
    unit_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="MODEL_UNIT, FEATURED_UNIT; or NATIONAL_BRAND, HONOUR_CERTIFICATE held "
        "through a unit",
    )
    prize: Prize | None = strawberry.field(default=None, description="ACHIEVEMENT_AWARD only")
    holder_name: str | None = limited(
        HOLDER_CHARACTERS,
        default=None,
        description="NATIONAL_BRAND, HONOUR_CERTIFICATE: the team or person printed on the "
        "certificate (teams or individuals, Art. 6(5)); none: the unit's or community's name",
    )
    citation: str | None = limited(WRITTEN, default=None, description="颁奖词: why")


@strawberry.input
class RevokeRecognitionInput:
    id: strawberry.ID
    reason: str = limited(WRITTEN)


@strawberry.type
class RecognitionPayload:
    recognition: Recognition | None = None
    errors: list[UserError] = refusals()


def _unit(global_id: str) -> int:
    try:
        return ids.decode_as(global_id, "Unit")[0]
    except AccessError:
        raise UserFacingError(ErrorCode.NOT_FOUND, "单位不存在", "no such unit", "unitId") from None


def _achievement(global_id: str) -> tuple[int, int]:
    """An achievement's (community, id); a malformed id names none."""
    try:
        community_id, achievement_id = ids.decode_as(global_id, "Achievement", 2)
    except AccessError:
        raise UserFacingError(
            ErrorCode.NOT_FOUND, "成果不存在", "no such achievement", "achievementId"
        ) from None
    return community_id, achievement_id


@strawberry.type
class RecognitionMutations:
    @mutation(
        Permission.RECOGNITION_GRANT,
        description="Project group: grants a recognition (Art. 6(5)) to one holder and issues "
        "its numbered certificate. ACHIEVEMENT_AWARD takes `achievementId` and `prize`; "
        "MODEL_/FEATURED_COMMUNITY `communitySlug`; MODEL_/FEATURED_UNIT `unitId`; "
        "NATIONAL_BRAND and HONOUR_CERTIFICATE a unit or a community (and `holderName` for a "
        "team or person). A sixth NATIONAL_BRAND of a year is BRAND_LIMIT (3-5 a year); the "
        "same holder twice for one kind and year is DUPLICATE; a future year INVALID_INPUT.",
    )
    async def grant_recognition(
        self, attempt: Attempt, input: GrantRecognitionInput
    ) -> RecognitionPayload:
        community_id = None
        if input.community_slug is not None:
            community_id = (await attempt.context.access_community(input.community_slug)).id
        unit_id = None if input.unit_id is None else _unit(input.unit_id)
        achievement = None if input.achievement_id is None else _achievement(input.achievement_id)
        # A unit's recognition belongs to no community: written in the national scope.
        async with attempt.transaction(all_communities=True) as session:
            recognition = await service.grant_recognition(
                session,
                attempt.guard,
                input.kind,
                input.year,
                achievement=achievement,
                community_id=community_id,
                unit_id=unit_id,
                prize=input.prize,
                holder_name=input.holder_name,
                citation=input.citation,
            )
        return RecognitionPayload(recognition=Recognition.of(recognition))

    @mutation(
        Permission.RECOGNITION_REVOKE,
        description="Project group: revokes a recognition granted in error, with a written "
        "reason. Its number is never reused; its verification page says it was revoked, and "
        "when. Revoking twice is INVALID_TRANSITION.",
    )
    async def revoke_recognition(
        self, attempt: Attempt, input: RevokeRecognitionInput
    ) -> RecognitionPayload:
        try:
            (recognition_id,) = ids.decode_as(input.id, "Recognition")
        except AccessError:
            raise UserFacingError(
                ErrorCode.NOT_FOUND, "该荣誉不存在", "no such recognition", "id"
            ) from None
        async with attempt.transaction(all_communities=True) as session:
            recognition = await service.revoke_recognition(
                session, attempt.guard, recognition_id, input.reason
            )
        return RecognitionPayload(recognition=Recognition.of(recognition))
