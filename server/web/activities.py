"""The community leader's activities, reports and audits, in `/c/{slug}/manage/`: schedule an
activity and record who came (one grid, or a sign-in sheet), write the reports the regulation
asks for (Art. 18(4), 18(5)) and read their reviews, and run the rule audits and follow the run.

Pages and forms work as every workspace's do (`server/web/workspace.py`) and open as the
community workspace's do (`CommunityWorkspace._open`), each with the permission its work needs:
activities `ACTIVITY_MANAGE`, reports `REPORT_SUBMIT`, audits `AUDIT_RUN`.

Two answers are shown at once instead of after a redirect: what a sign-in sheet's import
rejected (up to 200 rows by line) and the units a recording made leave (Art. 12); both exist
only in the mutation's answer, and a `?done=` sentence cannot carry them. Recording or
importing the same statuses again changes nothing, so a browser that posts them twice is
harmless."""

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from policies.permissions import Permission
from server import clock
from server.errors import ErrorCode, GongxueError, UserFacingError
from server.runtime import Runtime
from server.uploads import service as uploads
from server.vocabulary import ActivityKind, AttendanceStatus, ReportKind
from server.web.execution import Answer, Execute
from server.web.manage import CommunityWorkspace
from server.web.routes import Pages
from server.web.workspace import (
    NEWEST,
    OLDEST,
    ORDERS,
    Asked,
    DecodeId,
    EncodeId,
    Posted,
    back,
    list_order,
)

FORM_FIELDS = {
    "uploadId": "sheet",
    "activityId": "",
    "communitySlug": "",
    "unitId": "",
    "entries": "entries",
}
DONE = {
    "scheduled": "活动已安排。活动举行后，请在本页登记各成员单位的出勤情况。",
    "recorded": "出勤情况已登记。",
    "submitted": "报告已提交。",
}
# Art. 16(3): citizen learning activities a community holds each year, at least.
CITIZEN_LEARNING_A_YEAR = 2
# The kinds a leader or deputy submits for the community; a member unit submits its own
# annual summary (MEMBER_ANNUAL) from its own workspace (Art. 19(3)).
COMMUNITY_REPORTS = (ReportKind.SEMI_ANNUAL, ReportKind.ANNUAL_SUMMARY, ReportKind.PLAN)
SHEET_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
SHEET_REFUSED = "签到表须为 CSV（UTF-8 编码）或 .xlsx 文件"
PAGE_SIZE = 20
# Where an audit run is still going: its page refreshes itself until it has finished.
UNFINISHED = ("QUEUED", "RUNNING")


