"""Joint research (Art. 5(4), 16(7), 17(3)): what a sub-topic may go through, and when a
community is expected to carry one. One definition for the mutations that refuse and for the
audit that warns (`server/compliance/checks.py`, rule `joint-research`)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from server.errors import ErrorCode, UserFacingError
from server.vocabulary import ReviewDecision, SubTopicStatus, TopicStage

# A community is expected to carry a sub-topic once it is this many days into its cycle.
JOINT_RESEARCH_DAYS = 365
# The sub-topics that count as the community's joint research: approved, or carried to their
# conclusion. A pending or rejected registration does not.
CARRIED = frozenset({SubTopicStatus.APPROVED, SubTopicStatus.CONCLUDED})


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a Registered)
class Registered:
    """A sub-topic as the rule sees it: where it is, and the days it began and ended."""

    status: SubTopicStatus
    registered_on: dt.date
    concluded_on: dt.date | None = None


def carried_in_cycle(sub_topic: Registered, cycle_start: dt.date, cycle_end: dt.date) -> bool:
    """Approved or concluded, and under way at some time of the cycle: registered by its end
    and not concluded before it began (a renewed community's last cycle's concluded work
    does not count for the new one)."""
    return (
        sub_topic.status in CARRIED
        and sub_topic.registered_on <= cycle_end
        and (sub_topic.concluded_on is None or sub_topic.concluded_on >= cycle_start)
    )


def joint_research_missing(
    sub_topics: Iterable[Registered], cycle_start: dt.date, cycle_end: dt.date, today: dt.date
) -> bool:
    """Art. 16(7): once 365 days into its cycle, a community carries at least one approved
    (or concluded) sub-topic under the national topic."""
    if today < cycle_start + dt.timedelta(days=JOINT_RESEARCH_DAYS):
        return False
    return not any(carried_in_cycle(s, cycle_start, cycle_end) for s in sub_topics)


def year_error(year: int) -> UserFacingError | None:
    if not 2000 <= year <= 2100:
        return UserFacingError(ErrorCode.INVALID_INPUT, "年份无效", "not a plausible year", "year")
    return None


def required(value: str | None, field: str, zh: str, en: str) -> str:
    """The text trimmed; INVALID_INPUT naming `field` when it is blank."""
    written = (value or "").strip()
    if not written:
        raise UserFacingError(ErrorCode.INVALID_INPUT, zh, en, field)
    return written


def review_error(
    status: SubTopicStatus, decision: ReviewDecision, comment: str | None
) -> UserFacingError | None:
    """Only a pending sub-topic is reviewed; a rejection says why."""
    if status is not SubTopicStatus.PENDING:
        return UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            f"该子课题{status.zh}，只能审核待审核的子课题",
            f"the sub-topic is {status.en.lower()}; only a pending one is reviewed",
            "id",
        )
    if decision is ReviewDecision.REJECT and not (comment or "").strip():
        return UserFacingError(
            ErrorCode.INVALID_INPUT,
            "不予立项须填写审核意见",
            "a rejection needs a comment",
            "comment",
        )
    return None


def reviewed(decision: ReviewDecision) -> SubTopicStatus:
    return (
        SubTopicStatus.APPROVED if decision is ReviewDecision.APPROVE else SubTopicStatus.REJECTED
    )


def report_error(status: SubTopicStatus) -> UserFacingError | None:
    """Reports follow approval and end with the conclusion."""
    if status is SubTopicStatus.APPROVED:
        return None
    if status is SubTopicStatus.CONCLUDED:
        zh, en = "该子课题已结题，不再提交报告", "the sub-topic is concluded; no report follows"
    else:
        zh = f"该子课题{status.zh}，立项后方可提交报告"
        en = f"the sub-topic is {status.en.lower()}; reports follow its approval"
    return UserFacingError(ErrorCode.INVALID_TRANSITION, zh, en, "subTopicId")


def after_report(stage: TopicStage) -> SubTopicStatus:
    """A conclusion report closes the sub-topic; a progress report leaves it under way."""
    return SubTopicStatus.CONCLUDED if stage is TopicStage.CONCLUSION else SubTopicStatus.APPROVED
