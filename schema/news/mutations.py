import strawberry

from policies.permissions import Permission
from schema.communities.types import Community
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import REPORT, limited
from schema.core.mutations import Attempt, mutation
from schema.news.types import News
from server import markdown
from server.news import rules, service
from server.vocabulary import NewsStatus

BODY = "Markdown; pictures only as `![...](/uploads/{id})` of PNG or JPEG uploads"


@strawberry.input
class CreateNewsInput:
    community_slug: str
    title: str
    body: str = limited(REPORT, description=BODY)
    cover_upload_id: strawberry.ID | None = strawberry.field(
        default=None, description="a PNG or JPEG sent to POST /uploads"
    )


@strawberry.input(description="Only what is given changes.")
class UpdateNewsInput:
    id: strawberry.ID
    title: str | None = None
    body: str | None = limited(REPORT, default=None, description=BODY)
    cover_upload_id: strawberry.ID | None = None
    remove_cover: bool = strawberry.field(default=False, description="shows no cover any more")


@strawberry.input
class NewsIdInput:
    id: strawberry.ID


@strawberry.input
class FeatureNewsInput:
    id: strawberry.ID
    featured: bool


@strawberry.input(description="Only what is given changes; a blank intro or colour clears it.")
class UpdateCommunityProfileInput:
    community_slug: str
    intro: str | None = limited(REPORT, default=None, description=BODY)
    logo_upload_id: strawberry.ID | None = None
    banner_upload_id: strawberry.ID | None = None
    colour: str | None = strawberry.field(default=None, description="`#rrggbb`")


@strawberry.type
class NewsPayload:
    news: News | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class UpdateCommunityProfilePayload:
    community: Community | None = None
    errors: list[UserError] = refusals()


def _upload_id(global_id: strawberry.ID | None) -> int | None:
    return None if global_id is None else ids.decode_as(global_id, "Upload")[0]


def _pictures(text: str | None, field: str) -> list[int] | None:
    """The uploads a Markdown text shows, by their ids; None for no text."""
    if text is None:
        return None
    shown = rules.uploaded_pictures(markdown.image_sources(text), field)
    return [ids.decode_as(upload, "Upload")[0] for upload in shown]


async def _news_keys(attempt: Attempt, global_id: strawberry.ID) -> tuple[int, int]:
    community_id, news_id = ids.decode_as(global_id, "News", 2)
    await attempt.context.refuse_other_tenant(community_id)
    return community_id, news_id


@strawberry.type
class NewsMutations:
    @mutation(
        Permission.NEWS_WRITE,
        description="Leader, deputy or project group: a news item for the community's "
        "sub-platform, saved as a draft (Art. 5(6), 16(10)).",
    )
    async def create_news(self, attempt: Attempt, input: CreateNewsInput) -> NewsPayload:
        community = await attempt.context.access_community(input.community_slug)
        cover = _upload_id(input.cover_upload_id)
        pictures = _pictures(input.body, "body") or []
        async with attempt.transaction(community.id) as session:
            news = await service.create_news(
                session, attempt.guard, community.id, input.title, input.body, cover, pictures
            )
        return NewsPayload(news=News.of(news))

    @mutation(
        Permission.NEWS_WRITE,
        description="Leader, deputy or project group: edits a news item, draft or published.",
    )
    async def update_news(self, attempt: Attempt, input: UpdateNewsInput) -> NewsPayload:
        community_id, news_id = await _news_keys(attempt, input.id)
        cover = _upload_id(input.cover_upload_id)
        pictures = _pictures(input.body, "body")
        async with attempt.transaction(community_id) as session:
            news = await service.update_news(
                session,
                attempt.guard,
                community_id,
                news_id,
                input.title,
                input.body,
                cover,
                input.remove_cover,
                pictures,
            )
        return NewsPayload(news=News.of(news))

    @mutation(
        Permission.NEWS_WRITE,
        description="Leader, deputy or project group: shows a draft on the sub-platform and "
        "the main platform, with its pictures.",
    )
    async def publish_news(self, attempt: Attempt, input: NewsIdInput) -> NewsPayload:
        community_id, news_id = await _news_keys(attempt, input.id)
        async with attempt.transaction(community_id) as session:
            news = await service.set_status(
                session, attempt.guard, community_id, news_id, NewsStatus.PUBLISHED
            )
        return NewsPayload(news=News.of(news))

    @mutation(
        Permission.NEWS_WRITE,
        description="Leader, deputy or project group: takes a published item back to a draft.",
    )
    async def unpublish_news(self, attempt: Attempt, input: NewsIdInput) -> NewsPayload:
        community_id, news_id = await _news_keys(attempt, input.id)
        async with attempt.transaction(community_id) as session:
            news = await service.set_status(
                session, attempt.guard, community_id, news_id, NewsStatus.DRAFT
            )
        return NewsPayload(news=News.of(news))

    @mutation(
        Permission.NEWS_FEATURE,
        description="Project group: features a news item on the main platform, or stops.",
    )
    async def feature_news(self, attempt: Attempt, input: FeatureNewsInput) -> NewsPayload:
        community_id, news_id = await _news_keys(attempt, input.id)
        async with attempt.transaction(community_id) as session:
            news = await service.feature_news(
                session, attempt.guard, community_id, news_id, input.featured
            )
        return NewsPayload(news=News.of(news))

    @mutation(
        Permission.PROFILE_EDIT,
        description="Leader, deputy or project group: the sub-platform's introduction "
        "(Markdown), logo, banner and colour.",
    )
    async def update_community_profile(
        self, attempt: Attempt, input: UpdateCommunityProfileInput
    ) -> UpdateCommunityProfilePayload:
        community = await attempt.context.access_community(input.community_slug)
        logo = _upload_id(input.logo_upload_id)
        banner = _upload_id(input.banner_upload_id)
        pictures = _pictures(input.intro, "intro")
        async with attempt.transaction(community.id) as session:
            updated = await service.update_profile(
                session,
                attempt.guard,
                community.id,
                input.intro,
                logo,
                banner,
                input.colour,
                pictures,
            )
        return UpdateCommunityProfilePayload(community=Community.of(updated))
