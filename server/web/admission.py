"""Admission on the web (Art. 7, 8(1)): the applicant's workspace, `/apply/`, and the project
group's admission pages, `/admin/calls/`.

An applicant registers (`/apply/register`), signs in, answers an open call with its unit and
the seven Art. 7 conditions, each with evidence (`/apply/calls/{id}/`), and follows its
application to its plaque (`/apply/applications/{id}/`). The project group opens calls, reads
every application with its evidence, approves or rejects it with a reason, and publishes the
call's list of sites, which gives each approved unit its plaque number.

Pages and forms work as every workspace's do (`server/web/workspace.py`). Anybody signed in
may apply; the project group's pages open for whom the policy lets review applications
(`Permission.APPLICATION_REVIEW`), everybody else gets the 403 page.

Evidence files arrive in the application form and are kept by the upload service `POST
/uploads` uses, with its checks (a PDF, an image or an office document that is what it claims,
the size cap, the daily quota), in one transaction of their own before the mutation runs, which
then names them by upload id. A refused file keeps none of the form's files and runs no
mutation. A refused application keeps nothing of the application; the files already kept stay
unreferenced (what a refused mutation after `POST /uploads` leaves too, seen by nobody else)
and the form offers them again, so the applicant does not choose them again."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from policies.permissions import Permission
from server.clock import today
from server.regions.provinces import PROVINCES
from server.runtime import Runtime
from server.vocabulary import AdmissionCondition, Level, ReviewDecision
from server.web import sessions
from server.web.execution import Answer, Execute, PageFailed
from server.web.routes import Pages
from server.web.workspace import (
    NEWEST,
    OLDEST,
    ORDERS,
    DecodeId,
    EncodeId,
    Posted,
    Refusal,
    Workspace,
    back,
    list_order,
    text_of,
)

# Art. 7's seven conditions in its order: the form's order, and the order the API numbers its
# refusals by (`conditions.{i}.evidence`).
CONDITIONS = tuple(AdmissionCondition)
UNIT_FIELDS = ("name", "divisionCode", "address", "responsiblePerson", "projectTeam")


def _form_fields() -> dict[str, str]:
    fields = {f"unit.{name}": name for name in (*UNIT_FIELDS, "level")}
    fields |= {"callId": "", "applicationId": "", "conditions": ""}
    for i, condition in enumerate(CONDITIONS):
        fields[f"conditions.{i}.evidence"] = f"evidence-{condition.value}"
        fields[f"conditions.{i}.uploadId"] = f"file-{condition.value}"
    return fields


FORM_FIELDS = _form_fields()
# What the page a finished action returns to says (`?done=`): fixed sentences, so a link
# cannot make the page say anything else.
DONE = {
    "submitted": "申报已提交。项目组审核后，结果会显示在本页。",
    "opened": "申报通知已发布，申报单位可在申报期内提交申报。",
    "approved": "该申报已审核通过。公布实验点名单后，该单位将获得授牌编号。",
    "rejected": "该申报已审核为不通过，理由已记录，申报单位可以看到。",
    "published": "实验点名单已公布，审核通过的单位已获得授牌编号。",
}
DATE_REFUSED = "请按“年-月-日”填写日期，例如 2026-03-02"
CONFIRM_REFUSED = "请勾选确认后再公布：名单公布后授牌编号不能更改"


def admission_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    workspace = AdmissionWorkspace(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    application = "/admin/calls/{call}/applications/{id}"
    return [
        Route("/apply/register", guarded(workspace.register), methods=["GET", "POST"]),
        Route("/apply/registered", guarded(workspace.registered), methods=["GET"]),
        Route("/apply/", guarded(workspace.applicant_home), methods=["GET"]),
        Route("/apply/calls/{id}/", guarded(workspace.apply), methods=["GET", "POST"]),
        Route("/apply/applications/{id}/", guarded(workspace.my_application), methods=["GET"]),
        Route("/admin/calls/", guarded(workspace.calls), methods=["GET", "POST"]),
        Route("/admin/calls/{id}/", guarded(workspace.call), methods=["GET"]),
        Route("/admin/calls/{id}/publish", guarded(workspace.publish), methods=["GET", "POST"]),
        Route(f"{application}/", guarded(workspace.application), methods=["GET"]),
        Route(f"{application}/review", guarded(workspace.review), methods=["POST"]),
    ]


class AdmissionWorkspace(Workspace):
    form_fields = FORM_FIELDS
    done_sentences = DONE
    # One evidence file per condition, besides the form's text.
    most_files = len(CONDITIONS)
    most_fields = 40

    def home(self, request: Request) -> str:
        return "/admin/calls/" if request.url.path.startswith("/admin/") else "/apply/"

    def forbidden(self, request: Request) -> Response:
        return self.render(request, "admission/forbidden.html", 403)

    # -- the applicant ----------------------------------------------------------------------

    async def register(self, request: Request) -> Response:
        if self.actor(request) is not None:
            return RedirectResponse("/apply/", 303)
        if request.method == "GET":
            return self._register_form(request)
        async with request.form(max_files=0, max_fields=10) as form:
            if sessions.csrf_refused(request, text_of(form, sessions.CSRF_FIELD)):
                return self.render(request, "public/forbidden.html", 403)
            fields = {name: value for name, value in form.items() if isinstance(value, str)}
        email, name = fields.get("email", ""), fields.get("displayName", "")
        password = fields.get("password", "")
        if password != fields.get("passwordAgain", ""):
            errors = {"passwordAgain": "两次输入的密码不一致"}
            return self._register_form(request, email, name, errors, 400)
        variables = {"input": {"email": email, "password": password, "displayName": name}}
        answer = await self.run("apply/register", request, variables)
        refused = self.refusals(request, answer, "register")
        if isinstance(refused, Response):
            return refused
        if refused:
            return self._register_form(request, email, name, refused, 400)
        # The API answers alike whether the email was new: the page says the same either way,
        # and signing in (the platform's own sign-in) is the next step.
        return RedirectResponse("/apply/registered", 303)

    def _register_form(
        self,
        request: Request,
        email: str = "",
        name: str = "",
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        return self.render(
            request,
            "apply/register.html",
            status,
            email=email,
            display_name=name,
            errors=errors or {},
        )

    async def registered(self, request: Request) -> Response:
        return self.render(request, "apply/registered.html")

    async def applicant_home(self, request: Request) -> Response:
        opened = await self._open(request, "apply/home", {})
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "apply/home.html",
            done=self.done(request),
            **opened,
        )

    async def apply(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._application_form(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        level = posted.text("level")
        if level not in Level.__members__:
            # Only a tampered form sends no level of the list; the API would refuse it whole.
            refused = {"level": "请选择单位层级"}
            return await self._application_form(
                request, posted, refused, 400, _kept_before(posted, refused)
            )
        try:
            kept = await self.keep_files(posted)
        except Refusal as refusal:
            # None of this try's files is kept; those of an earlier try still are.
            return await self._application_form(
                request, posted, refusal.errors, 400, _kept_before(posted, refusal.errors)
            )
        # A file kept on an earlier, refused try is named again rather than sent again.
        files = {
            f"file-{c.value}": kept.get(f"file-{c.value}")
            or posted.text(f"kept-file-{c.value}")
            or None
            for c in CONDITIONS
        }
        unit = {name: posted.text(name) for name in UNIT_FIELDS} | {"level": level}
        conditions = [
            {
                "condition": c.value,
                "evidence": posted.text(f"evidence-{c.value}"),
                "uploadId": files[f"file-{c.value}"],
            }
            for c in CONDITIONS
        ]
        variables = {
            "input": {"callId": request.path_params["id"], "unit": unit, "conditions": conditions}
        }
        answer = await self.run("apply/submit", request, variables)
        errors = self.refusals(request, answer, "submitApplication")
        if isinstance(errors, Response):
            return errors
        if errors:
            offered = _kept_before(posted, errors) | {
                field: {"id": upload_id, "name": posted.files[field][0]}
                for field, upload_id in kept.items()
                if field not in errors
            }
            return await self._application_form(request, posted, errors, 400, offered)
        created = answer.data["submitApplication"]["application"]["id"] if answer.data else ""
        return back(f"/apply/applications/{created}/", "submitted")

    async def _application_form(
        self,
        request: Request,
        posted: Posted | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
        offered: dict[str, dict[str, str]] | None = None,
    ) -> Response:
        """The form; after a refusal, what was typed and the files already kept (`offered`,
        by field: the upload id and the file's name), so none is chosen again."""
        opened = await self._open(
            request, "apply/call", {"id": request.path_params["id"]}, "ApplicationCall"
        )
        if isinstance(opened, Response):
            return opened
        given = posted.fields if posted else {}
        return self.render(
            request,
            "apply/application_form.html",
            status,
            call=opened["node"],
            me=opened["me"],
            given=given,
            errors=errors or {},
            offered=offered or {},
            levels=list(Level),
            conditions=CONDITIONS,
        )

    async def my_application(self, request: Request) -> Response:
        opened = await self._open(
            request, "admission/application", {"id": request.path_params["id"]}, "Application"
        )
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "apply/application.html",
            application=opened["node"],
            me=opened["me"],
            provinces=PROVINCES,
            done=self.done(request),
        )

    # -- the project group ------------------------------------------------------------------

    async def calls(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._calls(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        errors: dict[str, str] = {}
        year = posted.text("year").strip()
        if not year.isdigit():
            errors["year"] = "请填写年份，例如 2026"
        dates = {}
        for name in ("opensOn", "closesOn"):
            try:
                dates[name] = dt.date.fromisoformat(posted.text(name).strip()).isoformat()
            except ValueError:
                errors[name] = DATE_REFUSED
        if errors:
            return await self._calls(request, posted, errors, 400)
        variables = {"input": {"title": posted.text("title"), "year": int(year), **dates}}
        answer = await self.run("admission/open_call", request, variables)
        refused = self.refusals(request, answer, "openApplicationCall")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._calls(request, posted, refused, 400)
        created = answer.data["openApplicationCall"]["call"]["id"] if answer.data else ""
        return back(f"/admin/calls/{created}/", "opened")

    async def _calls(
        self,
        request: Request,
        posted: Posted | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        # The calls in the order they were opened, unless 排序 turns them.
        order = list_order(request.query_params, OLDEST)
        variables = {"newestFirst": order == NEWEST}
        opened = await self._open(request, "admission/calls", variables, reviewing=True)
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admission/calls.html",
            status,
            order=order,
            orders=ORDERS,
            given=posted.fields if posted else {"year": str(today().year)},
            errors=errors or {},
            done=self.done(request),
            **opened,
        )

    async def call(self, request: Request) -> Response:
        opened = await self._call(request)
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admission/call.html",
            call=opened["node"],
            me=opened["me"],
            applications=[e["node"] for e in opened["applications"]["edges"]],
            provinces=PROVINCES,
            done=self.done(request),
        )

    async def publish(self, request: Request) -> Response:
        """A confirmation step, then `publishSiteList`: a plaque once given never changes."""
        call_id = request.path_params["id"]
        if request.method == "GET":
            return await self._publish_form(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        if posted.text("confirm") != "yes":
            return await self._publish_form(request, {"confirm": CONFIRM_REFUSED}, 400)
        answer = await self.run("admission/publish", request, {"input": {"callId": call_id}})
        errors = self.refusals(request, answer, "publishSiteList")
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._publish_form(request, errors, 400)
        return back(f"/admin/calls/{call_id}/#applications", "published")

    async def _publish_form(
        self, request: Request, errors: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        opened = await self._call(request)
        if isinstance(opened, Response):
            return opened
        applications = [e["node"] for e in opened["applications"]["edges"]]
        return self.render(
            request,
            "admission/publish.html",
            status,
            call=opened["node"],
            me=opened["me"],
            approved=[a for a in applications if a["status"] == "APPROVED"],
            provinces=PROVINCES,
            errors=errors or {},
        )

    async def application(self, request: Request) -> Response:
        return await self._application(request)

    async def _application(
        self,
        request: Request,
        posted: Posted | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        opened = await self._open(
            request,
            "admission/application",
            {"id": request.path_params["id"]},
            "Application",
            reviewing=True,
        )
        if isinstance(opened, Response):
            return opened
        application = opened["node"]
        if application["call"]["id"] != request.path_params["call"]:
            # Another call's application is not reviewed under this one's address.
            return self.not_found(request)
        return self.render(
            request,
            "admission/application.html",
            status,
            application=application,
            me=opened["me"],
            provinces=PROVINCES,
            given=posted.fields if posted else {},
            errors=errors or {},
            decisions=list(ReviewDecision),
            done=self.done(request),
        )

    async def review(self, request: Request) -> Response:
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        decision = posted.text("decision")
        if decision not in ReviewDecision.__members__:
            return await self._application(request, posted, {"decision": "请选择审核结论"}, 400)
        reason = posted.text("reason").strip()
        variables = {
            "input": {
                "applicationId": request.path_params["id"],
                "decision": decision,
                "reason": reason or None,
            }
        }
        answer = await self.run("admission/review", request, variables)
        errors = self.refusals(request, answer, "reviewApplication")
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._application(request, posted, errors, 400)
        done = "approved" if decision == ReviewDecision.APPROVE.value else "rejected"
        call_id, application_id = request.path_params["call"], request.path_params["id"]
        return back(f"/admin/calls/{call_id}/applications/{application_id}/", done)

    # -- the parts these pages share --------------------------------------------------------

    async def _call(self, request: Request) -> dict[str, Any] | Response:
        """The call of the address with every application to it (`admission/call`), as the
        project group's pages about it read it."""
        variables = {"id": request.path_params["id"]}
        return await self._open(
            request, "admission/call", variables, "ApplicationCall", reviewing=True
        )

    async def _open(
        self,
        request: Request,
        name: str,
        variables: Mapping[str, Any],
        node_type: str | None = None,
        *,
        reviewing: bool = False,
    ) -> dict[str, Any] | Response:
        """The page's data, or the answer a visitor who may not open it gets: the sign-in page
        for nobody signed in, the 403 page for a project-group page the policy does not let the
        user open, 404 for a call or an application there is none of (or that is not the
        applicant's own: the API shows nobody else's)."""
        actor = self.actor(request)
        if actor is None:
            return self.to_login(request)
        if reviewing and not self.guard(actor).allows(Permission.APPLICATION_REVIEW):
            return self.forbidden(request)
        answer = await self.run(name, request, variables)
        codes = answer.codes()
        if "UNAUTHENTICATED" in codes:
            return self.to_login(request)
        if "FORBIDDEN" in codes:
            return self.forbidden(request)
        if node_type is not None and not _node_of(answer, node_type):
            if codes <= {"NOT_FOUND", "INVALID_INPUT"}:
                return self.not_found(request)
            raise PageFailed(answer)
        if answer.errors or answer.data is None:
            raise PageFailed(answer)
        return answer.data


def _kept_before(posted: Posted, errors: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The files an earlier, refused try of the form kept, by field (the upload id and the
    file's name), but for a field now refused."""
    offered = {}
    for c in CONDITIONS:
        field = f"file-{c.value}"
        upload_id = posted.text(f"kept-{field}")
        if upload_id and field not in errors:
            offered[field] = {"id": upload_id, "name": posted.text(f"kept-name-{field}")}
    return offered


def _node_of(answer: Answer, node_type: str) -> bool:
    node = (answer.data or {}).get("node") or {}
    return bool(node.get("__typename") == node_type)
