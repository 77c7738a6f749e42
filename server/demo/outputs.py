"""The demo's outputs (Art. 6b, 17(4), 6(5)): each community's achievements (a public typical
case from its joint research, and a course resource shared with every community); last year's
evaluation round, closed, scored by the demo's expert and ranked, whose first two got their
achievement awards and certificates; and this year's round of course resources, open, with
the expert's reviews still to do. The expert reviews only communities it does not guide (a
guide has a conflict of interest). Loading again adds nothing."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.achievements.models import Achievement
from server.communities.models import Community
from server.evaluation import rules
from server.evaluation.models import EvaluationRound, Nomination, ReviewAssignment
from server.evaluation.service import awarded_achievement
from server.recognition.models import Recognition
from server.recognition.service import next_certificate_number
from server.research.models import SubTopic
from server.research.rules import CARRIED
from server.vocabulary import (
    AchievementKind,
    AssignmentStatus,
    Prize,
    RecognitionKind,
    RoundStatus,
    Theme,
    Visibility,
)

CRITERIA = [("创新性", 40), ("实效性", 40), ("推广价值", 20)]
# An achievement is recorded this long into its community's cycle.
RECORDED_AFTER = dt.timedelta(days=240)
COURSE_ROUND_DAYS = 30


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), dt.UTC)


async def _record_achievements(
    session: AsyncSession, community: Community, themes: Sequence[Theme], today: dt.date
) -> None:
    if await session.scalar(select(func.count()).where(Achievement.community_id == community.id)):
        return
    sub_topic = await session.scalar(
        select(SubTopic.id).where(
            SubTopic.community_id == community.id, SubTopic.status.in_(CARRIED)
        )
    )
    recorded = _at(min(community.cycle_start + RECORDED_AFTER, today))
    theme = themes[0].zh
    session.add_all(
        [
            Achievement(
                community_id=community.id,
                kind=AchievementKind.CASE,
                title=f"{theme}：{community.name}协同实践典型案例",
                summary=f"{community.name}各成员单位围绕“{theme}”联合开展活动、共享资源的做法与成效。",
                authors=[f"{community.name}课题组"],
                sub_topic_id=sub_topic,
                visibility=Visibility.PUBLIC,
                created_at=recorded,
            ),
            Achievement(
                community_id=community.id,
                kind=AchievementKind.COURSE_RESOURCE,
                title=f"{theme}系列微课",
                summary=f"面向社区居民的“{theme}”系列微课，每讲十分钟，配有学习任务单。",
                authors=[f"{community.name}课程组"],
                visibility=Visibility.ALL_COMMUNITIES,
                subject=theme[:100],
                audience="社区居民",
                format="微课视频",
                created_at=recorded,
            ),
        ]
    )
    await session.flush()


async def _achievement(
    session: AsyncSession, community: Community, kind: AchievementKind, by: dt.date
) -> Achievement | None:
    return await session.scalar(
        select(Achievement).where(
            Achievement.community_id == community.id,
            Achievement.kind == kind,
            Achievement.created_at <= _at(by),
        )
    )


async def _round(
    session: AsyncSession,
    title: str,
    year: int,
    kinds: Sequence[AchievementKind],
    closes_on: dt.date,
    opened_on: dt.date,
    admin_id: int,
) -> EvaluationRound | None:
    """A new round; None when the demo made it before."""
    if await session.scalar(select(EvaluationRound.id).where(EvaluationRound.title == title)):
        return None
    made = EvaluationRound(
        title=title,
        year=year,
        kinds=[k.value for k in kinds],
        closes_on=closes_on,
        criteria=[{"name": name, "weight": weight} for name, weight in CRITERIA],
        status=RoundStatus.OPEN,
        opened_by=admin_id,
        created_at=_at(opened_on),
    )
    session.add(made)
    await session.flush()
    return made


async def _nominate(
    session: AsyncSession,
    made: EvaluationRound,
    achievement: Achievement,
    expert_id: int,
    admin_id: int,
    scores: dict[str, int] | None,
) -> Nomination:
    nomination = Nomination(
        community_id=achievement.community_id,
        round_id=made.id,
        achievement_id=achievement.id,
        nominated_by=admin_id,
    )
    session.add(nomination)
    await session.flush()
    session.add(
        ReviewAssignment(
            community_id=nomination.community_id,
            nomination_id=nomination.id,
            expert_user_id=expert_id,
            assigned_by=admin_id,
            status=AssignmentStatus.SUBMITTED if scores else AssignmentStatus.ASSIGNED,
            scores=scores,
            comment="成果扎实，具有推广价值。" if scores else None,
            submitted_at=_at(made.closes_on) if scores else None,
        )
    )
    await session.flush()
    return nomination


async def produce_outputs(
    session: AsyncSession,
    communities: Sequence[tuple[Community, Sequence[Theme]]],
    guided: set[int],
    expert_id: int,
    admin_id: int,
    today: dt.date,
) -> None:
    for community, themes in communities:
        await _record_achievements(session, community, themes, today)
    reviewable = [c for c, _ in communities if c.id not in guided]

    last_year = today.year - 1
    closes_on = dt.date(last_year, 12, 1)
    past = await _round(
        session,
        f"{last_year}年度区域终身学习优秀成果评审",
        last_year,
        (AchievementKind.CASE, AchievementKind.COURSE_RESOURCE),
        closes_on,
        dt.date(last_year, 10, 8),
        admin_id,
    )
    if past is not None:
        reviewed: dict[int, list[float]] = {}
        nominations: dict[int, Nomination] = {}
        for place, community in enumerate(reviewable):
            case = await _achievement(session, community, AchievementKind.CASE, closes_on)
            if case is None:
                continue
            scores = {"创新性": 92 - 4 * place, "实效性": 86 - 3 * place, "推广价值": 80 - place}
            nomination = await _nominate(session, past, case, expert_id, admin_id, scores)
            nominations[nomination.id] = nomination
            reviewed[nomination.id] = [rules.weighted(scores, CRITERIA)]
        for entry in rules.ranking(reviewed):
            nomination = nominations[entry.nomination_id]
            nomination.weighted_score = entry.weighted_score
            nomination.spread = entry.spread
            nomination.rank = entry.rank
        past.status = RoundStatus.CLOSED
        past.closed_at = _at(dt.date(last_year, 12, 10))
        past.closed_by = admin_id
        await session.flush()
        ranked = sorted(
            (n for n in nominations.values() if n.rank is not None), key=lambda n: n.rank or 0
        )
        for nomination, prize in zip(ranked, (Prize.FIRST, Prize.SECOND), strict=False):
            community_id, holder = await awarded_achievement(
                session, nomination.community_id, nomination.achievement_id, last_year
            )
            session.add(
                Recognition(
                    community_id=community_id,
                    kind=RecognitionKind.ACHIEVEMENT_AWARD,
                    year=last_year,
                    prize=prize,
                    achievement_id=nomination.achievement_id,
                    holder_name=holder,
                    citation="经专家评审，成果创新性与实效性突出。",
                    number=await next_certificate_number(session, last_year),
                    granted_on=dt.date(last_year, 12, 10),
                    granted_by=admin_id,
                )
            )
            await session.flush()

    current = await _round(
        session,
        f"{today.year}年度特色课程资源评审",
        today.year,
        (AchievementKind.COURSE_RESOURCE,),
        today + dt.timedelta(days=COURSE_ROUND_DAYS),
        today,
        admin_id,
    )
    if current is not None:
        for community in reviewable[:3]:
            course = await _achievement(session, community, AchievementKind.COURSE_RESOURCE, today)
            if course is not None:
                await _nominate(session, current, course, expert_id, admin_id, None)
