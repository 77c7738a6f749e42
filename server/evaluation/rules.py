"""Evaluation rounds (评审, Art. 17(4)): what a round's criteria and a review's scores must be,
how a ranking is worked out, and when an expert may not review an achievement. One definition
for the mutations that refuse and for the pages that explain."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from server.clock import chinese_date
from server.errors import ErrorCode, UserFacingError
from server.vocabulary import RoundStatus

# A round scores each nomination on 1 to 10 criteria, each weighted 1 to 100.
MOST_CRITERIA = 10
MOST_WEIGHT = 100
CRITERION_CHARACTERS = 50
# Each criterion is scored from 0 to 100 (百分制).
HIGHEST_SCORE = 100


def _invalid(zh: str, en: str, field: str) -> UserFacingError:
    return UserFacingError(ErrorCode.INVALID_INPUT, zh, en, field)


def criteria_error(criteria: Sequence[tuple[str, int]]) -> UserFacingError | None:
    """1-10 criteria with distinct, non-blank names of at most 50 characters, each weighted
    1-100."""
    if not 1 <= len(criteria) <= MOST_CRITERIA:
        return _invalid(
            f"评审指标须为 1 至 {MOST_CRITERIA} 项",
            f"a round has 1 to {MOST_CRITERIA} criteria",
            "criteria",
        )
    names = [name.strip() for name, _ in criteria]
    if any(not name or len(name) > CRITERION_CHARACTERS for name in names):
        return _invalid(
            f"每项评审指标须有名称，且不超过 {CRITERION_CHARACTERS} 字",
            f"each criterion needs a name of at most {CRITERION_CHARACTERS} characters",
            "criteria",
        )
    if len(set(names)) != len(names):
        return _invalid("评审指标名称不能重复", "criteria names must differ", "criteria")
    if any(not 1 <= weight <= MOST_WEIGHT for _, weight in criteria):
        return _invalid(
            f"指标权重须在 1 至 {MOST_WEIGHT} 之间",
            f"each weight is between 1 and {MOST_WEIGHT}",
            "criteria",
        )
    return None


def closes_on_error(closes_on: dt.date, today: dt.date) -> UserFacingError | None:
    if closes_on < today:
        return _invalid(
            "申报截止日期不能早于今天", "nominations cannot close before today", "closesOn"
        )
    return None


def nominations_closed(
    status: RoundStatus, closes_on: dt.date, today: dt.date
) -> UserFacingError | None:
    """Nominations are taken while the round is open, up to and including its closing day."""
    if closed := round_closed(status, "roundId"):
        return closed
    if today > closes_on:
        return UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            f"该评审已于{chinese_date(closes_on)}截止申报",
            f"nominations closed on {closes_on.isoformat()}",
            "roundId",
        )
    return None


def round_closed(status: RoundStatus, field: str) -> UserFacingError | None:
    if status is RoundStatus.CLOSED:
        return UserFacingError(
            ErrorCode.INVALID_TRANSITION, "该评审已结束", "the round is closed", field
        )
    return None


def scores_error(
    criteria: Sequence[str], scores: Sequence[tuple[str, int]]
) -> UserFacingError | None:
    """One score of 0-100 for each of the round's criteria, none for anything else."""
    given = [name.strip() for name, _ in scores]
    if unknown := [name for name in given if name not in criteria]:
        return _invalid(
            f"评审指标“{unknown[0]}”不属于本轮评审",
            f"'{unknown[0]}' is not one of the round's criteria",
            "scores",
        )
    if len(set(given)) != len(given):
        return _invalid("每项指标只能评一次分", "each criterion is scored once", "scores")
    if missing := [name for name in criteria if name not in given]:
        return _invalid(f"请为“{missing[0]}”评分", f"'{missing[0]}' is not scored", "scores")
    if any(not 0 <= score <= HIGHEST_SCORE for _, score in scores):
        return _invalid(
            f"分数须在 0 至 {HIGHEST_SCORE} 之间",
            f"each score is between 0 and {HIGHEST_SCORE}",
            "scores",
        )
    return None


def weighted(scores: Mapping[str, int], criteria: Sequence[tuple[str, int]]) -> float:
    """One reviewer's score of a nomination: the weighted mean of their criterion scores."""
    total = sum(weight for _, weight in criteria)
    return sum(scores[name] * weight for name, weight in criteria) / total


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a Ranked)
class Ranked:
    nomination_id: int
    weighted_score: float
    spread: float
    rank: int


def ranking(reviewed: Mapping[int, Sequence[float]]) -> list[Ranked]:
    """The nominations with at least one review, best first: each one's mean of its reviewers'
    weighted scores and their spread (highest less lowest), both to two decimals. Equal
    scores share a rank, and the next rank skips as many (1, 2, 2, 4)."""
    scored = sorted(
        (
            (round(fmean(scores), 2), round(max(scores) - min(scores), 2), nomination_id)
            for nomination_id, scores in reviewed.items()
            if scores
        ),
        key=lambda entry: (-entry[0], entry[2]),
    )
    ranked: list[Ranked] = []
    for place, (score, spread, nomination_id) in enumerate(scored, start=1):
        rank = ranked[-1].rank if ranked and ranked[-1].weighted_score == score else place
        ranked.append(Ranked(nomination_id, score, spread, rank))
    return ranked


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes an Interest)
class Interest:
    """What ties an expert to a nominated achievement: the unit the expert works for, the
    achievement's unit, its community's active member units, and whether the expert is
    assigned to guide that community."""

    expert_unit_id: int | None
    achievement_unit_id: int | None
    community_unit_ids: frozenset[int]
    guides_community: bool


def conflict_error(interest: Interest) -> UserFacingError | None:
    """Derived conflicts of interest (回避): an expert never reviews an achievement of the unit
    they work for, of a community their unit belongs to, or of a community they guide."""
    unit = interest.expert_unit_id
    if unit is not None and unit == interest.achievement_unit_id:
        reason = ("该专家所在单位即成果所属单位", "the expert works for the achievement's unit")
    elif unit is not None and unit in interest.community_unit_ids:
        reason = (
            "该专家所在单位是成果所属共同体的成员单位",
            "the expert's unit is a member of the achievement's community",
        )
    elif interest.guides_community:
        reason = (
            "该专家是成果所属共同体的指导专家",
            "the expert is assigned to guide the achievement's community",
        )
    else:
        return None
    return UserFacingError(
        ErrorCode.CONFLICT_OF_INTEREST,
        f"{reason[0]}，须回避",
        f"conflict of interest: {reason[1]}",
        "expertUserId",
    )
