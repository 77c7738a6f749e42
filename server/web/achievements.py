"""Achievements on the web (Art. 6b, 16(6)): a sub-platform's library, `/c/{slug}/achievements`
(searchable in Chinese, by kind) and each achievement's page; in the workspace,
`/c/{slug}/manage/achievements`, every achievement of the community with the forms that submit
and edit one and the switch of who may read it. Every page runs the API as the visitor, so
what a page shows is what the API lets that visitor read: a COMMUNITY achievement is nobody
else's, on these pages as through `/graphql`.

The workspace opens to whoever may write the community's achievements (its leader, deputies
and the project group, `Permission.ACHIEVEMENT_WRITE`); a member unit's staff submit theirs
through the API. A file arrives with the form and is kept by the upload service, as a news
item's cover is (`server/web/manage.py`)."""

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from policies.permissions import Permission
from server.runtime import Runtime
from server.web.execution import Execute, PageFailed
from server.web.manage import CommunityWorkspace
from server.web.rendering import render
from server.web.routes import Pages
from server.web.workspace import DecodeId, EncodeId, Posted, Refusal, back

KINDS = (
    ("PAPER", "科研论文"),
    ("CASE", "典型案例"),
    ("BRAND", "终身学习特色品牌"),
    ("PUBLICATION", "出版物"),
    ("COURSE_RESOURCE", "特色课程资源"),
    ("PLATFORM", "平台"),
)
VISIBILITIES = (
    ("COMMUNITY", "仅本共同体"),
    ("ALL_COMMUNITIES", "各共同体共享"),
    ("PUBLIC", "公开"),
)
# The API's field names as the forms name them.
FORM_FIELDS = {
    "communitySlug": "",
    "id": "",
    "unitId": "unit",
    "subTopicId": "sub_topic",
    "uploadIds": "file",
}
DONE = {
    "submitted": "成果已登记。",
    "saved": "修改已保存。",
    "visibility": "成果的公开范围已更改。",
}
SEARCH_CHARACTERS = 100
ID_CHARACTERS = 200
# Names and links typed one to a line (or names separated by 、，, as people write them).
AUTHOR_SEPARATORS = re.compile(r"[\n、，,;；]+")


def achievement_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    pages = Pages(runtime, execute)
    library = Library(pages)
    workspace = AchievementWorkspace(runtime, execute, encode_id, decode_id)
    guarded = pages.guarded
    manage = "/c/{slug}/manage/achievements"
    return [
        Route("/c/{slug}/achievements", guarded(library.listing), methods=["GET"]),
        Route("/c/{slug}/achievements/{id}", guarded(library.detail), methods=["GET"]),
        Route(manage, guarded(workspace.listing), methods=["GET", "POST"]),
        Route(f"{manage}/{{id}}", guarded(workspace.edit), methods=["GET", "POST"]),
        Route(f"{manage}/{{id}}/visibility", guarded(workspace.visibility), methods=["POST"]),
    ]


