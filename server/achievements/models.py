import datetime as dt

from sqlalchemy import (
    BigInteger,
    Computed,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base, Timestamped
from server.vocabulary import AchievementKind, Visibility

# The search lexemes of an achievement, worked out by PostgreSQL itself with the news' own
# `search_lexemes` (the migration `7c3e9a5d1f24`) from its title, summary and subject.
SEARCH_LEXEMES = (
    "array_to_tsvector(search_lexemes(title || ' ' || summary || ' ' || coalesce(subject, '')))"
)


class Achievement(Timestamped, Base):
    """成果: what a community or one of its member units produced (Art. 6b, 16(6)): a paper,
    a case, a brand, a publication, a course resource or a platform. Tenant-owned; read as
    its visibility says (kept to the community, shared with every community, or public)."""

    __tablename__ = "achievements"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community_id", "sub_topic_id"], ["sub_topics.community_id", "sub_topics.id"]
        ),
        Index("ix_achievements_community_id_visibility_id", "community_id", "visibility", "id"),
        Index("ix_achievements_search", "search", postgresql_using="gin"),
        # Is an upload one of a readable achievement's files? Asked by `GET /uploads/{id}`
        # for any community: an index that does not lead with the community, like news'.
        Index("ix_achievements_upload_ids", "upload_ids", postgresql_using="gin"),
        # The main platform's latest public achievements across communities, newest first.
        Index("ix_achievements_public_id", "id", postgresql_where=text("visibility = 'PUBLIC'")),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[AchievementKind] = mapped_column(vocabulary(AchievementKind))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(postgresql.ARRAY(String(100)))
    sub_topic_id: Mapped[int | None] = mapped_column(BigInteger)
    upload_ids: Mapped[list[int]] = mapped_column(
        postgresql.ARRAY(BigInteger), server_default=text("'{}'"), default=list
    )
    links: Mapped[list[str]] = mapped_column(
        postgresql.ARRAY(Text), server_default=text("'{}'"), default=list
    )
    visibility: Mapped[Visibility] = mapped_column(vocabulary(Visibility))
    # A course resource's (16(6)): what it teaches, to whom, in what form; null otherwise.
    subject: Mapped[str | None] = mapped_column(String(100))
    audience: Mapped[str | None] = mapped_column(String(100))
    format: Mapped[str | None] = mapped_column(String(100))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Deferred: only the search condition reads it, never a page.
    search: Mapped[str] = mapped_column(
        TSVECTOR, Computed(SEARCH_LEXEMES, persisted=True), deferred=True
    )
