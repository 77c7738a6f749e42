"""Statements that read news: a community's (its drafts only for those who write them) and
the programme's published news, both searched the one way `matching` says."""

from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Select,
    Text,
    all_,
    and_,
    func,
    or_,
    select,
    type_coerce,
)

from server.news.models import News
from server.vocabulary import NewsStatus


def matching(search: Any) -> ColumnElement[bool]:
    """News whose title or body holds every word of `search`, Chinese or not: the index finds
    the items holding each pair of adjacent Hanzi and each Latin word (the migration's
    `search_query`), then each word is confirmed as written, so "老年" never finds "年老" and
    "老年教育" never finds "老年…年教…教育" scattered. `search` a value, or a parameter."""
    words = func.search_patterns(search, type_=ARRAY(Text))
    return and_(
        News.search.bool_op("@@")(func.search_query(search)),
        (News.title + " " + News.body).ilike(all_(words)),
    )


def _flag(value: Any) -> ColumnElement[bool]:
    return type_coerce(value, Boolean)


def community_news_statement(
    community_id: int, search: str | None = None, drafts: Any = False
) -> Select[News]:
    """A community's news; its drafts too when `drafts` (the reader writes its news)."""
    statement = select(News).where(
        News.community_id == community_id,
        or_(News.status == NewsStatus.PUBLISHED, _flag(drafts)),
    )
    if search is not None:
        statement = statement.where(matching(search))
    return statement


def programme_news_statement(search: str | None = None, featured_only: Any = None) -> Select[News]:
    """Every community's published news; only what the project group featured when asked."""
    statement = select(News).where(News.status == NewsStatus.PUBLISHED)
    if search is not None:
        statement = statement.where(matching(search))
    if featured_only is not None:
        statement = statement.where(or_(News.featured, _flag(featured_only).is_(False)))
    return statement


def shows_upload(upload_id: int) -> Select[tuple[bool]]:
    """Whether a published news item shows the upload (its cover or a picture of its body)."""
    return select(
        select(News.community_id)
        .where(News.status == NewsStatus.PUBLISHED, News.upload_ids.contains([upload_id]))
        .exists()
    )
