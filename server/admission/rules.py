"""Admission's rules (Art. 7, 8(1)), each in one place: what a call, an application and a
review must hold. The service calls these before it changes anything."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from server.errors import ErrorCode, UserFacingError
from server.vocabulary import AdmissionCondition, ApplicationStatus, Level, ReviewDecision

FIRST_YEAR, LAST_YEAR = 2000, 2100  # a call's year outside these is a typing slip


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes an ApplicantUnit)
class ApplicantUnit:
    name: str
    level: Level
    division_code: str
    address: str
    responsible_person: str
    project_team: str


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a ConditionAnswer)
class ConditionAnswer:
    condition: AdmissionCondition
    evidence: str
    upload_id: int | None = None


def call_error(
    title: str, year: int, opens_on: dt.date, closes_on: dt.date
) -> UserFacingError | None:
    """A call has a title, closes on or after the day it opens, and a plausible year."""
    if not title.strip():
        return UserFacingError(
            ErrorCode.INVALID_INPUT, "请填写通知标题", "a title is required", "title"
        )
    if closes_on < opens_on:
        return UserFacingError(
            ErrorCode.INVALID_INPUT,
            "截止日期不能早于开始日期",
            "the call cannot close before it opens",
            "closesOn",
        )
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return UserFacingError(ErrorCode.INVALID_INPUT, "年份无效", "not a plausible year", "year")
    return None


def closed_error(opens_on: dt.date, closes_on: dt.date, on: dt.date) -> UserFacingError | None:
    """A call takes applications from the day it opens to the day it closes, both included."""
    if opens_on <= on <= closes_on:
        return None
    return UserFacingError(
        ErrorCode.CALL_CLOSED,
        f"申报时间为 {opens_on} 至 {closes_on}，现不在申报期内",
        f"the call is open from {opens_on} to {closes_on}",
        "callId",
    )


def unit_error(unit: ApplicantUnit) -> UserFacingError | None:
    """The applicant names the unit, its address, the person responsible and the project
    team."""
    for field, value in (
        ("name", unit.name),
        ("address", unit.address),
        ("responsiblePerson", unit.responsible_person),
        ("projectTeam", unit.project_team),
    ):
        if not value.strip():
            return UserFacingError(
                ErrorCode.INVALID_INPUT,
                "申报单位信息不完整",
                f"{field} is required",
                f"unit.{field}",
            )
    return None


def answers_error(answers: Sequence[ConditionAnswer]) -> UserFacingError | None:
    """Art. 7: all seven conditions, each answered once, each with evidence."""
    given = [a.condition for a in answers]
    missing = [c for c in AdmissionCondition if c not in given]
    if missing or len(given) != len(set(given)):
        names = "、".join(c.zh for c in missing) or "重复的条件"
        names_en = ", ".join(c.value for c in missing) or "none, but one twice"
        return UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"第七条的七项准入条件须逐项作答（缺：{names}）",
            f"answer each of the seven conditions of Art. 7 once (missing: {names_en})",
            "conditions",
        )
    for i, answer in enumerate(answers):
        if not answer.evidence.strip():
            return UserFacingError(
                ErrorCode.INVALID_INPUT,
                f"“{answer.condition.zh}”须附证明材料说明",
                f"{answer.condition.value} needs evidence",
                f"conditions.{i}.evidence",
            )
    return None


def review_error(
    status: ApplicationStatus, decision: ReviewDecision, reason: str | None
) -> UserFacingError | None:
    """An application is reviewed once, while submitted; a rejection says why in writing."""
    if status is not ApplicationStatus.SUBMITTED:
        return UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            f"该申报已是“{status.zh}”，不能再审核",
            f"the application is already {status.value}",
            "applicationId",
        )
    if decision is ReviewDecision.REJECT and not (reason and reason.strip()):
        return UserFacingError(
            ErrorCode.INVALID_INPUT, "不通过须写明理由", "a rejection needs a reason", "reason"
        )
    return None


def reviewed(decision: ReviewDecision) -> ApplicationStatus:
    return (
        ApplicationStatus.APPROVED
        if decision is ReviewDecision.APPROVE
        else ApplicationStatus.REJECTED
    )
