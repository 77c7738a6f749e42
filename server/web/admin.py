"""The project group's workspace, `/admin/`: the national compliance dashboard, the findings
across communities (and waiving one, Art. 20's "accept with a reason"), the communities and
creating one (Art. 9-15), the site registry and the exit list with reinstatement (Art. 8, 12),
national audit runs, users and roles, and the audit log.

Pages and forms work as every workspace's do (`server/web/workspace.py`); every page is the
project group's alone (`Permission.PROGRAMME_READ` in the national domain), so anyone else
signed in gets the 403 page. The admission pages under `/admin/calls/` are another module's.
"""

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from policies.articles import article_label, article_order
from policies.permissions import Permission
from policies.regulation import CATALOGUE, RULES
from server.access.roles import Role
from server.clock import today
from server.runtime import Runtime
from server.vocabulary import (
    CommunityStatus,
    FeeKind,
    FindingStatus,
    InvoiceStatus,
    Labelled,
    Level,
    Prize,
    RecognitionKind,
    Region,
    Severity,
    SiteStatus,
    Theme,
)
from server.web import exports
from server.web.execution import Answer, Execute, PageFailed
from server.web.routes import Pages
from server.web.workspace import (
    NEWEST,
    OLDEST,
    ORDERS,
    Asked,
    DecodeId,
    EncodeId,
    Posted,
    Workspace,
    back,
    list_order,
)

# The API's names for the fields its refusals point at, as these forms name them.
FORM_FIELDS = {
    "findingId": "",
    "exitId": "",
    "userId": "",
    "leaderUnitId": "units",
    "deputyUnitIds": "units",
    "memberUnitIds": "units",
    "unitIds": "units",
    "communitySlug": "community",
    "amountFen": "amount",
    "lines": "amount",
    "dueOn": "dueOn",
    "invoiceId": "",
    "idempotencyKey": "",
}
# A refusal that names no field, by its code: the field the form holds what it is about in.
# The size of a community (Art. 11) is a matter of the units chosen.
CODE_FIELDS = {"COMMUNITY_TOO_SMALL": "units", "COMMUNITY_FULL": "units"}
# What the page a finished action returns to says (`?done=`): fixed sentences, so a link
# cannot make the page say anything else.
DONE = {
    "waived": "问题已豁免，不再计入待整改；其内容发生变化时会再次提出。",
    "created": "共同体已创建，成员单位已登记。",
    "reinstated": "已撤销该退出记录，单位恢复在册。",
    "user": "账户已创建。请为其授予角色。",
    "granted": "角色已授予，该用户下次打开页面即生效。",
    "revoked": "角色已收回。",
    "assigned": "已指派该专家负责此共同体。",
    "recognised": "已颁发，证书已生成。",
    "recognition-revoked": "已撤销该荣誉，验证页面显示已撤销。",
    "schedule": "收费标准已保存。",
    "issued": "应收单已开具。",
    "paid": "缴费已登记；同一笔缴费重复提交只记一次。",
    "cancelled": "应收单已作废，未缴余额已冲销。",
    "refunded": "退款已登记；同一笔退款重复提交只记一次。",
}
# A site search the page passes on: the API refuses more than 200 characters.
SEARCH_CHARACTERS = 100
CURSOR_CHARACTERS = 200
# Roles granted in a community, and the national ones (Art. 14, 17).
COMMUNITY_ROLES = (Role.LEADER, Role.DEPUTY, Role.MEMBER)
UNIT_ROLES = {"LEADER": "组长单位", "DEPUTY": "副组长单位", "MEMBER": "成员单位"}


@dataclass(frozen=True)
class ConfirmedAction:
    """A decision the project group takes on one row with a written reason, confirmed first
    because it changes what the regulation says of a community or a unit."""

    node_document: str  # the row, by its id: the form's page
    template: str
    name: str  # the row as the template names it
    mutation_document: str
    mutation: str
    id_field: str  # the mutation's input field naming the row
    unconfirmed: str  # the refusal beside the box left unticked
    back: str
    done: str


WAIVE = ConfirmedAction(
    "admin/finding",
    "admin/waive.html",
    "finding",
    "admin/waive_finding",
    "waiveFinding",
    "findingId",
    "请勾选确认后再豁免",
    "/admin/findings/",
    "waived",
)
REINSTATE = ConfirmedAction(
    "admin/exit",
    "admin/reinstate.html",
    "exit",
    "admin/reinstate",
    "reinstate",
    "exitId",
    "请勾选确认后再撤销退出",
    "/admin/exits/",
    "reinstated",
)


CANCEL_INVOICE = ConfirmedAction(
    "admin/invoice",
    "admin/cancel_invoice.html",
    "invoice",
    "admin/cancel_invoice",
    "cancelInvoice",
    "id",
    "请勾选确认后再作废",
    "/admin/fees/",
    "cancelled",
)
# The fees page holds three forms with an amount each: a refusal goes beside the field of the
# form that was sent, by that field's id.
ISSUE_FIELDS = {"amount": "issue-amount", "kind": "issue-kind"}
SCHEDULE_FIELDS = {"year": "schedule-year", "kind": "schedule-kind", "amount": "schedule-amount"}
# An invoice number as the pay form sends it back, to name the row's fields.
INVOICE_NUMBER = re.compile(r"FY-\d{4}-\d{6}")


