"""Statements that read achievements: a community's (what the reader may see of them) and
every community's, searched the way news is (`server/news/queries.py`: the migrations'
`search_query` and `search_patterns`)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Select,
    Text,
    all_,
    and_,
    false,
    func,
    or_,
    select,
    type_coerce,
)

from server.achievements.models import Achievement
from server.vocabulary import AchievementKind, Visibility


def matching(search: Any) -> ColumnElement[bool]:
    """Achievements whose title, summary or subject hold every word of `search`, Chinese or
    not: each pair of adjacent Hanzi and each Latin word, then each run of three Hanzi or
    more as written (as news is searched)."""
    written = (
        Achievement.title + " " + Achievement.summary + " " + func.coalesce(Achievement.subject, "")
    )
    words = func.search_patterns(search, type_=ARRAY(Text))
    return and_(
        Achievement.search.bool_op("@@")(func.search_query(search)), written.ilike(all_(words))
    )


def _flag(value: Any) -> ColumnElement[bool]:
    return type_coerce(value, Boolean)


def readable(own: Any, shared: Any) -> ColumnElement[bool]:
    """What a reader sees of a community's achievements: the public ones; the shared ones when
    `shared` (the reader belongs to some community, is an expert or the project group); all
    when `own` (the reader may read the community's own business). `rules.may_read` is the
    same rule for one achievement in hand."""
    return or_(
        Achievement.visibility == Visibility.PUBLIC,
        and_(Achievement.visibility == Visibility.ALL_COMMUNITIES, _flag(shared)),
        _flag(own),
    )


def _filtered(
    statement: Select[Achievement],
    kind: AchievementKind | None,
    search: str | None,
    visibility: Visibility | None,
) -> Select[Achievement]:
    if visibility is not None:
        statement = statement.where(Achievement.visibility == visibility)
    if kind is not None:
        statement = statement.where(Achievement.kind == kind)
    if search is not None:
        statement = statement.where(matching(search))
    return statement


def community_achievements_statement(
    community_id: int,
    kind: AchievementKind | None = None,
    search: str | None = None,
    visibility: Visibility | None = None,
    own: Any = False,
    shared: Any = False,
) -> Select[Achievement]:
    """A community's achievements the reader may see (`readable`)."""
    statement = select(Achievement).where(
        Achievement.community_id == community_id, readable(own, shared)
    )
    return _filtered(statement, kind, search, visibility)


def programme_achievements_statement(
    kind: AchievementKind | None = None,
    search: str | None = None,
    visibility: Visibility | None = None,
    shared: bool = False,
    own_communities: Sequence[int] | None = (),
) -> Select[Achievement]:
    """Every community's achievements the reader may see: the public ones; the shared ones
    when `shared`; every one of `own_communities` (None: of every community, the project
    group's view)."""
    everything = own_communities is None
    own = false() if not own_communities else Achievement.community_id.in_(list(own_communities))
    statement = select(Achievement).where(
        or_(
            Achievement.visibility == Visibility.PUBLIC,
            and_(Achievement.visibility == Visibility.ALL_COMMUNITIES, _flag(shared)),
            own,
            _flag(everything),
        )
    )
    return _filtered(statement, kind, search, visibility)


def shows_upload(upload_id: int) -> Select[tuple[bool]]:
    """Whether a public achievement has the upload among its files."""
    return select(
        select(Achievement.community_id)
        .where(
            Achievement.visibility == Visibility.PUBLIC,
            Achievement.upload_ids.contains([upload_id]),
        )
        .exists()
    )
