"""Recognitions (Art. 6(5)): the project group grants them (an achievement award to an
achievement scored in a closed round of the year) and revokes one granted in error; each
grant issues a numbered certificate."""

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Guard
from server.audit.service import record
from server.clock import today
from server.communities.models import Community
from server.errors import ErrorCode, UserFacingError, not_found
from server.evaluation.service import awarded_achievement
from server.recognition import rules
from server.recognition.models import Recognition
from server.recognition.queries import chosen_brands
from server.units.service import get_unit
from server.vocabulary import Prize, RecognitionKind

# The first key of the two-key advisory lock taken per year: one grant of a year at a time,
# so the brand count and the certificate sequence are read and written by one grantor.
YEAR_LOCK = 0x72636F67  # "rcog"


async def brands_chosen(session: AsyncSession, year: int) -> int:
    """The year's national brands in force: the count `rules.brand_limit_error` judges."""
    found = await session.execute(chosen_brands().where(Recognition.year == year))
    return next((count for _, count in found), 0)


async def lock_year(session: AsyncSession, year: int) -> None:
    """One grant of a year at a time, until the transaction ends."""
    await session.execute(select(func.pg_advisory_xact_lock(YEAR_LOCK, year)))


async def next_certificate_number(session: AsyncSession, year: int) -> str:
    """The year's highest number plus one (revoked ones kept), under the year's lock."""
    await lock_year(session, year)
    prefix = rules.certificate_number(year, 0)[:-4]
    last = await session.scalar(
        select(func.max(Recognition.number)).where(Recognition.number.startswith(prefix))
    )
    return rules.certificate_number(year, int(last.rsplit("-", 1)[1]) + 1 if last else 1)


async def grant_recognition(
    session: AsyncSession,
    guard: Guard,
    kind: RecognitionKind,
    year: int,
    *,
    achievement: tuple[int, int] | None = None,
    community_id: int | None = None,
    unit_id: int | None = None,
    prize: Prize | None = None,
    holder_name: str | None = None,
    citation: str | None = None,
) -> Recognition:
    """Grants one recognition to one holder and numbers its certificate. A sixth national
    brand of a year is BRAND_LIMIT; the same holder twice for one kind and year, DUPLICATE."""
    actor = guard.require(Permission.RECOGNITION_GRANT)
    named = (holder_name or "").strip() or None
    shape = rules.Named(
        achievement=achievement is not None,
        community=community_id is not None,
        unit=unit_id is not None,
        holder_name=named is not None,
        prize=prize is not None,
    )
    if error := rules.holder_error(kind, shape) or rules.year_error(year, today().year):
        raise error
    held_in: int | None = None
    if achievement is not None:
        held_in, holder = await awarded_achievement(session, *achievement, year)
    elif community_id is not None:
        community = await session.get(Community, community_id)
        if community is None:
            raise not_found("共同体", "community")
        held_in, holder = community.id, community.name
    else:
        assert unit_id is not None  # `holder_error` saw one holder
        holder = (await get_unit(session, unit_id)).name
    await lock_year(session, year)
    if kind is RecognitionKind.NATIONAL_BRAND:
        if error := rules.brand_limit_error(await brands_chosen(session, year), year):
            raise error
    recognition = Recognition(
        community_id=held_in,
        kind=kind,
        year=year,
        prize=prize,
        unit_id=unit_id,
        achievement_id=achievement[1] if achievement else None,
        holder_name=named or holder,
        citation=(citation or "").strip() or None,
        granted_on=today(),
        granted_by=actor.user_id,
    )
    twice = await session.scalar(
        select(func.count()).where(
            Recognition.year == year,
            Recognition.kind == kind,
            Recognition.community_id.is_not_distinct_from(recognition.community_id),
            Recognition.unit_id.is_not_distinct_from(unit_id),
            Recognition.achievement_id.is_not_distinct_from(recognition.achievement_id),
            Recognition.holder_name == recognition.holder_name,
            Recognition.revoked_at.is_(None),
        )
    )
    if twice:
        raise rules.duplicate_error(kind, year)
    recognition.number = await next_certificate_number(session, year)
    session.add(recognition)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="recognition.grant",
        target_type="Recognition",
        target_id=recognition.id,
        community_id=held_in,
        after={
            "kind": kind.value,
            "year": year,
            "number": recognition.number,
            "holder": recognition.holder_name,
            "unit_id": unit_id,
            "prize": prize and prize.value,
        },
    )
    return recognition


async def revoke_recognition(
    session: AsyncSession, guard: Guard, recognition_id: int, reason: str
) -> Recognition:
    """Withdraws a recognition granted in error: its number is never reused and its
    verification page says it was revoked, and when."""
    actor = guard.require(Permission.RECOGNITION_REVOKE)
    recognition = await session.get(Recognition, recognition_id, with_for_update=True)
    if recognition is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "该荣誉不存在", "no such recognition", "id")
    written = (reason or "").strip()
    if not written:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "请填写撤销理由", "a reason is required", "reason"
        )
    if recognition.revoked_at is not None:
        raise UserFacingError(ErrorCode.INVALID_TRANSITION, "该荣誉已撤销", "already revoked", "id")
    recognition.revoked_at = dt.datetime.now(dt.UTC)
    recognition.revoked_reason = written
    recognition.revoked_by = actor.user_id
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="recognition.revoke",
        target_type="Recognition",
        target_id=recognition.id,
        community_id=recognition.community_id,
        before={"number": recognition.number},
        after={"revoked": True, "reason": written},
    )
    return recognition


async def get_by_number(session: AsyncSession, number: str) -> Recognition | None:
    return (
        await session.scalars(select(Recognition).where(Recognition.number == number))
    ).one_or_none()
