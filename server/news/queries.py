"""Statements that read news: a community's (its drafts only for those who write them) and
the programme's published news, both searched the one way `search_query` and
`search_patterns` say (the migrations)."""

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

from server.news.models import News, PublishedNewsSearch
from server.vocabulary import NewsStatus


def _as_written(search: Any) -> ColumnElement[bool]:
    """Each run of three Hanzi or more of `search` as written in the title or body, so that
    "老年教育" never finds "老年…年教…教育" scattered, though it holds the pairs asked (a
    shorter run or a Latin word is one lexeme, exact already: `search_patterns`)."""
    words = func.search_patterns(search, type_=ARRAY(Text))
    return (News.title + " " + News.body).ilike(all_(words))


def matching(search: Any) -> ColumnElement[bool]:
    """News of one community whose title or body holds every word of `search`, Chinese or
    not: each pair of adjacent Hanzi and each Latin word (the migration's `search_query`),
    then each word as written. For a statement that has narrowed the items to one community's
    (a few dozen, read through its index); `search` a value, or a parameter."""
    return and_(News.search.bool_op("@@")(func.search_query(search)), _as_written(search))


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
    """Every community's published news; only what the project group featured when asked.
    Searched through `published_news_search`, whose GIN index the application can use under
    row-level security (a GIN index on `news` it could not: `@@` is not leakproof), joined
    rather than fenced off, so that PostgreSQL may choose: for a rare word the index, then the
    few matches ordered; for a common one a walk of its `news_id` index, newest first, that
    stops at the page's end."""
    statement = select(News).where(News.status == NewsStatus.PUBLISHED)
    if search is not None:
        statement = statement.join(
            PublishedNewsSearch,
            and_(
                PublishedNewsSearch.community_id == News.community_id,
                PublishedNewsSearch.news_id == News.id,
            ),
        ).where(
            PublishedNewsSearch.search.bool_op("@@")(func.search_query(search)),
            _as_written(search),
        )
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
