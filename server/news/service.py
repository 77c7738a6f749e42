"""News written by a community's leader and deputies (and the project group), published on
its sub-platform and the main platform; the sub-platform's profile. Each picture a text or
a profile shows is an upload checked here, so that what a published page shows is public
(`server/uploads/access.py`) and nothing else is."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server import markdown
from server.access.guard import Actor, Guard
from server.audit.service import record
from server.communities.models import Community
from server.errors import ErrorCode, UserFacingError, not_found
from server.news import rules
from server.news.models import News
from server.uploads.models import Upload
from server.vocabulary import NewsStatus


async def _pictures(
    session: AsyncSession, actor: Actor, upload_ids: Sequence[int], kept: Sequence[int], field: str
) -> list[int]:
    """The uploads a text or a profile shows, each a PNG or JPEG its writer uploaded or one it
    showed already (a deputy's picture stays when the leader edits the text); NOT_FOUND for
    any other, as `GET /uploads/{id}` would answer."""
    wanted = list(dict.fromkeys(upload_ids))
    if not wanted:
        return []
    found = {u.id: u for u in await session.scalars(select(Upload).where(Upload.id.in_(wanted)))}
    for upload_id in wanted:
        upload = found.get(upload_id)
        if upload is None or (upload.owner_user_id != actor.user_id and upload_id not in kept):
            raise UserFacingError(ErrorCode.NOT_FOUND, "图片不存在", "no such image", field)
        if error := rules.image_error(upload.content_type, field):
            raise error
    return wanted


async def create_news(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    title: str,
    body: str,
    cover_upload_id: int | None,
    image_upload_ids: Sequence[int],
) -> News:
    """A draft, seen by the community's writers until it is published."""
    actor = guard.require(Permission.NEWS_WRITE, community_id)
    if error := rules.written_error(title, body):
        raise error
    cover = await _pictures(session, actor, _given(cover_upload_id), (), "coverUploadId")
    images = await _pictures(session, actor, image_upload_ids, (), "body")
    news = News(
        community_id=community_id,
        title=title.strip(),
        body=body,
        body_html=markdown.rendered(body),
        status=NewsStatus.DRAFT,
        featured=False,
        author_user_id=actor.user_id,
        cover_upload_id=cover_upload_id,
        upload_ids=list(dict.fromkeys([*cover, *images])),
    )
    session.add(news)
    await session.flush()
    await _record(session, actor, news, "news.create")
    return news


async def update_news(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    news_id: int,
    title: str | None,
    body: str | None,
    cover_upload_id: int | None,
    remove_cover: bool,
    image_upload_ids: Sequence[int] | None,
) -> News:
    """Changes what is given (`None`: unchanged); a published item stays published."""
    actor = guard.require(Permission.NEWS_WRITE, community_id)
    news = await _news(session, community_id, news_id)
    title = news.title if title is None else title
    body = news.body if body is None else body
    if error := rules.written_error(title, body):
        raise error
    kept = news.upload_ids
    cover: int | None = None if remove_cover else news.cover_upload_id
    if cover_upload_id is not None:
        await _pictures(session, actor, [cover_upload_id], kept, "coverUploadId")
        cover = cover_upload_id
    images = [u for u in kept if u != news.cover_upload_id]
    if image_upload_ids is not None:
        images = await _pictures(session, actor, image_upload_ids, kept, "body")
    news.title = title.strip()
    news.body = body
    news.body_html = markdown.rendered(body)
    news.cover_upload_id = cover
    news.upload_ids = list(dict.fromkeys([*_given(cover), *images]))
    news.updated_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await _record(session, actor, news, "news.update")
    return news


async def set_status(
    session: AsyncSession, guard: Guard, community_id: int, news_id: int, to: NewsStatus
) -> News:
    """Publishes a draft (now) or takes a published item back to a draft."""
    actor = guard.require(Permission.NEWS_WRITE, community_id)
    news = await _news(session, community_id, news_id)
    if error := rules.transition_error(news.status, to):
        raise error
    news.status = to
    news.published_at = dt.datetime.now(dt.UTC) if to is NewsStatus.PUBLISHED else None
    await session.flush()
    action = "news.publish" if to is NewsStatus.PUBLISHED else "news.unpublish"
    await _record(session, actor, news, action)
    return news


async def feature_news(
    session: AsyncSession, guard: Guard, community_id: int, news_id: int, featured: bool
) -> News:
    """The project group features an item on the main platform (or stops)."""
    actor = guard.require(Permission.NEWS_FEATURE, community_id)
    news = await _news(session, community_id, news_id)
    news.featured = featured
    await session.flush()
    await _record(session, actor, news, "news.feature")
    return news


def may_read(guard: Guard, news: News) -> bool:
    """Published news is public; a draft is its community's writers'."""
    return news.status is NewsStatus.PUBLISHED or guard.allows(
        Permission.NEWS_WRITE, news.community_id
    )


async def update_profile(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    intro: str | None,
    logo_upload_id: int | None,
    banner_upload_id: int | None,
    colour: str | None,
    image_upload_ids: Sequence[int] | None,
) -> Community:
    """The sub-platform's introduction, logo, banner and colour: what is given changes (a
    blank introduction or colour clears it)."""
    actor = guard.require(Permission.PROFILE_EDIT, community_id)
    community = await session.get(Community, community_id, with_for_update=True)
    if community is None:
        raise not_found("共同体", "community")
    kept = community.profile_upload_ids
    # The introduction's pictures as they stand: a logo or banner replaced is not one of them.
    shown_by_intro = [
        u for u in kept if u not in (community.logo_upload_id, community.banner_upload_id)
    ]
    if logo_upload_id is not None:
        await _pictures(session, actor, [logo_upload_id], kept, "logoUploadId")
        community.logo_upload_id = logo_upload_id
    if banner_upload_id is not None:
        await _pictures(session, actor, [banner_upload_id], kept, "bannerUploadId")
        community.banner_upload_id = banner_upload_id
    pictures = shown_by_intro
    if intro is not None:
        written = intro.strip()
        community.intro = written or None
        community.intro_html = markdown.rendered(written) if written else None
        pictures = await _pictures(session, actor, image_upload_ids or (), kept, "intro")
    if colour is not None:
        community.colour = rules.colour_of(colour) if colour.strip() else None
    shown = [*_given(community.logo_upload_id), *_given(community.banner_upload_id), *pictures]
    community.profile_upload_ids = list(dict.fromkeys(shown))
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="community.profile",
        target_type="Community",
        target_id=community.id,
        community_id=community.id,
        after={"colour": community.colour, "uploads": community.profile_upload_ids},
    )
    return community


def _given(upload_id: int | None) -> list[int]:
    return [] if upload_id is None else [upload_id]


async def _news(session: AsyncSession, community_id: int, news_id: int) -> News:
    news = await session.get(News, (community_id, news_id), with_for_update=True)
    if news is None:
        raise not_found("新闻", "news item")
    return news


async def _record(session: AsyncSession, actor: Actor, news: News, action: str) -> None:
    await record(
        session,
        actor_user_id=actor.user_id,
        action=action,
        target_type="News",
        target_id=news.id,
        community_id=news.community_id,
        after={"status": news.status.value, "featured": news.featured, "title": news.title},
    )
