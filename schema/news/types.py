import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry
from sqlalchemy import ColumnElement, ScalarSelect, select

from schema.core.context import Context
from schema.core.node import Node, fetches
from schema.core.projection import label, per_row, projected, related
from schema.uploads.types import upload_url
from server.accounts.models import User
from server.news import models
from server.news.service import may_read
from server.vocabulary import NewsStatus

if TYPE_CHECKING:
    # Its module imports this one: strawberry reads it lazily, the type checker directly.
    from schema.communities.types import Community
else:
    Community = Annotated["Community", strawberry.lazy("schema.communities.types")]


def author_name(user_id: int | ColumnElement[int]) -> ScalarSelect[str]:
    """Who wrote an item, as the public reads it: the display name, never the account."""
    return select(User.display_name).where(User.id == user_id).scalar_subquery()


@projected(models.News, id=("community_id", "id"), community="community_id")
@strawberry.type(
    description="新闻: a community's news item (Art. 5(6), 16(10)); public once published, a "
    "draft only for the community's leader and deputies."
)
class News(Node):
    id: strawberry.ID
    title: str
    body: str = strawberry.field(description="Markdown, as written")
    body_html: str = strawberry.field(
        description="the body as HTML, sanitised: no script, event handler or javascript: URL; "
        "images only from this platform's /uploads/{id}"
    )
    status: NewsStatus
    status_label: str = label("status", NewsStatus)
    published_at: dt.datetime | None = strawberry.field(
        description="when it was last published; null for a draft"
    )
    featured: bool = strawberry.field(description="featured on the main platform")
    created_at: dt.datetime
    updated_at: dt.datetime | None
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.News], "News"]]
    author_user_id: strawberry.Private[int]
    cover_upload_id: strawberry.Private[int | None]

    community: Community = related("Community", "community_id", same_community=True)
    author: str = per_row(
        author_name, key="author_user_id", description="who wrote it (display name)"
    )
    cover_url: str | None = upload_url(
        "cover_upload_id", description="its cover picture (`GET /uploads/{id}`), if any"
    )


@fetches("News", arity=2)
async def fetch_news(context: Context, keys: tuple[int, ...]) -> News | None:
    guard = await context.guard()
    async with context.transaction(keys[0]) as session:
        row = await session.get(models.News, keys)
    return News.of(row) if row is not None and may_read(guard, row) else None
