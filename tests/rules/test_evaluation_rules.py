"""What an evaluation round's criteria and a review's scores must be, how the ranking is
worked out and when an expert has a conflict of interest (Art. 17(4)): plain functions, no
database (`make mutants` runs this file for `server/evaluation/rules.py`)."""

import datetime as dt

import pytest

from server.errors import ErrorCode, UserFacingError
from server.evaluation import rules
from server.vocabulary import RoundStatus

DAY = dt.date(2026, 12, 1)
CRITERIA = [("创新性", 40), ("实效性", 40), ("推广价值", 20)]


def _refusal(error: UserFacingError | None) -> tuple[ErrorCode, str | None] | None:
    return None if error is None else (error.code, error.field)


INVALID = (ErrorCode.INVALID_INPUT, "criteria")


@pytest.mark.parametrize(
    ("criteria", "refused"),
    [
        (CRITERIA, None),
        ([("总体", 1)], None),  # one criterion, the lightest weight
        ([(f"指标{i}", 100) for i in range(10)], None),  # ten, the heaviest
        ([], INVALID),
        ([(f"指标{i}", 10) for i in range(11)], INVALID),
        ([("创新性", 0)], INVALID),
        ([("创新性", 101)], INVALID),
        ([("创新性", -5)], INVALID),
        ([("创新性", 50), (" 创新性 ", 50)], INVALID),
        ([("  ", 50)], INVALID),
        ([("指" * 50, 50)], None),
        ([("指" * 51, 50)], INVALID),
    ],
)
def test_a_round_scores_on_one_to_ten_named_criteria_weighted_one_to_a_hundred(criteria, refused):
    assert _refusal(rules.criteria_error(criteria)) == refused


def test_the_closing_day_is_today_or_later():
    assert rules.closes_on_error(DAY, DAY) is None
    assert _refusal(rules.closes_on_error(DAY - dt.timedelta(days=1), DAY)) == (
        ErrorCode.INVALID_INPUT,
        "closesOn",
    )


def test_nominations_are_taken_up_to_and_including_the_closing_day_of_an_open_round():
    assert rules.nominations_closed(RoundStatus.OPEN, DAY, DAY) is None
    late = rules.nominations_closed(RoundStatus.OPEN, DAY, DAY + dt.timedelta(days=1))
    assert _refusal(late) == (ErrorCode.INVALID_TRANSITION, "roundId")
    assert late is not None and "2026年12月1日" in late.zh
    closed = rules.nominations_closed(RoundStatus.CLOSED, DAY, DAY)
    assert _refusal(closed) == (ErrorCode.INVALID_TRANSITION, "roundId")
    assert rules.round_closed(RoundStatus.OPEN, "assignmentId") is None
    assert _refusal(rules.round_closed(RoundStatus.CLOSED, "assignmentId")) == (
        ErrorCode.INVALID_TRANSITION,
        "assignmentId",
    )


NAMES = [name for name, _ in CRITERIA]


@pytest.mark.parametrize(
    ("scores", "refused"),
    [
        ([("创新性", 0), ("实效性", 100), ("推广价值", 50)], None),
        ([("推广价值", 50), ("创新性", 0), ("实效性", 100)], None),  # any order
        ([("创新性", 90), ("实效性", 80)], "推广价值"),
        ([("创新性", 90), ("实效性", 80), ("推广价值", 70), ("文采", 60)], "文采"),
        ([("创新性", 90), ("创新性", 80), ("实效性", 80), ("推广价值", 70)], "一次"),
        ([("创新性", 101), ("实效性", 80), ("推广价值", 70)], "0 至 100"),
        ([("创新性", -1), ("实效性", 80), ("推广价值", 70)], "0 至 100"),
    ],
)
def test_a_review_scores_each_criterion_once_from_0_to_100(scores, refused):
    error = rules.scores_error(NAMES, scores)
    if refused is None:
        assert error is None
    else:
        assert _refusal(error) == (ErrorCode.INVALID_INPUT, "scores")
        assert error is not None and refused in error.zh


def test_a_refused_review_names_the_first_criterion_unknown_or_missing():
    unknown = rules.scores_error(NAMES, [("文采", 1), ("字数", 2)])
    missing = rules.scores_error(NAMES, [("推广价值", 70)])
    assert unknown is not None and "文采" in unknown.zh and "文采" in unknown.en
    assert "字数" not in unknown.zh + unknown.en
    assert missing is not None and "创新性" in missing.zh and "创新性" in missing.en
    assert "实效性" not in missing.zh + missing.en


def test_a_reviewers_score_is_the_weighted_mean_of_its_criterion_scores():
    assert rules.weighted({"创新性": 90, "实效性": 80, "推广价值": 70}, CRITERIA) == 82.0
    assert rules.weighted({"创新性": 70, "实效性": 60, "推广价值": 100}, CRITERIA) == 72.0
    assert rules.weighted({"总体": 63}, [("总体", 7)]) == 63.0


def test_the_ranking_takes_each_nominations_mean_and_spread_and_shares_equal_ranks():
    ranked = rules.ranking(
        {
            11: [82.0, 72.0],  # mean 77.0, spread 10.0
            12: [80.0],
            13: [77.0, 77.0],  # the same mean as 11: the same rank
            14: [60.5, 61.0, 59.0],  # mean 60.17, spread 2.0
            15: [],  # no review submitted: not ranked
        }
    )
    assert [(r.nomination_id, r.weighted_score, r.spread, r.rank) for r in ranked] == [
        (12, 80.0, 0.0, 1),
        (11, 77.0, 10.0, 2),
        (13, 77.0, 0.0, 2),
        (14, 60.17, 2.0, 4),
    ]
    assert rules.ranking({}) == []
    (precise,) = rules.ranking({16: [61.234, 60.0]})
    assert (precise.weighted_score, precise.spread) == (60.62, 1.23)


def _interest(**changes) -> rules.Interest:
    return rules.Interest(
        **{
            "expert_unit_id": 7,
            "achievement_unit_id": 3,
            "community_unit_ids": frozenset({1, 2, 3}),
            "guides_community": False,
            **changes,
        }
    )


@pytest.mark.parametrize(
    ("interest", "why"),
    [
        (_interest(), None),
        (_interest(expert_unit_id=None, achievement_unit_id=None), None),
        (_interest(expert_unit_id=3), "成果所属单位"),
        (_interest(expert_unit_id=2), "成员单位"),
        (_interest(expert_unit_id=2, achievement_unit_id=None), "成员单位"),
        (_interest(guides_community=True), "指导专家"),
    ],
)
def test_an_expert_never_reviews_its_own_units_its_communitys_or_what_it_guides(interest, why):
    error = rules.conflict_error(interest)
    if why is None:
        assert error is None
    else:
        assert _refusal(error) == (ErrorCode.CONFLICT_OF_INTEREST, "expertUserId")
        assert error is not None and why in error.zh and "回避" in error.zh
        assert error.en.startswith("conflict of interest: the expert")
