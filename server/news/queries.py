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
    tuple_,
    type_coerce,
)

from server.news.models import News, PublishedNewsSearch
from server.vocabulary import NewsStatus


def _as_written(search: Any) -> ColumnElement[bool]:
    """Each word of `search` as written in the title or body, so that "老年" never finds "年老"
    and "老年教育" never finds "老年…年教…教育" scattered, though each holds the pairs asked."""
    words = func.search_patterns(search, type_=ARRAY(Text))
    return (News.title + " " + News.body).ilike(all_(words))


def matching(search: Any) -> ColumnElement[bool]:
    """News of one community whose title or body holds every word of `search`, Chinese or
    not: each pair of adjacent Hanzi and each Latin word (the migration's `search_query`),
    then each word as written. For a statement that has narrowed the items to one community's
    (a few dozen, read through its index); `search` a value, or a parameter."""
    return and_(News.search.bool_op("@@")(func.search_query(search)), _as_written(search))


def published_matching(search: Any) -> ColumnElement[bool]:
    """Published news, of every community, holding every word of `search`, as `matching`
    finds them, but through `published_news_search`, whose GIN index the application can use
    under row-level security: the items holding the words are looked up first, however many
    items the programme has and however few hold them. A materialised CTE keeps PostgreSQL
    from walking the newest items one by one in the hope of meeting a match soon, which is
    slow for a rare word when it guesses the word common (as a prepared statement's generic
    plan does for any word)."""
    found = (
        select(PublishedNewsSearch.community_id, PublishedNewsSearch.news_id)
        .where(PublishedNewsSearch.search.bool_op("@@")(func.search_query(search)))
        .cte()  # anonymous: a document may ask for two searches in one statement
        .prefix_with("MATERIALIZED")
    )
    return and_(
        tuple_(News.community_id, News.id).in_(select(found.c.community_id, found.c.news_id)),
        _as_written(search),
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
        statement = statement.where(published_matching(search))
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
