import datetime as dt

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base, Timestamped
from server.vocabulary import SubTopicStatus, TopicStage


class ResearchTopic(Timestamped, Base):
    """总课题: the programme's national research topic (Art. 5(4), 17(3)), opened by the
    project group; the communities take up sub-topics under it. Not tenant-owned."""

    __tablename__ = "research_topics"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SubTopic(Timestamped, Base):
    """子课题: a community's (or one member unit's) research under a national topic
    (Art. 16(7)), registered by its leader or deputies and reviewed by the project group.
    Tenant-owned; once approved, its title and who carries it are public."""

    __tablename__ = "sub_topics"
    __table_args__ = (
        Index("ix_sub_topics_community_id_status_id", "community_id", "status", "id"),
        # A national topic's sub-topics across communities: like `ix_memberships_unit_id`,
        # an index that does not lead with the community (docs/architecture.md, "Data").
        Index("ix_sub_topics_topic_id_id", "topic_id", "id"),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("research_topics.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(String(200))
    leader_name: Mapped[str] = mapped_column(String(100))
    member_unit_ids: Mapped[list[int]] = mapped_column(
        postgresql.ARRAY(BigInteger), server_default=text("'{}'"), default=list
    )
    plan: Mapped[str] = mapped_column(Text)
    status: Mapped[SubTopicStatus] = mapped_column(
        vocabulary(SubTopicStatus), default=SubTopicStatus.PENDING
    )
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    concluded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class TopicReport(Timestamped, Base):
    """A sub-topic's progress or conclusion report (中期/结题报告); the conclusion closes the
    sub-topic. Tenant-owned, read as its sub-topic's plan is."""

    __tablename__ = "topic_reports"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community_id", "sub_topic_id"], ["sub_topics.community_id", "sub_topics.id"]
        ),
        Index(
            "ix_topic_reports_community_id_sub_topic_id_id", "community_id", "sub_topic_id", "id"
        ),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    sub_topic_id: Mapped[int] = mapped_column(BigInteger)
    stage: Mapped[TopicStage] = mapped_column(vocabulary(TopicStage))
    body: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The achievements a conclusion report names as the sub-topic's outputs (Art. 6b).
    achievement_ids: Mapped[list[int]] = mapped_column(
        postgresql.ARRAY(BigInteger), server_default=text("'{}'"), default=list
    )