class Library:
    """The sub-platform's pages of achievements, for every visitor."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    async def listing(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        search = request.query_params.get("q", "").strip()[:SEARCH_CHARACTERS]
        kind = request.query_params.get("kind", "")
        kind = kind if kind in dict(KINDS) else ""
        after = request.query_params.get("after") or None
        if len(slug) > ID_CHARACTERS or (after and len(after) > ID_CHARACTERS):
            return self.pages.not_found(request)
        variables = {"slug": slug, "search": search or None, "kind": kind or None, "after": after}
        answer = await self.pages.run("public/achievements", request, variables)
        if answer.data is None or answer.data.get("community") is None:
            if answer.codes() & {"NOT_FOUND", "INVALID_INPUT"}:
                return self.pages.not_found(request)
            raise PageFailed(answer)
        return render(
            request,
            self.pages.settings,
            "public/achievements.html",
            me=answer.data.get("me"),
            community=answer.data["community"],
            search=search,
            kind=kind,
            kinds=KINDS,
        )

    async def detail(self, request: Request) -> Response:
        """An achievement of this community the visitor may read; anything else is the 404
        page, so the URL tells nobody which exist."""
        slug = request.path_params["slug"]
        achievement_id = request.path_params["id"]
        if len(slug) > ID_CHARACTERS or len(achievement_id) > ID_CHARACTERS:
            return self.pages.not_found(request)
        answer = await self.pages.run("public/achievement", request, {"id": achievement_id})
        if answer.errors and not answer.codes() <= {"NOT_FOUND", "INVALID_INPUT"}:
            raise PageFailed(answer)
        data = answer.data or {}
        achievement = data.get("node") or {}
        if not achievement.get("id") or achievement["community"]["slug"] != slug:
            return self.pages.not_found(request)
        return render(
            request,
            self.pages.settings,
            "public/achievement.html",
            me=data.get("me"),
            achievement=achievement,
            community=achievement["community"],
        )


class AchievementWorkspace(CommunityWorkspace):
    """The community's achievements in its workspace: the list, the forms, the switch."""

    form_fields = FORM_FIELDS
    done_sentences = DONE
    most_files = 1
    most_fields = 30

    async def listing(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._listing(request)
        slug = request.path_params["slug"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        try:
            kept = await self.keep_files(posted)
        except Refusal as refusal:
            return await self._listing(request, posted, refusal.errors, 400)
        written = _written(posted)
        written["uploadIds"] = [kept["file"]] if "file" in kept else []
        variables = {
            "communitySlug": slug,
            "kind": posted.text("kind"),
            "visibility": posted.text("visibility") or "COMMUNITY",
            "unitId": posted.text("unit") or None,
            **written,
        }
        answer = await self.run("manage/submit_achievement", request, {"input": variables})
        errors = self.refusals(request, answer, "submitAchievement")
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._listing(request, posted, errors, 400)
        return back(f"/c/{slug}/manage/achievements", "submitted")

    async def _listing(
        self,
        request: Request,
        posted: Posted | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        slug = request.path_params["slug"]
        opened = await self._open(
            request,
            "manage/achievements",
            {"slug": slug},
            _community,
            Permission.ACHIEVEMENT_WRITE,
        )
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "manage/achievements.html",
            status,
            me=opened["me"],
            community=opened["community"],
            form=posted.fields if posted else {},
            errors=errors or {},
            done=self.done(request),
            kinds=KINDS,
            visibilities=VISIBILITIES,
        )

    async def edit(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        achievement_id = request.path_params["id"]
        if request.method == "GET":
            return await self._edit_form(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        try:
            kept = await self.keep_files(posted)
        except Refusal as refusal:
            return await self._edit_form(request, posted, refusal.errors, 400)
        written = _written(posted)
        if "file" in kept:
            held = [u for u in posted.text("files").split(",") if u]
            written["uploadIds"] = [*held, kept["file"]]
        course = posted.text("kind") == "COURSE_RESOURCE"
        variables = {"id": achievement_id, **written}
        if not course:
            for name in ("subject", "audience", "format"):
                variables.pop(name, None)
        answer = await self.run("manage/update_achievement", request, {"input": variables})
        errors = self.refusals(request, answer, "updateAchievement")
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._edit_form(request, posted, errors, 400)
        return back(f"/c/{slug}/manage/achievements/{achievement_id}", "saved")

    async def _edit_form(
        self,
        request: Request,
        posted: Posted | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        slug = request.path_params["slug"]
        opened = await self._open(
            request,
            "manage/achievement",
            {"id": request.path_params["id"], "slug": slug},
            lambda data: _achievement_community(data, slug),
            Permission.ACHIEVEMENT_WRITE,
        )
        if isinstance(opened, Response):
            return opened
        achievement = opened["node"]
        form = posted.fields if posted else _form_of(achievement)
        return self.render(
            request,
            "manage/achievement_form.html",
            status,
            me=opened["me"],
            community=opened["community"],
            achievement=achievement,
            form=form,
            errors=errors or {},
            done=self.done(request),
            visibilities=VISIBILITIES,
        )

    async def visibility(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        variables = {"id": request.path_params["id"], "visibility": posted.text("visibility")}
        answer = await self.run("manage/set_achievement_visibility", request, {"input": variables})
        errors = self.refusals(request, answer, "setAchievementVisibility")
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._listing(request, None, errors, 400)
        return back(f"/c/{slug}/manage/achievements", "visibility")


def _written(posted: Posted) -> dict[str, Any]:
    """What the form says, as the mutations take it: blank optional fields left out."""
    authors = [a.strip() for a in AUTHOR_SEPARATORS.split(posted.text("authors")) if a.strip()]
    links = [line.strip() for line in posted.text("links").splitlines() if line.strip()]
    written: dict[str, Any] = {
        "title": posted.text("title"),
        "summary": posted.text("summary"),
        "authors": authors,
        "links": links,
        "subTopicId": posted.text("sub_topic") or None,
    }
    for name in ("subject", "audience", "format"):
        if posted.text(name).strip():
            written[name] = posted.text(name)
    return written


def _form_of(achievement: dict[str, Any]) -> dict[str, str]:
    return {
        "kind": achievement["kind"],
        "title": achievement["title"],
        "summary": achievement["summary"],
        "authors": "\n".join(achievement["authors"]),
        "links": "\n".join(achievement["links"]),
        "subject": achievement["subject"] or "",
        "audience": achievement["audience"] or "",
        "format": achievement["format"] or "",
        "sub_topic": (achievement["subTopic"] or {}).get("id", ""),
        "files": ",".join(f["id"] for f in achievement["files"]),
    }


def _community(data: dict[str, Any]) -> dict[str, Any] | None:
    community: dict[str, Any] | None = data.get("community")
    return community


def _achievement_community(data: dict[str, Any], slug: str) -> dict[str, Any] | None:
    """The achievement's community, when it is this page's: another community's achievement
    is not edited under this one's address."""
    achievement = data.get("node")
    community = data.get("community")
    if not achievement or achievement["community"]["slug"] != slug or community is None:
        return None
    found: dict[str, Any] = community
    return found
