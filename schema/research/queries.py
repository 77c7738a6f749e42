import strawberry

from schema.core.context import Info
from schema.core.pagination import Connection
from schema.core.projection import page, roots
from schema.research.types import ResearchTopic
from server.research.queries import research_topics_statement


@roots
@strawberry.type
class ResearchQueries:
    @strawberry.field(
        description="The national research topics (总课题, Art. 5(4), 17(3)), newest first "
        "(public)."
    )
    @page("ResearchTopic", research_topics_statement, newest_first=True)
    async def research_topics(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ResearchTopic]:
        raise NotImplementedError  # `page` answers the field: this body never runs
