"""The sub-platform's workspace, `/c/{slug}/manage/`: its leader and deputies (and the project
group) write its news, publish and take it back, edit its profile and branding, and choose
which activities it shows (Art. 5(6), 16(10)).

Pages and forms work as every workspace's do (`server/web/workspace.py`); opening one is
decided by `Guard.allows(NEWS_WRITE)` in the community, so a member unit's staff or an expert
gets the 403 page.

A picture (a cover, a logo, a banner, an inline image) arrives in the form as a file and is
kept by the upload service `POST /uploads` uses, with its checks (a PNG or JPEG that decodes,
the size cap, the daily quota); the mutation then names it by its upload id. Pictures are kept
in one transaction of their own before the mutation runs: a bad file keeps none of the form's
pictures and runs no mutation; a mutation refused leaves the kept pictures unreferenced, which
is what a refused mutation after `POST /uploads` leaves too, and nobody else can see them."""

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from policies.permissions import Permission
from server.runtime import Runtime
from server.web import fee_statements, sessions
from server.web.execution import Execute, PageFailed
from server.web.routes import Pages
from server.web.standing import STANDING, standing_variables
from server.web.workspace import (
    Accepted,
    DecodeId,
    EncodeId,
    Posted,
    Refusal,
    Workspace,
    back,
)

FORM_FIELDS = {
    "coverUploadId": "cover",
    "logoUploadId": "logo",
    "bannerUploadId": "banner",
    "id": "",
    "activityId": "",
    "communitySlug": "",
}
# What the page a finished action returns to says (`?done=`): fixed sentences, so a link
# cannot make the page say anything else.
DONE = {
    "created": "新闻已保存为草稿。草稿只有本共同体的组长、副组长和项目组能看到。",
    "saved": "修改已保存。",
    "published": "新闻已发布，已显示在分平台和总平台。",
    "unpublished": "新闻已撤回为草稿，公众不再能看到它。",
    "profile": "分平台资料已保存。",
    "public": "活动已设为公开，显示在分平台上。",
    "private": "活动已设为不公开，分平台上不再显示。",
}
# Why an inline picture was not kept, in the one sentence a link may make the page say.
PICTURE_REFUSED = (
    "图片未能上传：须为能正常打开的 PNG 或 JPEG 图片，不超过 10 MB，且未超过每日上传限额。"
)
# What a picture may be: what the pages show inline.
PICTURES = Accepted(("image/png", "image/jpeg"), "图片须为 PNG 或 JPEG 格式")
# The platform's own colour (`--primary` in gongxue.css): what the colour picker shows for a
# community that chose none, and what saving it unchanged does not turn into a choice.
PLATFORM_COLOUR = "#1d4f91"


