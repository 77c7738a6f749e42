"""Statements that read joint research: the national topics (public), a topic's approved
sub-topics across communities (public programme information), a community's sub-topics (all
of them for its members, its assigned experts and the project group), a sub-topic's reports."""

from typing import Any

from sqlalchemy import Boolean, Select, or_, select, type_coerce

from server.research.models import ResearchTopic, SubTopic, TopicReport
from server.research.rules import CARRIED
from server.vocabulary import SubTopicStatus


def research_topics_statement() -> Select[ResearchTopic]:
    return select(ResearchTopic)


def topic_sub_topics_statement(topic_id: int) -> Select[SubTopic]:
    """A national topic's approved (or concluded) sub-topics, every community's."""
    return select(SubTopic).where(SubTopic.topic_id == topic_id, SubTopic.status.in_(CARRIED))


def community_sub_topics_statement(
    community_id: int, status: SubTopicStatus | None = None, every: Any = False
) -> Select[SubTopic]:
    """A community's sub-topics: the approved and concluded ones for everyone, pending and
    rejected ones too when `every` (the reader may read the community's own business)."""
    statement = select(SubTopic).where(
        SubTopic.community_id == community_id,
        or_(SubTopic.status.in_(CARRIED), type_coerce(every, Boolean)),
    )
    if status is not None:
        statement = statement.where(SubTopic.status == status)
    return statement


def topic_reports_statement(community_id: int, sub_topic_id: int) -> Select[TopicReport]:
    return select(TopicReport).where(
        TopicReport.community_id == community_id, TopicReport.sub_topic_id == sub_topic_id
    )