REVOKE_RECOGNITION = ConfirmedAction(
    "admin/recognition",
    "admin/revoke.html",
    "recognition",
    "admin/revoke_recognition",
    "revokeRecognition",
    "id",
    "请勾选确认后再撤销",
    "/admin/recognitions/",
    "recognition-revoked",
)


def admin_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    workspace = ProjectGroupWorkspace(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    pages = {
        "/admin/": (workspace.dashboard, ["GET"]),
        "/admin/findings/": (workspace.findings, ["GET"]),
        "/admin/findings/{id}/waive": (workspace.waive, ["GET", "POST"]),
        "/admin/communities/": (workspace.communities, ["GET"]),
        "/admin/communities/new": (workspace.new_community, ["GET", "POST"]),
        "/admin/sites/": (workspace.sites, ["GET"]),
        "/admin/exits/": (workspace.exits, ["GET"]),
        "/admin/exits/{id}/reinstate": (workspace.reinstate, ["GET", "POST"]),
        "/admin/audit-runs/": (workspace.audit_runs, ["GET", "POST"]),
        "/admin/audit-runs/{id}/": (workspace.audit_run, ["GET"]),
        "/admin/users/": (workspace.users, ["GET", "POST"]),
        "/admin/users/{id}/": (workspace.user, ["GET"]),
        "/admin/users/{id}/grant": (workspace.grant, ["POST"]),
        "/admin/users/{id}/revoke": (workspace.revoke, ["POST"]),
        "/admin/users/{id}/assign": (workspace.assign, ["POST"]),
        "/admin/audit-log/": (workspace.audit_log, ["GET"]),
        "/admin/recognitions/": (workspace.recognitions, ["GET", "POST"]),
        "/admin/recognitions/{id}/revoke": (workspace.revoke_recognition, ["GET", "POST"]),
        "/admin/fees/": (workspace.fees, ["GET", "POST"]),
        "/admin/fees/{id}/pay": (workspace.pay, ["POST"]),
        "/admin/fees/{id}/cancel": (workspace.cancel_invoice, ["GET", "POST"]),
        "/admin/fees/{id}/refund": (workspace.refund, ["GET", "POST"]),
    }
    downloads = [
        Route(f"/admin/{name}/export.xlsx", guarded(workspace.download(name)))
        for name in exports.ADMIN_EXPORTS
    ]
    return [
        *(Route(path, guarded(page), methods=methods) for path, (page, methods) in pages.items()),
        *downloads,
        # The arrears as the programme publishes them to its finance staff (Art. 20).
        Route("/exports/arrears.xlsx", guarded(workspace.download("arrears"))),
    ]


class ProjectGroupWorkspace(Workspace):
    form_fields = FORM_FIELDS
    most_files = 0
    # The community form carries one choice per site listed (100 at most) besides its text.
    most_fields = 200

    def home(self, request: Request) -> str:
        return "/admin/"

    def forbidden(self, request: Request) -> Response:
        return self.render(request, "admin/forbidden.html", 403)

    def refusals(
        self, request: Request, answer: Answer, mutation: str
    ) -> dict[str, str] | Response:
        payload = (answer.data or {}).get(mutation)
        for error in (payload or {}).get("errors", []):
            if not error.get("field") and error.get("code") in CODE_FIELDS:
                error["field"] = CODE_FIELDS[error["code"]]
        return super().refusals(request, answer, mutation)

    # -- the dashboard ----------------------------------------------------------------------

    async def dashboard(self, request: Request) -> Response:
        opened = await self._open(request, "admin/dashboard", {})
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admin/dashboard.html",
            me=opened["me"],
            **_compliance_figures(opened["programmeCompliance"]),
        )

    async def _data(self, request: Request, name: str, variables: Mapping[str, Any]) -> Any:
        answer = await self.run(name, request, variables)
        if answer.errors or answer.data is None:
            raise PageFailed(answer)
        return answer.data

    # -- findings ---------------------------------------------------------------------------

    async def findings(self, request: Request) -> Response:
        asked = findings_asked(request)
        opened = await self._open(request, asked.document, self._page(request, asked))
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admin/findings.html",
            filters=asked.filters,
            orders=ORDERS,
            rules=CATALOGUE,
            severities=list(Severity),
            statuses=list(FindingStatus),
            done=_done(request),
            **opened,
        )

    async def waive(self, request: Request) -> Response:
        return await self._confirmed(request, WAIVE)

    async def reinstate(self, request: Request) -> Response:
        return await self._confirmed(request, REINSTATE)

    async def _confirmed(self, request: Request, action: "ConfirmedAction") -> Response:
        """A decision on one row, with its written reason, once confirmed (Art. 12, 20)."""
        node_id = request.path_params["id"]
        if request.method == "GET":
            return await self._confirm_form(request, action, node_id)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        reason = posted.text("reason")
        if not posted.text("confirm"):
            errors = {"confirm": action.unconfirmed}
            return await self._confirm_form(request, action, node_id, reason, errors, 400)
        variables = {"input": {action.id_field: node_id, "reason": reason}}
        answer = await self.run(action.mutation_document, request, variables)
        refused = self.refusals(request, answer, action.mutation)
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._confirm_form(request, action, node_id, reason, refused, 400)
        return back(action.back, action.done)

    async def _confirm_form(
        self,
        request: Request,
        action: "ConfirmedAction",
        node_id: str,
        reason: str = "",
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        opened = await self._open_node(request, action.node_document, node_id)
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            action.template,
            status,
            me=opened["me"],
            reason=reason,
            errors=errors or {},
            **{action.name: opened["node"]},
        )

    # -- communities ------------------------------------------------------------------------

    async def communities(self, request: Request) -> Response:
        asked = communities_asked(request)
        opened = await self._open(request, asked.document, self._page(request, asked))
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admin/communities.html",
            filters=asked.filters,
            orders=ORDERS,
            regions=list(Region),
            levels=list(Level),
            community_statuses=list(CommunityStatus),
            done=_done(request),
            **opened,
        )

    async def new_community(self, request: Request) -> Response:
        if request.method == "GET":
            search = request.query_params.get("q", "").strip()[:SEARCH_CHARACTERS]
            level = _choice(Level, request.query_params.get("unit_level"))
            return await self._community_form(request, {}, search, level)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        search = posted.text("q").strip()[:SEARCH_CHARACTERS]
        unit_level = _choice(Level, posted.text("unit_level"))
        chosen = {
            name.removeprefix("role-"): value
            for name, value in posted.fields.items()
            if name.startswith("role-") and value in UNIT_ROLES
        }
        errors = _community_form_errors(posted, chosen)
        if errors:
            return await self._community_form(
                request, posted.fields, search, unit_level, chosen, errors
            )
        leader = next(unit for unit, role in chosen.items() if role == "LEADER")
        variables = {
            "slug": posted.text("slug").strip(),
            "name": posted.text("name"),
            "region": posted.text("region"),
            "level": posted.text("level"),
            "themes": [t.value for t in Theme if posted.text(f"theme-{t.value}")],
            "cycleStart": posted.text("cycleStart"),
            "agreementSignedOn": posted.text("agreementSignedOn") or None,
            "leaderUnitId": leader,
            "deputyUnitIds": [u for u, role in chosen.items() if role == "DEPUTY"],
            "memberUnitIds": [u for u, role in chosen.items() if role == "MEMBER"],
            "mixedLevelReason": posted.text("mixedLevelReason").strip() or None,
        }
        answer = await self.run("admin/create_community", request, {"input": variables})
        refused = self.refusals(request, answer, "createCommunity")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._community_form(
                request, posted.fields, search, unit_level, chosen, refused
            )
        return back("/admin/communities/", "created")

    async def _community_form(
        self,
        request: Request,
        fields: Mapping[str, str],
        search: str,
        unit_level: str,
        chosen: Mapping[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Response:
        variables = {"search": search or None, "level": unit_level or None}
        opened = await self._open(request, "admin/community_form", variables)
        if isinstance(opened, Response):
            return opened
        chosen = chosen or {}
        listed = {edge["node"]["id"] for edge in opened["units"]["edges"]}
        return self.render(
            request,
            "admin/community_form.html",
            400 if errors else 200,
            fields=fields,
            search=search,
            unit_level=unit_level,
            chosen=chosen,
            # Units chosen before a search narrowed the list stay chosen.
            kept={unit: role for unit, role in chosen.items() if unit not in listed},
            unit_roles=UNIT_ROLES,
            regions=list(Region),
            levels=list(Level),
            themes=list(Theme),
            errors=errors or {},
            **opened,
        )

    # -- sites and exits --------------------------------------------------------------------

    async def sites(self, request: Request) -> Response:
        asked = sites_asked(request)
        opened = await self._open(request, asked.document, self._page(request, asked))
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admin/sites.html",
            filters=asked.filters,
            orders=ORDERS,
            levels=list(Level),
            site_statuses=list(SiteStatus),
            **opened,
        )

    async def exits(self, request: Request) -> Response:
        asked = exits_asked(request)
        opened = await self._open(request, asked.document, self._page(request, asked))
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admin/exits.html",
            filters=asked.filters,
            orders=ORDERS,
            done=_done(request),
            **opened,
        )

    # -- audit runs -------------------------------------------------------------------------

    async def audit_runs(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._audit_runs_page(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        answer = await self.run("admin/run_audit", request, {"input": {}})
        refused = self.refusals(request, answer, "runAudit")
        if isinstance(refused, Response):
            return refused
        if refused or answer.data is None:
            return await self._audit_runs_page(request, refused, 400)
        run = answer.data["runAudit"]["auditRun"]
        return back(f"/admin/audit-runs/{run['id']}/", None)

    async def _audit_runs_page(
        self, request: Request, errors: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        asked = audit_runs_asked(request)
        opened = await self._open(request, asked.document, self._page(request, asked))
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admin/audit_runs.html",
            status,
            filters=asked.filters,
            orders=ORDERS,
            errors=errors or {},
            **opened,
        )

    async def audit_run(self, request: Request) -> Response:
        opened = await self._open(request, "admin/audit_run", {"id": request.path_params["id"]})
        if isinstance(opened, Response):
            return opened
        if not opened.get("auditRun"):
            return self.not_found(request)
        return self.render(request, "admin/audit_run.html", run=opened["auditRun"], **opened)

    # -- users and roles --------------------------------------------------------------------

    async def users(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._users_page(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        variables = {
            "email": posted.text("email").strip(),
            "displayName": posted.text("displayName").strip(),
            "password": posted.text("password"),
            "unitId": posted.text("unitId") or None,
        }
        answer = await self.run("admin/create_user", request, {"input": variables})
        refused = self.refusals(request, answer, "createUser")
        if isinstance(refused, Response):
            return refused
        if refused or answer.data is None:
            return await self._users_page(request, posted.fields, refused, 400)
        created = answer.data["createUser"]["user"]["id"]
        return back(f"/admin/users/{created}/", "user")

    async def _users_page(
        self,
        request: Request,
        fields: Mapping[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        asked = users_asked(request)
        opened = await self._open(request, asked.document, self._page(request, asked))
        if isinstance(opened, Response):
            return opened
        form = await self._data(request, "admin/user_form", {})
        return self.render(
            request,
            "admin/users.html",
            status,
            filters=asked.filters,
            orders=ORDERS,
            roles=list(Role),
            units=[edge["node"] for edge in form["units"]["edges"]],
            fields=fields or {},
            errors=errors or {},
            **opened,
        )

    async def user(self, request: Request) -> Response:
        return await self._user_page(request)

    async def _user_page(
        self,
        request: Request,
        fields: Mapping[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        opened = await self._open_node(request, "admin/user", request.path_params["id"])
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admin/user.html",
            status,
            user=opened["node"],
            me=opened["me"],
            communities=[edge["node"] for edge in opened["communities"]["edges"]],
            roles=list(Role),
            community_roles=[r.value for r in COMMUNITY_ROLES],
            fields=fields or {},
            errors=errors or {},
            done=_done(request),
        )

    async def grant(self, request: Request) -> Response:
        return await self._role_change(request, "grantRole", "granted")

    async def revoke(self, request: Request) -> Response:
        return await self._role_change(request, "revokeRole", "revoked")

    async def assign(self, request: Request) -> Response:
        return await self._role_change(request, "assignExpert", "assigned")

    async def _role_change(self, request: Request, mutation: str, done: str) -> Response:
        user_id = request.path_params["id"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        community = posted.text("community") or None
        variables: dict[str, Any] = {"userId": user_id, "communitySlug": community}
        if mutation != "assignExpert":
            role = _choice(Role, posted.text("role"))
            if not role:
                return await self._user_page(request, posted.fields, {"role": "请选择角色"}, 400)
            variables["role"] = role
        elif community is None:
            errors = {"assign-community": "请选择共同体"}
            return await self._user_page(request, posted.fields, errors, 400)
        document = {"grantRole": "grant_role", "revokeRole": "revoke_role"}.get(
            mutation, "assign_expert"
        )
        answer = await self.run(f"admin/{document}", request, {"input": variables})
        refused = self.refusals(request, answer, mutation)
        if isinstance(refused, Response):
            return refused
        if refused:
            if mutation == "assignExpert" and "community" in refused:
                # The assignment's own community field, not the grant form's.
                refused["assign-community"] = refused.pop("community")
            return await self._user_page(request, posted.fields, refused, 400)
        return back(f"/admin/users/{user_id}/", done)

    # -- the audit log ----------------------------------------------------------------------

    async def audit_log(self, request: Request) -> Response:
        asked = audit_log_asked(request)
        opened = await self._open(request, asked.document, self._page(request, asked))
        if isinstance(opened, Response):
            return opened
        entries = [
            {
                **edge["node"],
                "before": exports.one_line(edge["node"]["before"]),
                "after": exports.one_line(edge["node"]["after"]),
                # An account the entry is about opens on its page, as its actor's does.
                "target_user": (
                    self.encode_id("User", int(edge["node"]["targetId"]))
                    if edge["node"]["targetType"] == "User" and edge["node"]["targetId"].isdigit()
                    else None
                ),
            }
            for edge in opened["auditLog"]["edges"]
        ]
        return self.render(
            request,
            "admin/audit_log.html",
            filters=asked.filters,
            orders=ORDERS,
            entries=entries,
            **opened,
        )

    # -- recognitions (Art. 6(5)) -----------------------------------------------------------

    async def recognitions(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._recognitions_page(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        year = posted.text("year").strip()
        if not year.isdigit():
            errors = {"year": "请填写年度（四位数字）"}
            return await self._recognitions_page(request, posted.fields, errors, 400)
        variables = {
            "kind": _choice(RecognitionKind, posted.text("kind")) or None,
            "year": int(year),
            "communitySlug": posted.text("community") or None,
            "unitId": posted.text("unitId") or None,
            "prize": _choice(Prize, posted.text("prize")) or None,
            "holderName": posted.text("holderName").strip() or None,
            "citation": posted.text("citation").strip() or None,
        }
        if variables["kind"] is None:
            errors = {"kind": "请选择荣誉类别"}
            return await self._recognitions_page(request, posted.fields, errors, 400)
        answer = await self.run("admin/grant_recognition", request, {"input": variables})
        refused = self.refusals(request, answer, "grantRecognition")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._recognitions_page(request, posted.fields, refused, 400)
        return back("/admin/recognitions/", "recognised")

    async def _recognitions_page(
        self,
        request: Request,
        fields: Mapping[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        asked = recognitions_asked(request)
        opened = await self._open(request, asked.document, self._page(request, asked))
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admin/recognitions.html",
            status,
            filters=asked.filters,
            orders=ORDERS,
            kinds=list(RecognitionKind),
            prizes=list(Prize),
            this_year=today().year,
            fields=fields or {},
            errors=errors or {},
            done=_done(request),
            **opened,
        )

    async def revoke_recognition(self, request: Request) -> Response:
        return await self._confirmed(request, REVOKE_RECOGNITION)

    # -- fees (Art. 7(6), 18(6), 19(4), 20) ------------------------------------------------

    async def fees(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._fees_page(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        if posted.text("action") == "schedule":
            return await self._set_schedule(request, posted)
        return await self._issue(request, posted)

    async def _set_schedule(self, request: Request, posted: Posted) -> Response:
        year = posted.text("year").strip()
        amount = fen_of(posted.text("amount"))
        errors: dict[str, str] = {}
        if not year.isdigit():
            errors["year"] = "请填写年度（四位数字）"
        if amount is None:
            errors["amount"] = "请填写金额（元，最多两位小数）"
        kind = _choice(FeeKind, posted.text("kind"))
        if not kind:
            errors["kind"] = "请选择费用类别"
        if errors:
            return await self._fees_page(
                request, posted.fields, _renamed(errors, SCHEDULE_FIELDS), 400
            )
        variables = {"year": int(year), "kind": kind, "amountFen": amount}
        answer = await self.run("admin/set_fee_schedule", request, {"input": variables})
        refused = self.refusals(request, answer, "setFeeSchedule")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._fees_page(
                request, posted.fields, _renamed(refused, SCHEDULE_FIELDS), 400
            )
        return back("/admin/fees/", "schedule")

    async def _issue(self, request: Request, posted: Posted) -> Response:
        amount = fen_of(posted.text("amount"))
        kind = _choice(FeeKind, posted.text("kind"))
        due = posted.text("dueOn").strip()
        errors: dict[str, str] = {}
        if amount is None:
            errors["amount"] = "请填写金额（元，最多两位小数）"
        if not kind:
            errors["kind"] = "请选择费用类别"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", due):
            errors["dueOn"] = "请填写缴费截止日期"
        community = posted.text("community") or None
        unit = posted.text("unitId") or None
        every = posted.text("every") == "yes"
        if every and not community:
            errors["community"] = "向全体成员单位开具时，请选择共同体"
        if errors:
            return await self._fees_page(
                request, posted.fields, _renamed(errors, ISSUE_FIELDS), 400
            )
        lines = [{"kind": kind, "amountFen": amount, "note": posted.text("note").strip() or None}]
        if every:
            variables = {"communitySlug": community, "lines": lines, "dueOn": due}
            mutation, name = "admin/issue_member_invoices", "issueMemberInvoices"
        else:
            variables = {"communitySlug": community, "unitId": unit, "lines": lines, "dueOn": due}
            mutation, name = "admin/issue_invoice", "issueInvoice"
        answer = await self.run(mutation, request, {"input": variables})
        refused = self.refusals(request, answer, name)
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._fees_page(
                request, posted.fields, _renamed(refused, ISSUE_FIELDS), 400
            )
        return back("/admin/fees/", "issued")

    async def pay(self, request: Request) -> Response:
        """One payment against one invoice; the form's idempotency key, made when the page
        was shown, records a payment sent twice (a double click, a resent form) once. A
        refusal (more than the balance) goes beside the amount in that invoice's row, which
        keeps what was typed."""
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        number = posted.text("number")
        row = f"pay-{number}" if INVOICE_NUMBER.fullmatch(number) else ""
        amount = fen_of(posted.text("amount"))
        paid_on = posted.text("paidOn").strip()
        errors: dict[str, str] = {}
        if amount is None:
            errors["amount"] = "请填写缴费金额（元，最多两位小数）"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", paid_on):
            errors["paidOn"] = "请填写缴费日期"
        if errors:
            return await self._fees_page(
                request, errors=_in_row(errors, row), status=400, paying=posted.fields
            )
        variables = {
            "invoiceId": request.path_params["id"],
            "amountFen": amount,
            "paidOn": paid_on,
            "method": posted.text("method").strip(),
            "idempotencyKey": posted.text("key"),
        }
        answer = await self.run("admin/record_payment", request, {"input": variables})
        refused = self.refusals(request, answer, "recordPayment")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._fees_page(
                request, errors=_in_row(refused, row), status=400, paying=posted.fields
            )
        return back("/admin/fees/", "paid")

    async def cancel_invoice(self, request: Request) -> Response:
        return await self._confirmed(request, CANCEL_INVOICE)

    async def refund(self, request: Request) -> Response:
        """Money paid against an invoice returned, with its reason, once confirmed: the
        payer owes it again unless the invoice is then cancelled. The form's idempotency
        key, made when it was shown, records a refund sent twice once."""
        invoice_id = request.path_params["id"]
        if request.method == "GET":
            return await self._refund_form(request, invoice_id, {"key": secrets.token_hex(16)})
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        amount = fen_of(posted.text("amount"))
        refunded_on = posted.text("refundedOn").strip()
        errors: dict[str, str] = {}
        if amount is None:
            errors["amount"] = "请填写退款金额（元，最多两位小数）"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", refunded_on):
            errors["refundedOn"] = "请填写退款日期"
        if not posted.text("confirm"):
            errors["confirm"] = "请勾选确认后再退款"
        if errors:
            return await self._refund_form(request, invoice_id, posted.fields, errors, 400)
        variables = {
            "invoiceId": invoice_id,
            "amountFen": amount,
            "refundedOn": refunded_on,
            "method": posted.text("method").strip(),
            "reason": posted.text("reason"),
            "idempotencyKey": posted.text("key"),
        }
        answer = await self.run("admin/refund_payment", request, {"input": variables})
        refused = self.refusals(request, answer, "refundPayment")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._refund_form(request, invoice_id, posted.fields, refused, 400)
        return back("/admin/fees/", "refunded")

    async def _refund_form(
        self,
        request: Request,
        invoice_id: str,
        fields: Mapping[str, str],
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        opened = await self._open_node(request, "admin/invoice", invoice_id)
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admin/refund.html",
            status,
            me=opened["me"],
            invoice=opened["node"],
            fields=fields,
            today=today().isoformat(),
            errors=errors or {},
        )

    async def _fees_page(
        self,
        request: Request,
        fields: Mapping[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
        paying: Mapping[str, str] | None = None,
    ) -> Response:
        asked = fees_asked(request)
        opened = await self._open(request, asked.document, self._page(request, asked))
        if isinstance(opened, Response):
            return opened
        regions = opened["arrearsByRegion"]
        most = max([r["owedFen"] for r in regions] or [1])
        return self.render(
            request,
            "admin/fees.html",
            status,
            filters=asked.filters,
            kinds=list(FeeKind),
            statuses=list(InvoiceStatus),
            regions=list(Region),
            chart=[
                {**r, "share": round(100 * r["owedFen"] / most) if most else 0} for r in regions
            ],
            this_year=today().year,
            today=today().isoformat(),
            payment_key=secrets.token_hex(16),
            fields=fields or {},
            paying=paying or {},
            errors=errors or {},
            done=_done(request),
            **opened,
        )

    # -- the lists' downloads ---------------------------------------------------------------

    def download(self, name: str) -> Callable[[Request], Any]:
        """`/admin/{name}/export.xlsx`: the list as its page asks for it (filters, order),
        every page of it, for the project group alone, as the page opens."""
        export = exports.ADMIN_EXPORTS[name]
        asked_of = LISTS[name]

        async def admin_download(request: Request) -> Response:
            asked = asked_of(request)
            opened = await self._open(request, asked.document, asked.page(None))
            if isinstance(opened, Response):
                return opened
            return await exports.download(self, request, export, asked, opened)

        return admin_download

    # -- the parts these pages share --------------------------------------------------------

    def _page(self, request: Request, asked: Asked) -> dict[str, Any]:
        """The variables of the page of the list `?after=` names (the first: none)."""
        return asked.page(_cursor(request.query_params.get("after")))

    async def _open(
        self, request: Request, name: str, variables: Mapping[str, Any]
    ) -> dict[str, Any] | Response:
        """The page's data, or what a visitor who may not open it gets: the sign-in page for
        nobody signed in, the 403 page for anyone but the project group, 404 for a filter or
        a cursor the API refuses."""
        actor = self.actor(request)
        if actor is None:
            return self.to_login(request)
        if not self.guard(actor).allows(Permission.PROGRAMME_READ):
            return self.forbidden(request)
        answer = await self.run(name, request, variables)
        codes = answer.codes()
        if "UNAUTHENTICATED" in codes:
            return self.to_login(request)
        if "FORBIDDEN" in codes:
            return self.forbidden(request)
        if answer.errors or answer.data is None:
            if codes and codes <= {"NOT_FOUND", "INVALID_INPUT"}:
                return self.not_found(request)
            raise PageFailed(answer)
        return answer.data

    async def _open_node(
        self, request: Request, name: str, node_id: str
    ) -> dict[str, Any] | Response:
        """As `_open`, for a page about the one object the document reads as `node(id:)`:
        404 when the API answers none (unknown, or not for this reader)."""
        opened = await self._open(request, name, {"id": node_id})
        if isinstance(opened, Response) or opened.get("node"):
            return opened
        return self.not_found(request)


# -- the lists, as a request asks for them: the page and its download alike ----------------
#
# Each reads the page's filters from the query string (a value not in the vocabulary filters
# nothing) and its order (`list_order`, with the list's own as the default), and gives the
# document, its variables and the filters the form, the pager and the download link carry.


def findings_asked(request: Request) -> Asked:
    """Open findings first of all, the oldest first: what has waited longest to be put
    right. "ALL" shows every status; `community=programme` the programme's own findings."""
    query = request.query_params
    community = query.get("community", "")[:CURSOR_CHARACTERS]
    severity = _choice(Severity, query.get("severity"))
    rule = query.get("rule", "")
    rule = rule if rule in {r.id for r in CATALOGUE} else ""
    status = (
        ""
        if query.get("status") == "ALL"
        else _choice(FindingStatus, query.get("status") or "OPEN")
    )
    order = list_order(query, OLDEST)
    variables: dict[str, Any] = {
        "severity": severity or None,
        "status": status or None,
        "rule": rule or None,
        "newestFirst": order == NEWEST,
    }
    if community == "programme":
        document = "admin/programme_findings"
    else:
        document = "admin/findings"
        variables["communitySlug"] = community or None
    filters = {
        "community": community,
        "severity": severity,
        "status": status or "ALL",
        "rule": rule,
        "order": order,
    }
    return Asked(document, variables, filters)


def communities_asked(request: Request) -> Asked:
    """The communities in the order they were formed, unless turned."""
    query = request.query_params
    filters = {
        "region": _choice(Region, query.get("region")),
        "level": _choice(Level, query.get("level")),
        "status": _choice(CommunityStatus, query.get("status")),
    }
    order = list_order(query, OLDEST)
    variables = {name: value or None for name, value in filters.items()}
    return Asked(
        "admin/communities",
        {**variables, "newestFirst": order == NEWEST},
        {**filters, "order": order},
    )


def sites_asked(request: Request) -> Asked:
    """The registry in the order the units were registered, unless turned."""
    query = request.query_params
    province = query.get("province", "").strip()
    filters = {
        "q": query.get("q", "").strip()[:SEARCH_CHARACTERS],
        "level": _choice(Level, query.get("level")),
        "province": province if re.fullmatch(r"\d{2}", province) else "",
        "status": _choice(SiteStatus, query.get("status")),
    }
    order = list_order(query, OLDEST)
    variables = {
        "search": filters["q"] or None,
        "level": filters["level"] or None,
        "province": filters["province"] or None,
        "status": filters["status"] or None,
        "newestFirst": order == NEWEST,
    }
    return Asked("admin/sites", variables, {**filters, "order": order})


def exits_asked(request: Request) -> Asked:
    """The latest exits first: the ones a reinstatement may still be asked for."""
    order = list_order(request.query_params, NEWEST)
    return Asked("admin/exits", {"newestFirst": order == NEWEST}, {"order": order})


def audit_runs_asked(request: Request) -> Asked:
    """The latest runs first: the one just started is the one followed."""
    order = list_order(request.query_params, NEWEST)
    return Asked("admin/audit_runs", {"newestFirst": order == NEWEST}, {"order": order})


def users_asked(request: Request) -> Asked:
    """The accounts in the order they were made, unless turned."""
    query = request.query_params
    filters = {
        "q": query.get("q", "").strip()[:SEARCH_CHARACTERS],
        "role": _choice(Role, query.get("role")),
    }
    order = list_order(query, OLDEST)
    variables = {
        "search": filters["q"] or None,
        "role": filters["role"] or None,
        "newestFirst": order == NEWEST,
    }
    return Asked("admin/users", variables, {**filters, "order": order})


def audit_log_asked(request: Request) -> Asked:
    """The latest changes first: the log is opened to see what was just done (and by whom),
    and its first page would otherwise hold the oldest ones of years of changes."""
    query = request.query_params
    filters = {
        "action": query.get("action", "").strip()[:SEARCH_CHARACTERS],
        "community": query.get("community", "").strip()[:SEARCH_CHARACTERS],
    }
    order = list_order(query, NEWEST)
    variables = {
        "action": filters["action"] or None,
        "communitySlug": filters["community"] or None,
        "newestFirst": order == NEWEST,
    }
    return Asked("admin/audit_log", variables, {**filters, "order": order})


def recognitions_asked(request: Request) -> Asked:
    """The latest grants first: the ones a round just closed gave."""
    query = request.query_params
    year = query.get("year", "").strip()
    filters = {
        "year": year if re.fullmatch(r"\d{4}", year) else "",
        "kind": _choice(RecognitionKind, query.get("kind")),
    }
    order = list_order(query, NEWEST)
    variables = {
        "year": int(filters["year"]) if filters["year"] else None,
        "kind": filters["kind"] or None,
        "newestFirst": order == NEWEST,
    }
    return Asked("admin/recognitions", variables, {**filters, "order": order})


def fees_asked(request: Request) -> Asked:
    """The fees page: the invoices of a status, the arrears of a region (oldest first)."""
    query = request.query_params
    filters = {
        "status": _choice(InvoiceStatus, query.get("status")),
        "region": _choice(Region, query.get("region")),
    }
    variables = {"status": filters["status"] or None, "region": filters["region"] or None}
    return Asked("admin/fees", variables, filters)


def arrears_asked(request: Request) -> Asked:
    """The arrears download: every open invoice past its due date, of a region."""
    region = _choice(Region, request.query_params.get("region"))
    return Asked("admin/arrears", {"region": region or None}, {"region": region})


def _renamed(errors: dict[str, str], names: Mapping[str, str]) -> dict[str, str]:
    return {names.get(field, field): message for field, message in errors.items()}


def _in_row(errors: dict[str, str], row: str) -> dict[str, str]:
    """A payment's refusals by the ids of its row's fields (`pay-FY-2026-000001-amount`);
    without a row to name, in the summary at the top."""
    if not row:
        return {"": "；".join(errors.values())}
    return {f"{row}-{field}" if field else "": message for field, message in errors.items()}


def fen_of(text: str) -> int | None:
    """An amount typed in yuan (`1,234.5`, `800`) as whole fen; None when it is no amount.
    Money is never a float: the digits are read as they are."""
    written = text.strip().replace(",", "").replace("，", "")
    matched = re.fullmatch(r"(\d{1,9})(?:\.(\d{1,2}))?", written)
    if matched is None:
        return None
    return int(matched.group(1)) * 100 + int((matched.group(2) or "0").ljust(2, "0"))


# The lists that download, by their address under /admin/.
LISTS: dict[str, Callable[[Request], Asked]] = {
    "findings": findings_asked,
    "communities": communities_asked,
    "sites": sites_asked,
    "exits": exits_asked,
    "audit-runs": audit_runs_asked,
    "users": users_asked,
    "audit-log": audit_log_asked,
    "recognitions": recognitions_asked,
    "arrears": arrears_asked,
}


def _compliance_figures(national: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's figures as the API counted them: open findings by region and level
    (the communities'), by severity, by article and by rule (the communities' and the
    programme's own together), and the communities with most open errors."""
    programme = national["programme"]
    severities = _added(national["bySeverity"], programme["bySeverity"])
    articles = _added(national["byArticle"], programme["byArticle"])
    rules = _added(national["byRule"], programme["byRule"])
    by_rule = [
        {
            "rule": t["key"],
            "article": RULES[t["key"]].article if t["key"] in RULES else "",
            "title": t["label"],
            "count": t["count"],
        }
        for t in rules
    ]
    counted = {t["key"]: t["count"] for t in severities}
    charts = {
        "findingsByRegion": _chart(national["byRegion"]),
        "findingsByLevel": _chart(national["byLevel"]),
        "findingsBySeverity": _chart(severities),
        "findingsByArticle": [
            {"label": article_label(t["key"]), "count": t["count"]}
            for t in sorted(articles, key=lambda t: article_order(t["key"]))
        ],
    }
    return {
        "charts": charts,
        "by_rule": sorted(by_rule, key=lambda r: (-r["count"], article_order(r["article"]))),
        "worst": national["worst"],
        "communities_count": national["communities"],
        "open_total": national["open"] + programme["open"],
        "open_errors": counted.get(Severity.ERROR.value, 0),
        "open_warnings": counted.get(Severity.WARNING.value, 0),
        "open_notices": counted.get(Severity.NOTICE.value, 0),
        "compliant": national["compliant"],
        "programme_open": programme["open"],
    }


def _added(*tallies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tallies of the same keys added up, in the order their keys first come."""
    added: dict[str, dict[str, Any]] = {}
    for tally in tallies:
        for t in tally:
            if t["key"] in added:
                added[t["key"]]["count"] += t["count"]
            else:
                added[t["key"]] = dict(t)
    return list(added.values())


def _chart(tallies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"label": t["label"], "count": t["count"]} for t in tallies]


def _community_form_errors(posted: Posted, chosen: Mapping[str, str]) -> dict[str, str]:
    """What the form itself refuses before asking the API: a choice the API's input cannot
    carry (no region, no start date, no leader or two)."""
    errors: dict[str, str] = {}
    if not _choice(Region, posted.text("region")):
        errors["region"] = "请选择所在片区（第九条）"
    if not _choice(Level, posted.text("level")):
        errors["level"] = "请选择共同体层级（第十条）"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", posted.text("cycleStart")):
        errors["cycleStart"] = "请填写合作周期开始日期"
    signed = posted.text("agreementSignedOn")
    if signed and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", signed):
        errors["agreementSignedOn"] = "请按“年-月-日”填写协议签订日期"
    leaders = [unit for unit, role in chosen.items() if role == "LEADER"]
    if len(leaders) != 1:
        errors["units"] = (
            "请选择一个组长单位（第十四条）"
            if not leaders
            else "组长单位只能有一个（第十四条），其余请选为副组长或成员单位"
        )
    return errors


def _choice(vocabulary: type[Labelled], value: str | None) -> str:
    """A filter's value when it is one of the vocabulary's; "" (no filter) otherwise."""
    return value if value and value in {member.value for member in vocabulary} else ""


def _cursor(value: str | None) -> str | None:
    return value[:CURSOR_CHARACTERS] if value else None


def _done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))
