"""Art. 7, 8(1): a call's dates, the applicant's unit, the seven conditions each answered
once with evidence, and a review that happens once, a rejection with a written reason."""

import datetime as dt

import pytest

from server.admission.rules import (
    ApplicantUnit,
    ConditionAnswer,
    answers_error,
    call_error,
    closed_error,
    review_error,
    reviewed,
    unit_error,
)
from server.errors import ErrorCode
from server.vocabulary import AdmissionCondition, ApplicationStatus, Level, ReviewDecision

OPENS, CLOSES = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def _code_and_field(error):
    return (error.code, error.field) if error else None


@pytest.mark.parametrize(
    ("title", "year", "closes_on", "refused"),
    [
        ("第一批", 2026, CLOSES, None),
        ("第一批", 2026, OPENS, None),  # a call open for one day
        ("第一批", 2026, OPENS - dt.timedelta(days=1), "closesOn"),
        ("  \t", 2026, CLOSES, "title"),
        ("第一批", 2000, CLOSES, None),
        ("第一批", 2100, CLOSES, None),
        ("第一批", 1999, CLOSES, "year"),
        ("第一批", 2101, CLOSES, "year"),
    ],
)
def test_a_call_has_a_title_a_plausible_year_and_closes_on_or_after_it_opens(
    title, year, closes_on, refused
):
    error = call_error(title, year, OPENS, closes_on)
    assert _code_and_field(error) == (refused and (ErrorCode.INVALID_INPUT, refused))


@pytest.mark.parametrize(
    ("on", "open_"),
    [
        (OPENS - dt.timedelta(days=1), False),
        (OPENS, True),
        (CLOSES, True),
        (CLOSES + dt.timedelta(days=1), False),
    ],
)
def test_a_call_takes_applications_from_its_first_to_its_last_day(on, open_):
    error = closed_error(OPENS, CLOSES, on)
    assert _code_and_field(error) == (None if open_ else (ErrorCode.CALL_CLOSED, "callId"))


UNIT = ApplicantUnit("某区社区学院", Level.COUNTY, "110105", "某路1号", "张三", "李四、王五")


@pytest.mark.parametrize(
    ("blank", "field"),
    [
        ("name", "unit.name"),
        ("address", "unit.address"),
        ("responsible_person", "unit.responsiblePerson"),
        ("project_team", "unit.projectTeam"),
    ],
)
def test_each_part_of_the_applicant_unit_is_required(blank, field):
    unit = ApplicantUnit(**{**UNIT.__dict__, blank: " "})
    assert unit_error(UNIT) is None
    assert _code_and_field(unit_error(unit)) == (ErrorCode.INVALID_INPUT, field)


def _answers(conditions=tuple(AdmissionCondition), evidence="见附件"):
    return [ConditionAnswer(c, evidence) for c in conditions]


def test_the_seven_conditions_each_answered_with_evidence_are_enough():
    assert len(AdmissionCondition) == 7
    assert answers_error(_answers()) is None


def test_a_missing_condition_is_named():
    first, *six = AdmissionCondition
    error = answers_error(_answers(six))
    assert _code_and_field(error) == (ErrorCode.INVALID_INPUT, "conditions")
    assert first.zh in error.zh


def test_a_condition_answered_twice_is_refused():
    eight = [*AdmissionCondition, list(AdmissionCondition)[3]]
    error = answers_error(_answers(eight))
    assert _code_and_field(error) == (ErrorCode.INVALID_INPUT, "conditions")
    assert "重复" in error.zh
    assert "none, but one twice" in error.en


@pytest.mark.parametrize("blank_at", [0, 4, 6])
def test_a_condition_without_evidence_is_refused_where_it_stands(blank_at):
    answers = _answers()
    answers[blank_at] = ConditionAnswer(answers[blank_at].condition, " \n ")
    error = answers_error(answers)
    assert _code_and_field(error) == (ErrorCode.INVALID_INPUT, f"conditions.{blank_at}.evidence")


@pytest.mark.parametrize(
    "status", [ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.PUBLISHED]
)
@pytest.mark.parametrize("decision", list(ReviewDecision))
def test_an_application_is_reviewed_only_while_submitted(status, decision):
    error = review_error(status, decision, "理由")
    assert _code_and_field(error) == (ErrorCode.INVALID_TRANSITION, "applicationId")


@pytest.mark.parametrize("reason", [None, "", "   ", "\t\n"])
def test_a_rejection_needs_a_written_reason_an_approval_does_not(reason):
    submitted = ApplicationStatus.SUBMITTED
    refused = review_error(submitted, ReviewDecision.REJECT, reason)
    assert _code_and_field(refused) == (ErrorCode.INVALID_INPUT, "reason")
    assert review_error(submitted, ReviewDecision.APPROVE, reason) is None
    assert review_error(submitted, ReviewDecision.REJECT, "材料不全") is None


def test_a_review_approves_or_rejects():
    assert reviewed(ReviewDecision.APPROVE) is ApplicationStatus.APPROVED
    assert reviewed(ReviewDecision.REJECT) is ApplicationStatus.REJECTED
