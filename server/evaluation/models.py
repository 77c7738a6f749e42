import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base, Timestamped
from server.vocabulary import AssignmentStatus, RoundStatus


class EvaluationRound(Timestamped, Base):
    """评审: a round in which experts score the achievements the communities nominate
    (Art. 17(4)), opened by the project group with its criteria and weights and closed into a
    ranking. Public programme information, like a call for applications: not tenant-owned."""

    __tablename__ = "evaluation_rounds"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    # The achievement kinds it takes (`AchievementKind` values).
    kinds: Mapped[list[str]] = mapped_column(postgresql.ARRAY(String(32)))
    # The last day nominations are taken (Beijing time); reviews go on until it closes.
    closes_on: Mapped[dt.date] = mapped_column(Date)
    # [{"name": ..., "weight": ...}], in the order the project group gave them.
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(postgresql.JSONB)
    status: Mapped[RoundStatus] = mapped_column(vocabulary(RoundStatus), default=RoundStatus.OPEN)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Nomination(Timestamped, Base):
    """An achievement a community put forward to a round (推荐申报). Tenant-owned; its
    weighted score, spread and rank are written when the round closes."""

    __tablename__ = "nominations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community_id", "achievement_id"], ["achievements.community_id", "achievements.id"]
        ),
        UniqueConstraint("round_id", "community_id", "achievement_id"),
        # A round's nominations across communities (its ranking, the project group's list):
        # an index that does not lead with the community, like sub-topics' by topic.
        Index("ix_nominations_round_id_id", "round_id", "id"),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_rounds.id"))
    achievement_id: Mapped[int] = mapped_column(BigInteger)
    nominated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    weighted_score: Mapped[float | None] = mapped_column(Numeric(6, 2, asdecimal=False))
    spread: Mapped[float | None] = mapped_column(Numeric(6, 2, asdecimal=False))
    rank: Mapped[int | None] = mapped_column(Integer)


class ReviewAssignment(Timestamped, Base):
    """One expert assigned to review one nomination: their scores per criterion and comment,
    or the conflict of interest they declared. Tenant-owned (the nomination's community);
    read by the expert, the project group and, once they have submitted their own, the
    nomination's other reviewers."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community_id", "nomination_id"], ["nominations.community_id", "nominations.id"]
        ),
        UniqueConstraint("community_id", "nomination_id", "expert_user_id"),
        # An expert's queue across communities.
        Index("ix_review_assignments_expert_user_id_id", "expert_user_id", "id"),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    nomination_id: Mapped[int] = mapped_column(BigInteger)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[AssignmentStatus] = mapped_column(
        vocabulary(AssignmentStatus), default=AssignmentStatus.ASSIGNED
    )
    # {criterion name: score 0-100}
    scores: Mapped[dict[str, int] | None] = mapped_column(postgresql.JSONB)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    conflict_reason: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
