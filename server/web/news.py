"""The news on the web: an article's page, and the Atom feeds of the main platform and of each
sub-platform (Art. 5(6), 16(10)), from the same API as every page and as the visitor."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from server.web.execution import PageFailed
from server.web.rendering import TEMPLATES, keepable, render

if TYPE_CHECKING:
    from server.web.routes import Pages

ATOM = "application/atom+xml; charset=utf-8"
FEED_ENTRIES = 20
# Atom needs an `updated` even before anything is published; a fixed moment keeps the empty
# feed's ETag steady.
NOTHING_PUBLISHED_YET = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# About what a search engine shows of a page's description.
DESCRIPTION_CHARACTERS = 120
# The API refuses a longer id or slug; neither can name an article.
ID_CHARACTERS = 200
REFUSED_IDS = {"NOT_FOUND", "INVALID_INPUT"}


class NewsPages:
    def __init__(self, pages: "Pages") -> None:
        self.pages = pages

    async def article(self, request: Request) -> Response:
        """A published item of this community; a draft, another community's item or an id
        that names none is the 404 page, so the URL tells nobody which exists."""
        slug = request.path_params["slug"]
        news_id = request.path_params["id"]
        if len(slug) > ID_CHARACTERS or len(news_id) > ID_CHARACTERS:
            return self.pages.not_found(request)
        answer = await self.pages.run("public/article", request, {"id": news_id})
        if answer.errors and not answer.codes() <= REFUSED_IDS:
            raise PageFailed(answer)
        data = answer.data or {}
        news = data.get("node") or {}
        if news.get("status") != "PUBLISHED" or news["community"]["slug"] != slug:
            return self.pages.not_found(request)
        site = _site(request)
        return render(
            request,
            self.pages.settings,
            "public/article.html",
            me=data.get("me"),
            news=news,
            site=site,
            canonical=site + request.url.path,
            description=_plain(news["bodyHtml"]) or news["title"],
        )

    async def programme_feed(self, request: Request) -> Response:
        answer = await self.pages.run("feeds/programme", request)
        if answer.data is None or answer.errors:
            raise PageFailed(answer)
        items = [e["node"] for e in answer.data["programmeNews"]["edges"]]
        return self._feed(request, "区域终身学习发展共同体 · 总平台新闻", "/", items)

    async def community_feed(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        if len(slug) > ID_CHARACTERS:
            return self.pages.not_found(request)
        answer = await self.pages.run("feeds/community", request, {"slug": slug})
        if answer.data is None or answer.data.get("community") is None:
            if answer.codes() & REFUSED_IDS:
                return self.pages.not_found(request)
            raise PageFailed(answer)
        community = answer.data["community"]
        items = [e["node"] for e in community["news"]["edges"]]
        return self._feed(request, f"{community['name']} · 新闻", f"/c/{slug}/", items)

    def _feed(
        self, request: Request, title: str, home: str, items: list[dict[str, Any]]
    ) -> Response:
        site = _site(request)
        # A writer's session also gets drafts from `Community.news`: a feed is public.
        entries = [
            {**item, "url": f"{site}/c/{item['community']['slug']}/news/{item['id']}/"}
            | {"published": _moment(item["publishedAt"]), "updated": _updated(item)}
            for item in items
            if item["status"] == "PUBLISHED"
        ][:FEED_ENTRIES]
        xml = TEMPLATES.get_template("feeds/atom.xml").render(
            site=site,
            title=title,
            feed_url=site + request.url.path,
            home_url=site + home,
            updated=max((e["updated"] for e in entries), default=NOTHING_PUBLISHED_YET),
            entries=entries,
        )
        return keepable(request, self.pages.settings, xml.encode(), ATOM)


def _site(request: Request) -> str:
    """This site's absolute origin, for links read elsewhere (feeds, shared pages)."""
    return str(request.base_url).rstrip("/")


def _plain(html: str) -> str:
    return Markup(html).striptags()[:DESCRIPTION_CHARACTERS]


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _updated(item: dict[str, Any]) -> dt.datetime:
    published = _moment(item["publishedAt"])
    edited = _moment(item["updatedAt"]) if item.get("updatedAt") else published
    return max(published, edited)
