"""Recognitions (Art. 6(5)): who may hold which kind, how many national brands a year, how a
certificate is numbered. One definition for the mutation that refuses a sixth brand and for
the audit that finds a year with fewer than three (`server/compliance/checks.py`, rule
`brand-selection`)."""

from dataclasses import dataclass

from server.errors import ErrorCode, UserFacingError
from server.vocabulary import RecognitionKind

# Art. 6(5): "每年征集和推选3-5个终身学习品牌 ... 作为全国终身学习特色品牌".
FEWEST_BRANDS, MOST_BRANDS = 3, 5
# A year before any programme of this kind ran is a typing slip, as for application calls.
FIRST_YEAR = 2000

COMMUNITY_KINDS = frozenset({RecognitionKind.MODEL_COMMUNITY, RecognitionKind.FEATURED_COMMUNITY})
UNIT_KINDS = frozenset({RecognitionKind.MODEL_UNIT, RecognitionKind.FEATURED_UNIT})
# Teams or individuals (Art. 6(5)): named on the certificate, held through a unit or community.
EITHER_KINDS = frozenset({RecognitionKind.NATIONAL_BRAND, RecognitionKind.HONOUR_CERTIFICATE})


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a Named)
class Named:
    """What a grant's input names as its holder, before anything is looked up."""

    achievement: bool
    community: bool
    unit: bool
    holder_name: bool
    prize: bool


def _invalid(zh: str, en: str, field: str) -> UserFacingError:
    return UserFacingError(ErrorCode.INVALID_INPUT, zh, en, field)


def holder_error(kind: RecognitionKind, named: Named) -> UserFacingError | None:
    """Exactly one holder of the kind's sort: an achievement (with its prize) for an award, a
    community for a model or featured community, a unit for a model or featured unit, a unit
    or a community (and optionally the team or person named) for a brand or an honour."""
    if named.prize and kind is not RecognitionKind.ACHIEVEMENT_AWARD:
        return _invalid("只有成果奖设等级", "only an achievement award has a prize", "prize")
    if named.holder_name and kind not in EITHER_KINDS:
        return _invalid(
            "只有全国品牌和荣誉证书可另填获得者（团队或个人）",
            "only a national brand or an honour certificate names a team or person",
            "holderName",
        )
    if kind is RecognitionKind.ACHIEVEMENT_AWARD:
        if named.community or named.unit:
            field = "communitySlug" if named.community else "unitId"
            return _invalid(
                "成果奖授予成果，不另填单位或共同体", "an award goes to an achievement", field
            )
        if not named.achievement:
            return _invalid(
                "请选择获奖成果", "an achievement award needs an achievement", "achievementId"
            )
        if not named.prize:
            return _invalid("请选择成果奖等级", "an achievement award needs a prize", "prize")
        return None
    if named.achievement:
        return _invalid(
            "只有成果奖授予成果",
            "only an achievement award goes to an achievement",
            "achievementId",
        )
    if kind in COMMUNITY_KINDS:
        if named.unit:
            return _invalid(
                f"{kind.zh}授予共同体，不填单位", f"a {kind.en.lower()} is a community", "unitId"
            )
        if not named.community:
            return _invalid(
                "请选择共同体", f"a {kind.en.lower()} needs a community", "communitySlug"
            )
        return None
    if kind in UNIT_KINDS:
        if named.community:
            return _invalid(
                f"{kind.zh}授予单位，不填共同体", f"a {kind.en.lower()} is a unit", "communitySlug"
            )
        if not named.unit:
            return _invalid("请选择单位", f"a {kind.en.lower()} needs a unit", "unitId")
        return None
    if named.unit == named.community:
        field = "unitId" if named.unit else "communitySlug"
        return _invalid(
            "请选择一个单位或一个共同体（二者选一）",
            "name one unit or one community, not both and not neither",
            field,
        )
    return None


def year_error(year: int, this_year: int) -> UserFacingError | None:
    """A year the programme has run: not before 2000, not in the future."""
    if not FIRST_YEAR <= year <= this_year:
        return _invalid(
            f"年度须在 {FIRST_YEAR} 年至 {this_year} 年之间",
            f"the year must be {FIRST_YEAR} to {this_year}",
            "year",
        )
    return None


def brand_limit_error(chosen: int, year: int) -> UserFacingError | None:
    """Art. 6(5): at most five national brands a year; `chosen` are the year's unrevoked ones."""
    if chosen >= MOST_BRANDS:
        return UserFacingError(
            ErrorCode.BRAND_LIMIT,
            f"{year} 年已评定 {chosen} 个全国终身学习特色品牌，每年至多 {MOST_BRANDS} 个",
            f"{chosen} national brands are already chosen for {year}; at most {MOST_BRANDS} a year",
            "kind",
        )
    return None


def brands_short(chosen: int, year: int, this_year: int) -> bool:
    """Art. 6(5): once a year is over, at least three national brands were chosen for it."""
    return year < this_year and chosen < FEWEST_BRANDS


def certificate_number(year: int, sequence: int) -> str:
    """`GX-2026-0001`: the year and the grant's place in it; never reused, revoked or not."""
    return f"GX-{year}-{sequence:04d}"


def duplicate_error(kind: RecognitionKind, year: int) -> UserFacingError:
    return UserFacingError(
        ErrorCode.DUPLICATE,
        f"该获得者 {year} 年已获{kind.zh}",
        f"the holder already has a {kind.en.lower()} for {year}",
        "kind",
    )
