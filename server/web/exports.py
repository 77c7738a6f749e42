"""The community workspace's lists as Excel workbooks: `/c/{slug}/manage/members/export.xlsx`,
`activities/export.xlsx` (with each activity's attendance counts) and `reports/export.xlsx`.

One way for the three: the export runs the list page's own GraphQL document, as the signed-in
user, with the page's permission (so whoever may not open the list gets what the page gives:
sign in, 403, 404), follows its keyset pages (`pageInfo.endCursor`) up to `MOST_ROWS`, and
writes the rows the page shows with `server/workbooks.py` (text as text, never a formula;
dates as dates; Chinese headers)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from policies.permissions import Permission
from server.runtime import Runtime
from server.units.http import XLSX
from server.web import activities
from server.web.execution import Execute, PageFailed
from server.web.manage import CommunityWorkspace
from server.web.members import attendance_by_unit, by_role
from server.web.routes import Pages
from server.web.workspace import DecodeId, EncodeId
from server.workbooks import Value, workbook

# The most rows one download holds: a community has at most 15 units (Art. 9) and a few
# activities and reports a year, so this is decades of them; it bounds the pages followed.
MOST_ROWS = 1000
HALVES = {1: "上半年", 2: "下半年"}

Rows = list[list[Value]]


@dataclass(frozen=True)
class ListExport:
    """What one list's download is: the page's document and permission, the connection its
    pages follow (none: one answer holds the whole list), and its rows as the page shows them."""

    document: str
    permission: Permission
    variables: Callable[[Request, str | None], dict[str, Any]]
    paged: str | None
    sheet: str
    filename: str
    headers: tuple[str, ...]
    rows: Callable[[dict[str, Any]], Rows]


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _member_rows(community: dict[str, Any]) -> Rows:
    """The units in the members page's order: the current ones by role, then those that left;
    each with its attendance as the page counts it (Art. 12)."""
    memberships = [edge["node"] for edge in community["members"]["edges"]]
    current = sorted((m for m in memberships if m["status"] == "ACTIVE"), key=by_role)
    past = [m for m in memberships if m["status"] != "ACTIVE"]
    attendance = attendance_by_unit(community["activities"]["edges"])
    rows: Rows = []
    for m in [*current, *past]:
        unit = m["unit"]
        record = attendance.get(unit["id"], {})
        rows.append(
            [
                unit["name"],
                unit["provinceLabel"],
                unit["levelLabel"],
                unit["plaqueNumber"],
                m["roleLabel"],
                m["statusLabel"],
                _date(m["joinedOn"]),
                _date(m["leftOn"]),
                m["leftReason"],
                record.get("ATTENDED", 0),
                record.get("ABSENT", 0),
                record.get("EXCUSED", 0),
                record.get("in_a_row", 0),
            ]
        )
    return rows


def _activity_rows(community: dict[str, Any]) -> Rows:
    return [
        [
            a["title"],
            a["kindLabel"],
            _date(a["heldOn"]),
            a["expectedCount"],
            a["attendedCount"],
            a["absentCount"],
            a["excusedCount"],
        ]
        for a in (edge["node"] for edge in community["activities"]["edges"])
    ]


def _report_rows(community: dict[str, Any]) -> Rows:
    return [
        [
            r["title"],
            r["kindLabel"],
            r["year"],
            HALVES.get(r["half"], ""),
            (r["unit"] or {}).get("name", ""),
            _date(r["dueOn"]),
            _date(r["submittedOn"]),
            "逾期提交" if r["late"] else "按期提交",
            "已审阅" if r["reviewedAt"] else "待审阅",
        ]
        for r in (edge["node"] for edge in community["reports"]["edges"])
    ]


EXPORTS = {
    "members": ListExport(
        document="manage/standing/members",
        permission=Permission.NEWS_WRITE,  # the members page's: leader, deputies, project group
        variables=lambda request, after: {"slug": request.path_params["slug"]},
        paged=None,
        sheet="成员单位",
        filename="members.xlsx",
        headers=(
            "单位名称",
            "省份",
            "层级",
            "授牌编号",
            "角色",
            "状态",
            "加入日期",
            "退出日期",
            "退出理由",
            "出席次数",
            "缺席次数",
            "请假次数",
            "连续缺席次数",
        ),
        rows=_member_rows,
    ),
    "activities": ListExport(
        document="manage/activities/list",
        permission=Permission.ACTIVITY_MANAGE,
        variables=activities.list_variables,
        paged="activities",
        sheet="活动",
        filename="activities.xlsx",
        headers=("活动", "活动类型", "日期", "应到", "出席", "缺席", "请假"),
        rows=_activity_rows,
    ),
    "reports": ListExport(
        document="manage/reports/list",
        permission=Permission.REPORT_SUBMIT,
        variables=lambda request, after: {"slug": request.path_params["slug"], "after": after},
        paged="reports",
        sheet="报告",
        filename="reports.xlsx",
        headers=(
            "标题",
            "报告类型",
            "年度",
            "半年",
            "成员单位",
            "截止日期",
            "提交日期",
            "是否逾期",
            "审阅",
        ),
        rows=_report_rows,
    ),
}


def list_export_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    workspace = ListExports(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    return [
        Route(f"/c/{{slug}}/manage/{name}/export.xlsx", guarded(workspace.endpoint(name)))
        for name in EXPORTS
    ]


class ListExports(CommunityWorkspace):
    """The lists' downloads, opened as their pages are."""

    def endpoint(self, name: str) -> Callable[[Request], Any]:
        async def download(request: Request) -> Response:
            return await self.download(request, EXPORTS[name])

        return download

    async def download(self, request: Request, export: ListExport) -> Response:
        opened = await self._open(
            request,
            export.document,
            export.variables(request, None),
            lambda data: data.get("community"),
            export.permission,
        )
        if isinstance(opened, Response):
            return opened
        community = opened["community"]
        rows = export.rows(community)
        while export.paged and len(rows) < MOST_ROWS:
            page_info = community[export.paged]["pageInfo"]
            if not page_info["hasNextPage"]:
                break
            answer = await self.run(
                export.document, request, export.variables(request, page_info["endCursor"])
            )
            if answer.errors or not (answer.data or {}).get("community"):
                raise PageFailed(answer)
            community = (answer.data or {})["community"]
            rows += export.rows(community)
        slug = opened["community"]["slug"]  # the API's, safe in a header
        return Response(
            workbook(export.sheet, export.headers, rows[:MOST_ROWS]),
            media_type=XLSX,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{slug}-{export.filename}"
            },
        )