def manage_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    workspace = CommunityWorkspace(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    base = "/c/{slug}/manage"
    return [
        Route(f"{base}/", guarded(workspace.dashboard), methods=["GET"]),
        Route(f"{base}/profile", guarded(workspace.profile), methods=["GET", "POST"]),
        Route(f"{base}/news/new", guarded(workspace.new_news), methods=["GET", "POST"]),
        Route(f"{base}/news/{{id}}/", guarded(workspace.edit_news), methods=["GET", "POST"]),
        Route(f"{base}/news/{{id}}/publish", guarded(workspace.publish), methods=["POST"]),
        Route(f"{base}/news/{{id}}/unpublish", guarded(workspace.unpublish), methods=["POST"]),
        Route(
            f"{base}/activities/{{id}}/public", guarded(workspace.activity_public), methods=["POST"]
        ),
        Route(f"{base}/pictures", guarded(workspace.picture), methods=["POST"]),
        Route(f"{base}/fees/", guarded(workspace.fees), methods=["GET"]),
        Route(
            f"{base}/fees/statement.{{kind:str}}",
            guarded(workspace.fee_statement),
            methods=["GET"],
        ),
    ]


class CommunityWorkspace(Workspace):
    form_fields = FORM_FIELDS
    done_sentences = DONE
    # At most two pictures (the logo and the banner) besides the form's text.
    most_files = 2
    most_fields = 20

    def home(self, request: Request) -> str:
        return "/c/{}/manage/".format(request.path_params["slug"])

    # -- pages ------------------------------------------------------------------------------

    async def dashboard(self, request: Request) -> Response:
        return await self._dashboard(request)

    async def _dashboard(
        self, request: Request, errors: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        slug = request.path_params["slug"]
        variables = {"slug": slug, **standing_variables()}
        opened = await self._open(request, "manage/dashboard", variables, _community)
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "manage/dashboard.html",
            status,
            errors=errors or {},
            done=self.done(request),
            **STANDING,
            **opened,
        )

    async def fees(self, request: Request) -> Response:
        """What the community and its members owe and paid (Art. 18(6)): for its leader."""
        variables = {"slug": request.path_params["slug"]}
        opened = await self._open(
            request, "manage/fees", variables, _community, Permission.INVOICE_READ
        )
        if isinstance(opened, Response):
            return opened
        owed = opened["community"]["balanceFen"]
        return self.render(request, "manage/fees.html", owed=owed, **opened)

    async def fee_statement(self, request: Request) -> Response:
        """The community's statement of fees (Art. 18(6)), as PDF or workbook, of one
        cooperation cycle (`?cycle=`) or of all."""
        kind = request.path_params["kind"]
        cycle = fee_statements.cycle_chosen(request.query_params)
        if kind not in ("pdf", "xlsx") or cycle is None:
            return self.not_found(request)
        variables = {"slug": request.path_params["slug"]}
        opened = await self._open(
            request, "manage/fees", variables, _community, Permission.INVOICE_READ
        )
        if isinstance(opened, Response):
            return opened

        async def more(after: str) -> dict[str, Any]:
            answer = await self.run("manage/fees", request, {**variables, "after": after})
            if answer.errors or answer.data is None:
                raise PageFailed(answer)
            return answer.data

        every = fee_statements.of_cycle(await fee_statements.every_invoice(opened, more), cycle)
        community = opened["community"]
        name = community["name"]
        return fee_statements.statement(
            self.runtime.settings,
            name,
            fee_statements.period(cycle, every, community),
            fee_statements.stated(every, f"{name}（共同体）"),
            kind,
        )

    async def profile(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        if request.method == "GET":
            return await self._profile_form(request, slug)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        intro = posted.text("intro")
        variables: dict[str, Any] = {"communitySlug": slug, "intro": intro}
        colour = posted.text("colour").strip()
        if posted.text("no_colour"):
            variables["colour"] = ""  # a blank colour clears it: the platform's own again
        elif colour != (posted.text("colour_was") or PLATFORM_COLOUR):
            variables["colour"] = colour
        try:
            kept = await self.keep_files(posted, PICTURES)
        except Refusal as refusal:
            return await self._profile_form(request, slug, intro, colour, refusal.errors, 400)
        if "logo" in kept:
            variables["logoUploadId"] = kept["logo"]
        if "banner" in kept:
            variables["bannerUploadId"] = kept["banner"]
        answer = await self.run("manage/update_profile", request, {"input": variables})
        errors = self.refusals(request, answer, "updateCommunityProfile")
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._profile_form(request, slug, intro, colour, errors, 400)
        return back(f"/c/{slug}/manage/profile", "profile")

    async def _profile_form(
        self,
        request: Request,
        slug: str,
        intro: str | None = None,
        colour: str | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        opened = await self._open(request, "manage/profile", {"slug": slug}, _community)
        if isinstance(opened, Response):
            return opened
        community = opened["community"]
        return self.render(
            request,
            "manage/profile.html",
            status,
            errors=errors or {},
            done=self.done(request),
            intro=(community["intro"] or "") if intro is None else intro,
            colour=colour or community["colour"] or PLATFORM_COLOUR,
            colour_was=community["colour"] or "",
            picture=_picture_id(request.query_params.get("picture")),
            **opened,
        )

    async def new_news(self, request: Request) -> Response:
        return await self._write_news(request, None)

    async def edit_news(self, request: Request) -> Response:
        return await self._write_news(request, request.path_params["id"])

    async def _write_news(self, request: Request, news_id: str | None) -> Response:
        """A new news item (`createNews`), or the item `news_id` (`updateNews`)."""
        slug = request.path_params["slug"]
        if request.method == "GET":
            return await self._news_form(request, news_id)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        try:
            kept = await self.keep_files(posted, PICTURES)
        except Refusal as refusal:
            return await self._news_form(request, news_id, posted, refusal.errors, 400)
        cover = kept.get("cover") or posted.text("kept_cover") or None
        written = {"title": posted.text("title"), "body": posted.text("body")}
        if news_id is None:
            document, mutation = "manage/create_news", "createNews"
            variables = {"communitySlug": slug, **written, "coverUploadId": cover}
        else:
            document, mutation = "manage/update_news", "updateNews"
            removed = bool(posted.text("remove_cover")) and cover is None
            variables = {"id": news_id, **written, "coverUploadId": cover, "removeCover": removed}
        answer = await self.run(document, request, {"input": variables})
        errors = self.refusals(request, answer, mutation)
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._news_form(request, news_id, posted, errors, 400, cover)
        if news_id is None:
            created = answer.data["createNews"]["news"]["id"] if answer.data else ""
            return back(f"/c/{slug}/manage/news/{created}/", "created")
        return back(f"/c/{slug}/manage/news/{news_id}/", "saved")

    async def _news_form(
        self,
        request: Request,
        news_id: str | None,
        posted: Posted | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
        kept_cover: str | None = None,
    ) -> Response:
        slug = request.path_params["slug"]
        if news_id is None:
            opened = await self._open(request, "manage/community", {"slug": slug}, _community)
            news = None
        else:
            opened = await self._open(
                request, "manage/news", {"id": news_id}, lambda data: _news_of(data, slug)
            )
            news = None if isinstance(opened, Response) else opened["node"]
        if isinstance(opened, Response):
            return opened
        community = opened["community"] if news is None else news["community"]
        return self.render(
            request,
            "manage/news_form.html",
            status,
            me=opened["me"],
            community=community,
            news=news,
            title=posted.text("title") if posted else (news or {}).get("title", ""),
            body=posted.text("body") if posted else (news or {}).get("body", ""),
            kept_cover=kept_cover or "",
            errors=errors or {},
            done=self.done(request),
            picture=_picture_id(request.query_params.get("picture")),
        )

    async def publish(self, request: Request) -> Response:
        return await self._news_status(request, "publishNews", "published")

    async def unpublish(self, request: Request) -> Response:
        return await self._news_status(request, "unpublishNews", "unpublished")

    async def _news_status(self, request: Request, mutation: str, done: str) -> Response:
        slug = request.path_params["slug"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        variables = {"input": {"id": request.path_params["id"]}}
        answer = await self.run(f"manage/{_snake(mutation)}", request, variables)
        errors = self.refusals(request, answer, mutation)
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._dashboard(request, errors, 400)
        return back(_return_to(posted.text("back"), slug), done)

    async def activity_public(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        public = posted.text("public") == "true"
        variables = {"input": {"activityId": request.path_params["id"], "isPublic": public}}
        answer = await self.run("manage/set_activity_public", request, variables)
        errors = self.refusals(request, answer, "setActivityPublic")
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._dashboard(request, errors, 400)
        return back(f"/c/{slug}/manage/#activities", "public" if public else "private")

    async def picture(self, request: Request) -> Response:
        """An inline picture for a text: kept, then the page it came from shows its Markdown
        to paste (`![](/uploads/ID)`). A plain form: it works without a script."""
        slug = request.path_params["slug"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        opened = await self._open(request, "manage/community", {"slug": slug}, _community)
        if isinstance(opened, Response):
            return opened
        origin = _return_to(posted.text("back"), slug)
        if "picture" not in posted.files:
            return back(origin, None, picture="missing")
        try:
            kept = await self.keep_files(posted, PICTURES)
        except Refusal:
            return back(origin, None, picture="refused")
        return back(origin, None, picture=kept["picture"])

    # -- the parts this workspace's pages share ---------------------------------------------

    async def _open(
        self,
        request: Request,
        name: str,
        variables: Mapping[str, Any],
        community_of: Callable[[dict[str, Any]], dict[str, Any] | None],
        permission: Permission = Permission.NEWS_WRITE,
    ) -> dict[str, Any] | Response:
        """The page's data, or the answer a visitor who may not open it gets: the sign-in
        page for nobody signed in, 404 for a community (or a news item) there is none of,
        the 403 page for somebody the policy does not grant `permission` there (writing
        its news, unless the page is about something else)."""
        actor = self.actor(request)
        if actor is None:
            return self.to_login(request)
        answer = await self.run(name, request, variables)
        codes = answer.codes()
        if "UNAUTHENTICATED" in codes:
            return self.to_login(request)
        if "FORBIDDEN" in codes:
            return self.forbidden(request)
        community = community_of(answer.data or {})
        if community is None:
            if codes <= {"NOT_FOUND", "INVALID_INPUT"}:
                return self.not_found(request)
            raise PageFailed(answer)
        (community_id,) = self.decode_id(community["id"], "Community")
        if not self.guard(actor).allows(permission, community_id):
            return self.forbidden(request)
        if answer.errors or answer.data is None:
            raise PageFailed(answer)
        return answer.data


def _community(data: dict[str, Any]) -> dict[str, Any] | None:
    community: dict[str, Any] | None = data.get("community")
    return community


def _news_of(data: dict[str, Any], slug: str) -> dict[str, Any] | None:
    """The news item's community, when it is this page's: another community's item is not
    edited under this one's address."""
    news = data.get("node")
    if not news or news.get("community", {}).get("slug") != slug:
        return None
    community: dict[str, Any] = news["community"]
    return community


def _return_to(back: str, slug: str) -> str:
    """A workspace page of this community the form came from; its home otherwise."""
    home = f"/c/{slug}/manage/"
    path = sessions.same_site_path(back)
    return path if path.startswith(home) else home


def _picture_id(value: str | None) -> dict[str, str] | None:
    """What the inline-picture form's redirect reports: the upload id to paste, or why not."""
    if not value:
        return None
    if value == "missing":
        return {"error": "请先选择要上传的图片"}
    if value == "refused":
        return {"error": PICTURE_REFUSED}
    if not value.replace("-", "").replace("_", "").isalnum() or len(value) > 200:
        return None
    return {"markdown": f"![](/uploads/{value})"}


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
