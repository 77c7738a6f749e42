"""The demo's recognitions (Art. 6(5)): for every year of the programme that is over, the
three national lifelong-learning brands the project group chose (fewer would be a
`brand-selection` notice), held by member units' teams; and for last year a demonstration
and a featured community. Each with its numbered certificate; loading again adds nothing."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.communities.models import Community
from server.recognition.models import Recognition
from server.recognition.rules import FEWEST_BRANDS
from server.recognition.service import brands_chosen, next_certificate_number
from server.units.models import Unit
from server.vocabulary import RecognitionKind

BRAND_TEAMS = ("银龄学习团队", "家门口的学习点", "乡村振兴学堂", "社区治理议事课堂")
CITATIONS = {
    RecognitionKind.NATIONAL_BRAND: "扎根社区、持续开展终身学习活动，形成可推广的品牌。",
    RecognitionKind.MODEL_COMMUNITY: "协同机制健全，联合研究与活动成效显著，发挥示范作用。",
    RecognitionKind.FEATURED_COMMUNITY: "立足区域特色，项目实施扎实，特色鲜明。",
}


def _granted_on(year: int, today: dt.date) -> dt.date:
    """A round closes in December; this year's grants, if any, today."""
    return min(dt.date(year, 12, 10), today)


async def _grant(
    session: AsyncSession,
    kind: RecognitionKind,
    year: int,
    holder_name: str,
    granted_by: int,
    today: dt.date,
    *,
    community_id: int | None = None,
    unit_id: int | None = None,
) -> None:
    session.add(
        Recognition(
            community_id=community_id,
            unit_id=unit_id,
            kind=kind,
            year=year,
            holder_name=holder_name,
            citation=CITATIONS[kind],
            number=await next_certificate_number(session, year),
            granted_on=_granted_on(year, today),
            granted_by=granted_by,
        )
    )
    await session.flush()


async def grant_honours(
    session: AsyncSession,
    communities: Sequence[Community],
    units: Sequence[Unit],
    first_year: int,
    granted_by: int,
    today: dt.date,
) -> int:
    """The recognitions of the programme's past years not granted yet; how many were made."""
    made = 0
    for year in range(first_year, today.year):
        for n in range(await brands_chosen(session, year), FEWEST_BRANDS):
            unit = units[(year + n) % len(units)]
            team = BRAND_TEAMS[(year + n) % len(BRAND_TEAMS)]
            await _grant(
                session,
                RecognitionKind.NATIONAL_BRAND,
                year,
                f"{unit.name}{team}",
                granted_by,
                today,
                unit_id=unit.id,
            )
            made += 1
    last_year = today.year - 1
    if last_year < first_year or len(communities) < 2:
        return made
    for kind, community in (
        (RecognitionKind.MODEL_COMMUNITY, communities[0]),
        (RecognitionKind.FEATURED_COMMUNITY, communities[1]),
    ):
        held = await session.scalar(
            select(func.count()).where(
                Recognition.kind == kind,
                Recognition.year == last_year,
                Recognition.community_id == community.id,
            )
        )
        if not held:
            await _grant(
                session,
                kind,
                last_year,
                community.name,
                granted_by,
                today,
                community_id=community.id,
            )
            made += 1
    return made
