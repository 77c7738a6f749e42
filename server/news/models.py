import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    ForeignKey,
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
from server.vocabulary import NewsStatus

# The search lexemes of a news item, worked out by PostgreSQL itself (`search_lexemes`,
# created by the migration) from its title and body: whatever writes the row, they agree.
SEARCH_LEXEMES = "array_to_tsvector(search_lexemes(title || ' ' || body))"


class News(Timestamped, Base):
    """A community's news item (Art. 5(6), 16(10)): a draft its leader and deputies see, then
    published on its sub-platform and the main platform. Tenant-owned."""

    __tablename__ = "news"
    __table_args__ = (
        Index("ix_news_community_id_status_id", "community_id", "status", "id"),
        # Is an upload shown by published news? Asked by `GET /uploads/{id}` for any
        # community: like `ix_memberships_unit_id`, an index that does not lead with the
        # community (docs/architecture.md, "Data").
        Index("ix_news_upload_ids", "upload_ids", postgresql_using="gin"),
        # The main platform's latest news across communities, newest first: without it
        # PostgreSQL sorted every published item on each visit.
        Index("ix_news_published_id", "id", postgresql_where=text("status = 'PUBLISHED'")),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[NewsStatus] = mapped_column(vocabulary(NewsStatus), default=NewsStatus.DRAFT)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cover_upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    # The cover and every image of the body: public while the item is published.
    upload_ids: Mapped[list[int]] = mapped_column(
        postgresql.ARRAY(BigInteger), server_default=text("'{}'"), default=list
    )
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Deferred: only the search condition reads it, never a page. Searched here within one
    # community (a few items, found by its index); across communities, through
    # `PublishedNewsSearch`.
    search: Mapped[str] = mapped_column(
        TSVECTOR, Computed(SEARCH_LEXEMES, persisted=True), deferred=True
    )


class PublishedNewsSearch(Base):
    """The search lexemes of each published news item, kept by a trigger on `news` (the
    migration `published_news_search`). Under row-level security PostgreSQL uses a GIN index
    only for leakproof operators, which `@@` is not; this table's only reading policy is
    `true` (published news is public), so the index answers the application's searches."""

    __tablename__ = "published_news_search"
    __table_args__ = (
        Index("ix_published_news_search_search", "search", postgresql_using="gin"),
        # Across communities, newest first: the main platform's order (the migration).
        Index("ix_published_news_search_news_id", "news_id"),
    )

    community_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    news_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    search: Mapped[str] = mapped_column(TSVECTOR)
