import strawberry

from schema.core.context import Info
from schema.core.pagination import Connection
from schema.core.projection import page, roots
from schema.news.types import News
from server.news.queries import programme_news_statement


@roots
@strawberry.type
class NewsQueries:
    @strawberry.field(
        description="The main platform's news: every community's published items, newest "
        "first; `featuredOnly` keeps those the project group featured. `search` finds items "
        "holding each of its words, Chinese or not (two Hanzi such as 老年 find 老年教育); a "
        "search with no Hanzi, letter or digit finds nothing."
    )
    @page("News", programme_news_statement, newest_first=True)
    async def programme_news(
        self,
        info: Info,
        search: str | None = None,
        featured_only: bool | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[News]:
        raise NotImplementedError  # `page` answers the field: this body never runs
