"""The web routes: thin views that run a page's GraphQL document through `execute` and render
its template; forms post to a route that runs one mutation, then redirects or shows each
`UserError` beside its field."""

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from server.logs import traceback_text
from server.runtime import Runtime
from server.settings import Settings
from server.web import sessions
from server.web.assets import STATIC
from server.web.certificates import CertificatePages
from server.web.execution import Answer, Execute, PageFailed, document
from server.web.hosts import CommunityHost
from server.web.news import NewsPages
from server.web.rendering import render

log = logging.getLogger(__name__)

# The longest site search a page passes on: the API refuses more than 200 characters.
SEARCH_CHARACTERS = 100
# A slug the API would refuse outright is no community either.
SLUG_CHARACTERS = 200
FORM_BYTES = 64 * 1024

Page = Callable[[Request], Awaitable[Response]]


def web_routes(runtime: Runtime, execute: Execute) -> list[BaseRoute]:
    pages = Pages(runtime, execute)
    news = NewsPages(pages)
    certificates = CertificatePages(pages)
    at_own_host = {
        "/": pages.community,
        "/news/{id}/": news.article,
        "/feed.xml": news.community_feed,
    }
    return [
        *(
            CommunityHost(runtime, Route(path, pages.guarded(page), methods=["GET"]))
            for path, page in at_own_host.items()
        ),
        Route("/", pages.guarded(pages.home), methods=["GET"]),
        Route("/feed.xml", pages.guarded(news.programme_feed), methods=["GET"]),
        Route("/c/{slug}/", pages.guarded(pages.community), methods=["GET"]),
        Route("/c/{slug}/news/{id}/", pages.guarded(news.article), methods=["GET"]),
        Route("/c/{slug}/feed.xml", pages.guarded(news.community_feed), methods=["GET"]),
        Route("/verify/{number}", pages.guarded(certificates.verify), methods=["GET"]),
        Route("/certificates/{number}.pdf", pages.guarded(certificates.pdf), methods=["GET"]),
        Route("/login", pages.guarded(pages.login), methods=["GET", "POST"]),
        Route("/logout", pages.guarded(pages.logout), methods=["POST"]),
        Route("/static/{path:path}", STATIC.serve, methods=["GET"]),
    ]


class Pages:
    def __init__(self, runtime: Runtime, execute: Execute) -> None:
        self.runtime = runtime
        self.execute = execute

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def guarded(self, page: Page) -> Page:
        """Anything a page did not expect: logged as every failure is (no data in it) and a
        styled 500 page in Chinese, never a bare error."""

        async def run(request: Request) -> Response:
            try:
                return await page(request)
            except HTTPException:
                raise
            except Exception as error:
                log.error("page %r failed\n%s", request.url.path, traceback_text(error))
                return render(request, self.settings, "public/error.html", status=500)

        return run

    async def run(
        self, name: str, request: Request, variables: Mapping[str, Any] | None = None
    ) -> Answer:
        return await self.execute(document(name), variables, request)

    async def home(self, request: Request) -> Response:
        search = request.query_params.get("q", "").strip()[:SEARCH_CHARACTERS]
        listed = await self.run("public/home", request, {"search": search or None})
        answer = listed.beside(await self.run("public/home_figures", request))
        answer = answer.beside(await self.run("public/home_achievements", request))
        if answer.data is None or answer.errors:
            raise PageFailed(answer)
        return render(request, self.settings, "public/home.html", answer=answer, search=search)

    async def community(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        if len(slug) > SLUG_CHARACTERS:
            return self.not_found(request)
        window = _news_window(request)
        answer = await self.run("public/community", request, {"slug": slug, **window})
        if answer.data is None or answer.data.get("community") is None:
            if answer.codes() & {"NOT_FOUND", "INVALID_INPUT"}:
                return self.not_found(request)
            raise PageFailed(answer)
        activities = None
        if sessions.session_token(request) is not None:
            # A community's activities are its own (Art. 16): shown to whom the API shows
            # them (its members, its experts, the project group), and to nobody else.
            inside = await self.run("public/community_activities", request, {"slug": slug})
            if inside.data is not None and not inside.errors:
                activities = inside.data["community"]["activities"]
        return render(
            request,
            self.settings,
            "public/community.html",
            answer=answer,
            activities=activities,
            search=window["search"] or "",
            after=window["after"],
        )

    def not_found(self, request: Request) -> Response:
        return render(request, self.settings, "public/not_found.html", status=404)

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            back = sessions.same_site_path(request.query_params.get("next"))
            return self._login_form(request, back)
        form = await _form(request)
        back = sessions.same_site_path(form.get("next"))
        if sessions.csrf_refused(request, form.get(sessions.CSRF_FIELD)):
            return self._refused(request)
        email = form.get("email", "").strip()
        variables = {"input": {"email": email, "password": form.get("password", "")}}
        answer = await self.run("public/login", request, variables)
        if answer.data is None:
            raise PageFailed(answer)
        payload = answer.data["login"]
        if payload["errors"] or not payload["token"]:
            beside: dict[str, str] = {}
            for error in payload["errors"]:
                # A refusal that names no field (wrong email or password, too many tries)
                # is shown beside the password, where the visitor acts on it.
                beside.setdefault(error["field"] or "password", error["message"])
            return self._login_form(request, back, email=email, errors=beside, status=400)
        response = RedirectResponse(back, status_code=303)
        sessions.start(request, response, self.settings, payload["token"])
        return response

    def _login_form(
        self,
        request: Request,
        back: str,
        *,
        email: str = "",
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        return render(
            request,
            self.settings,
            "public/login.html",
            status=status,
            next=back,
            email=email,
            errors=errors or {},
        )

    async def logout(self, request: Request) -> Response:
        form = await _form(request)
        if sessions.csrf_refused(request, form.get(sessions.CSRF_FIELD)):
            return self._refused(request)
        if sessions.session_token(request) is not None:
            # Revoked at once, for this process and every other (`logout` ends the token).
            await self.run("public/logout", request)
        response = RedirectResponse("/", status_code=303)
        sessions.end(request, response, self.settings)
        return response

    def _refused(self, request: Request) -> Response:
        return render(request, self.settings, "public/forbidden.html", status=403)


def _news_window(request: Request) -> dict[str, str | None]:
    """Which of a sub-platform's news it shows: a search (`?q=`) and the page after a cursor
    (`?after=`), each null when absent so the API sees no filter."""
    search = request.query_params.get("q", "").strip()[:SEARCH_CHARACTERS]
    after = request.query_params.get("after", "")[:SLUG_CHARACTERS]
    return {"search": search or None, "after": after or None}


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form (what the pages' forms send), its first value per name."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = await request.body()
    if len(body) > FORM_BYTES:
        return {}
    values: dict[str, str] = {}
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        values.setdefault(name, value)
    return values