def activity_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    workspace = ActivitiesWorkspace(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    base = "/c/{slug}/manage"
    return [
        Route(f"{base}/activities/", guarded(workspace.activities), methods=["GET", "POST"]),
        Route(f"{base}/activities/{{id}}/", guarded(workspace.activity), methods=["GET"]),
        Route(
            f"{base}/activities/{{id}}/attendance",
            guarded(workspace.record_attendance),
            methods=["POST"],
        ),
        Route(f"{base}/activities/{{id}}/sheet", guarded(workspace.import_sheet), methods=["POST"]),
        Route(f"{base}/reports/", guarded(workspace.reports), methods=["GET", "POST"]),
        Route(f"{base}/reports/{{id}}/", guarded(workspace.report), methods=["GET"]),
        Route(f"{base}/audit/", guarded(workspace.run_audit), methods=["POST"]),
        Route(f"{base}/audit/{{id}}/", guarded(workspace.audit), methods=["GET"]),
    ]


class ActivitiesWorkspace(CommunityWorkspace):
    form_fields = FORM_FIELDS
    most_files = 1  # a sign-in sheet
    most_fields = 100  # the grid: one status per unit (at most 15, Art. 9)

    def refusals(
        self, request: Request, answer: Answer, mutation: str
    ) -> dict[str, str] | Response:
        """As every workspace's, with a refusal of one grid row (`entries.3.unitId`) shown
        beside the grid, which is the field the form has."""
        refused = super().refusals(request, answer, mutation)
        if isinstance(refused, Response):
            return refused
        errors: dict[str, str] = {}
        for field, message in refused.items():
            errors.setdefault("entries" if field.startswith("entries.") else field, message)
        return errors

    # -- activities -------------------------------------------------------------------------

    async def activities(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._activities(request)
        slug = request.path_params["slug"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        errors: dict[str, str] = {}
        kind = posted.text("kind")
        if kind not in ActivityKind.__members__:
            errors["kind"] = "请选择活动类型"
        held_on = _date(posted.text("heldOn"))
        if held_on is None:
            errors["heldOn"] = "请选择活动日期"
        expected = [
            name.removeprefix("expect_") for name in posted.fields if name.startswith("expect_")
        ]
        if not expected:
            errors["expectedUnitIds"] = "请至少选择一个应到单位"
        if errors:
            return await self._activities(request, posted, errors, 400)
        variables = {
            "communitySlug": slug,
            "kind": kind,
            "title": posted.text("title"),
            "heldOn": str(held_on),
            "expectedUnitIds": expected,
        }
        answer = await self.run("manage/activities/schedule", request, {"input": variables})
        refused = self.refusals(request, answer, "scheduleActivity")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._activities(request, posted, refused, 400)
        created = (answer.data or {})["scheduleActivity"]["activity"]["id"]
        return back(f"/c/{slug}/manage/activities/{created}/", "scheduled")

    async def _activities(
        self,
        request: Request,
        posted: Posted | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        today = clock.today()
        after = request.query_params.get("after") or None
        asked = activities_asked(request)
        opened = await self._open(
            request, asked.document, asked.page(after), _community, Permission.ACTIVITY_MANAGE
        )
        if isinstance(opened, Response):
            return opened
        community = opened["community"]
        members = [edge["node"] for edge in community["members"]["edges"]]
        if posted is None:
            chosen = {member["unit"]["id"] for member in members}  # every member, by default
        else:
            chosen = {name.removeprefix("expect_") for name in posted.fields}
        return self.render(
            request,
            "manage/activities/list.html",
            status,
            errors=errors or {},
            done=DONE.get(request.query_params.get("done", "")),
            kinds=list(ActivityKind),
            form={
                "kind": posted.text("kind") if posted else "",
                "title": posted.text("title") if posted else "",
                "heldOn": posted.text("heldOn") if posted else "",
            },
            members=members,
            chosen=chosen,
            year=today.year,
            required=CITIZEN_LEARNING_A_YEAR,
            paged=after is not None,
            shown_kind=asked.filters["kind"],
            filters=asked.filters,
            orders=ORDERS,
            **opened,
        )

    async def activity(self, request: Request) -> Response:
        return await self._activity(request)

    async def _activity(
        self,
        request: Request,
        errors: dict[str, str] | None = None,
        status: int = 200,
        chosen: Mapping[str, str] | None = None,
        exits: list[dict[str, Any]] | None = None,
        imported: dict[str, Any] | None = None,
    ) -> Response:
        slug = request.path_params["slug"]
        opened = await self._open(
            request,
            "manage/activities/activity",
            {"id": request.path_params["id"]},
            lambda data: _of_community(data.get("node"), slug),
            Permission.ATTENDANCE_RECORD,
        )
        if isinstance(opened, Response):
            return opened
        activity = opened["node"]
        recorded = {r["unit"]["id"]: r["status"] for r in activity["attendance"]}
        return self.render(
            request,
            "manage/activities/activity.html",
            status,
            me=opened["me"],
            community=activity["community"],
            activity=activity,
            statuses=list(AttendanceStatus),
            chosen={**recorded, **(chosen or {})},
            held=dt.date.fromisoformat(activity["heldOn"]) <= clock.today(),
            errors=errors or {},
            done=DONE.get(request.query_params.get("done", "")),
            exits=exits or [],
            imported=imported,
        )

    async def record_attendance(self, request: Request) -> Response:
        slug, activity_id = request.path_params["slug"], request.path_params["id"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        chosen = {
            name.removeprefix("status_"): value
            for name, value in posted.fields.items()
            if name.startswith("status_") and value in AttendanceStatus.__members__
        }
        if not chosen:
            errors = {"entries": "请为至少一个单位选择出勤情况"}
            return await self._activity(request, errors, 400, chosen)
        entries = [{"unitId": unit, "status": value} for unit, value in chosen.items()]
        variables = {"input": {"activityId": activity_id, "entries": entries}}
        answer = await self.run("manage/activities/record", request, variables)
        refused = self.refusals(request, answer, "recordAttendance")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._activity(request, refused, 400, chosen)
        exits = (answer.data or {})["recordAttendance"]["exits"]
        if exits:
            return await self._activity(request, exits=exits)
        return back(f"/c/{slug}/manage/activities/{activity_id}/", "recorded")

    async def import_sheet(self, request: Request) -> Response:
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        if "sheet" not in posted.files:
            return await self._activity(request, {"sheet": "请选择签到表文件"}, 400)
        # Open the page first: nobody keeps a file under an activity they may not record.
        opened = await self._activity(request)
        if opened.status_code != 200:
            return opened
        try:
            upload_id = await self._keep_sheet(posted)
        except UserFacingError as error:
            return await self._activity(request, {"sheet": error.message("zh")}, 400)
        variables = {"input": {"activityId": request.path_params["id"], "uploadId": upload_id}}
        answer = await self.run("manage/activities/import", request, variables)
        refused = self.refusals(request, answer, "importAttendance")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._activity(request, refused, 400)
        imported = (answer.data or {})["importAttendance"]
        return await self._activity(request, exits=imported["exits"], imported=imported)

    async def _keep_sheet(self, posted: Posted) -> str:
        """The sheet, kept by the upload service with its checks, as the upload id the
        import names; a file that is no sheet is refused (`UserFacingError`)."""
        name, data = posted.files["sheet"]
        try:
            async with self.runtime.database.transaction() as session:
                upload = await uploads.store(
                    session, self.runtime.settings, posted.actor.user_id, quote(name, safe=""), data
                )
                if upload.content_type not in SHEET_TYPES:
                    raise _refused(SHEET_REFUSED)  # rolls the file back
        except UserFacingError:
            raise
        except GongxueError as error:  # the quota's lock or count failing as a refusal
            raise _refused(error.message("zh")) from None
        return self.encode_id("Upload", upload.id)

    # -- reports ----------------------------------------------------------------------------

    async def reports(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._reports(request)
        slug = request.path_params["slug"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        errors: dict[str, str] = {}
        kind = posted.text("kind")
        if kind not in {k.value for k in COMMUNITY_REPORTS}:
            errors["kind"] = "请选择报告类型"
        year = posted.text("year").strip()
        if not (year.isdigit() and 1900 <= int(year) <= 2199):
            errors["year"] = "请填写报告所属年度，如 2026"
        half = posted.text("half")
        if kind == ReportKind.SEMI_ANNUAL.value and half not in ("1", "2"):
            errors["half"] = "半年报告请选择上半年或下半年"
        # The API names the body for a blank title too: each beside its own field here.
        if not posted.text("title").strip():
            errors["title"] = "请填写标题"
        if not posted.text("body").strip():
            errors["body"] = "请填写正文"
        if not posted.text("confirm"):
            errors["confirm"] = "请确认报告内容无误：提交后不能修改或撤回"
        if errors:
            return await self._reports(request, posted, errors, 400)
        variables = {
            "communitySlug": slug,
            "kind": kind,
            "year": int(year),
            "half": int(half) if kind == ReportKind.SEMI_ANNUAL.value else None,
            "title": posted.text("title"),
            "body": posted.text("body"),
        }
        answer = await self.run("manage/reports/submit", request, {"input": variables})
        refused = self.refusals(request, answer, "submitReport")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._reports(request, posted, refused, 400)
        report = (answer.data or {})["submitReport"]["report"]["id"]
        return back(f"/c/{slug}/manage/reports/{report}/", "submitted")

    async def _reports(
        self,
        request: Request,
        posted: Posted | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        after = request.query_params.get("after") or None
        asked = reports_asked(request)
        opened = await self._open(
            request, asked.document, asked.page(after), _community, Permission.REPORT_SUBMIT
        )
        if isinstance(opened, Response):
            return opened
        # A due report's link fills the form in (`?kind=&year=&half=`); a refused form keeps
        # what was written.
        source: Mapping[str, str] = posted.fields if posted else request.query_params
        form = {name: source.get(name, "") for name in ("kind", "year", "half", "title", "body")}
        if not form["year"]:
            form["year"] = str(clock.today().year)
        # A deputy writes reports but does not run the audits (the leader, an assigned
        # expert or the project group does): no button the API would refuse.
        actor = self.actor(request)
        (community_id,) = self.decode_id(opened["community"]["id"], "Community")
        may_audit = actor is not None and self.guard(actor).allows(
            Permission.AUDIT_RUN, community_id
        )
        return self.render(
            request,
            "manage/reports/list.html",
            status,
            filters=asked.filters,
            orders=ORDERS,
            errors=errors or {},
            done=DONE.get(request.query_params.get("done", "")),
            kinds=COMMUNITY_REPORTS,
            form=form,
            may_audit=may_audit,
            paged=after is not None,
            **opened,
        )

    async def report(self, request: Request) -> Response:
        slug, report_id = request.path_params["slug"], request.path_params["id"]
        opened = await self._open(
            request,
            "manage/reports/report",
            {"slug": slug, "id": report_id},
            lambda data: _community(data) if data.get("node") else None,
            Permission.REPORT_SUBMIT,
        )
        if isinstance(opened, Response):
            return opened
        report = opened["node"]
        # Another community's report is not shown under this one's address (the API lets the
        # project group read it; the page is this community's).
        if (report.get("community") or {}).get("slug") != slug:
            return self.not_found(request)
        return self.render(
            request,
            "manage/reports/report.html",
            report=report,
            done=DONE.get(request.query_params.get("done", "")),
            errors={},
            **opened,
        )

    # -- audits -----------------------------------------------------------------------------

    async def run_audit(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        answer = await self.run(
            "manage/reports/audit_run", request, {"input": {"communitySlug": slug}}
        )
        refused = self.refusals(request, answer, "runAudit")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._reports(request, None, refused, 400)
        run = (answer.data or {})["runAudit"]["auditRun"]["id"]
        return back(f"/c/{slug}/manage/audit/{run}/", None)

    async def audit(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        opened = await self._open(
            request,
            "manage/reports/audit_status",
            {"slug": slug, "id": request.path_params["id"]},
            lambda data: _of_community(data.get("auditRun"), slug),
            Permission.AUDIT_RUN,
        )
        if isinstance(opened, Response):
            return opened
        run = opened["auditRun"]
        return self.render(
            request,
            "manage/reports/audit.html",
            run=run,
            unfinished=run["status"] in UNFINISHED,
            errors={},
            done=None,
            **opened,
        )


def activities_asked(request: Request) -> Asked:
    """The activities list as the request asks for it (the page and its export): of the kind
    `?kind=` names, if it names one, in the order `?order=` chooses (the latest first unless
    it says otherwise: a leader looks for what was just held)."""
    today = clock.today()
    kind = request.query_params.get("kind", "")
    kind = kind if kind in ActivityKind.__members__ else ""
    order = list_order(request.query_params, NEWEST)
    return Asked(
        "manage/activities/list",
        {
            "kind": kind or None,
            "newestFirst": order == NEWEST,
            "slug": request.path_params["slug"],
            "yearStart": str(dt.date(today.year, 1, 1)),
            "yearEnd": str(dt.date(today.year, 12, 31)),
            "today": str(today),
        },
        {"kind": kind, "order": order},
    )


def reports_asked(request: Request) -> Asked:
    """The reports list as the request asks for it (the page and its export), in the order
    `?order=` chooses: the oldest first unless it says otherwise, as the reports are owed."""
    order = list_order(request.query_params, OLDEST)
    return Asked(
        "manage/reports/list",
        {"slug": request.path_params["slug"], "newestFirst": order == NEWEST},
        {"order": order},
    )


def _community(data: dict[str, Any]) -> dict[str, Any] | None:
    community: dict[str, Any] | None = data.get("community")
    return community


def _of_community(thing: dict[str, Any] | None, slug: str) -> dict[str, Any] | None:
    """The activity's (or audit run's) community, when it is this page's: another
    community's is not shown under this one's address."""
    community: dict[str, Any] | None = (thing or {}).get("community")
    if not community or community.get("slug") != slug:
        return None
    return community


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _refused(message: str) -> UserFacingError:
    return UserFacingError(ErrorCode.INVALID_INPUT, message, message, "uploadId")
