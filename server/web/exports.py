"""Workspace lists as Excel workbooks: each list page's **导出 Excel** downloads what the
list shows, every page of it, with the page's filters and order.

The community workspace's: `/c/{slug}/manage/members/export.xlsx`, `activities/export.xlsx`
(with each activity's attendance counts) and `reports/export.xlsx`. The project group's:
`/admin/findings/`, `communities/`, `sites/`, `exits/`, `audit-runs/`, `users/` and
`audit-log/` + `export.xlsx`.

One way for all of them (`download`): the workspace opens the list's first page as its page
does, with the page's own GraphQL document, variables and rights (so whoever may not open
the list gets what the page gives: sign in, 403, 404); the download then follows its keyset
pages (`pageInfo.endCursor`) as the signed-in user up to `MOST_ROWS`, and writes the rows the
page shows with `server/workbooks.py` (text as text, never a formula; dates as dates; Chinese
headers). What a list is asked with (`Asked`) is worked out once from the request, by the
same function for the page and its download, so the download keeps the page's filters and
order."""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from policies.articles import article_label
from policies.permissions import Permission
from server.clock import PROGRAMME_TIMEZONE
from server.runtime import Runtime
from server.units.http import XLSX
from server.web import activities
from server.web.execution import Execute, PageFailed
from server.web.manage import CommunityWorkspace
from server.web.members import attendance_by_unit, by_role
from server.web.routes import Pages
from server.web.workspace import Asked, DecodeId, EncodeId, Workspace
from server.workbooks import Value, Yuan, workbook

# The most rows one download holds. A community has at most 15 units (Art. 9) and a few
# activities and reports a year, so this is decades of them; the project group's lists are
# larger (the audit log grows with every change), and a download stops here rather than
# keep a request open for minutes: its lists filter down to what one wants to read.
MOST_ROWS = 1000
NATIONAL_ROWS = 5000
HALVES = {1: "上半年", 2: "下半年"}

Rows = list[list[Value]]
Data = dict[str, Any]


@dataclass(frozen=True)
class ListExport:
    """What one list's download holds: its sheet and file names, its headers, the rows the
    page shows of one answer, and the connection in an answer whose pages it follows (none:
    one answer holds the whole list)."""

    sheet: str
    filename: str
    headers: tuple[str, ...]
    rows: Callable[[Data], Rows]
    paged: Callable[[Data], Data] | None
    most: int = MOST_ROWS


async def download(
    workspace: Workspace,
    request: Request,
    export: ListExport,
    asked: Asked,
    first: Data,
    prefix: str = "",
) -> Response:
    """The list as a workbook: `first` the answer for its first page, as the workspace
    opened it with the page's rights; the pages after it, asked the same way."""
    data = first
    rows = export.rows(data)
    while export.paged is not None and len(rows) < export.most:
        page_info = export.paged(data)["pageInfo"]
        if not page_info["hasNextPage"]:
            break
        answer = await workspace.run(asked.document, request, asked.page(page_info["endCursor"]))
        if answer.errors or answer.data is None:
            raise PageFailed(answer)
        data = answer.data
        rows += export.rows(data)
    return Response(
        workbook(export.sheet, export.headers, rows[: export.most]),
        media_type=XLSX,
        headers={
            # `prefix` is the API's (a community's slug), safe in a header.
            "Content-Disposition": f"attachment; filename*=UTF-8''{prefix}{export.filename}"
        },
    )


def _nodes(connection: Data) -> list[Data]:
    return [edge["node"] for edge in connection["edges"]]


def _date(text: str | None) -> dt.date | None:
    """A date, or the day a moment fell on in Beijing, as the pages show it."""
    if not text:
        return None
    if "T" in text:
        return _moment(text).date()
    return dt.date.fromisoformat(text)


def _moment(text: str) -> dt.datetime:
    """A moment as Beijing's clock read it: a workbook's cells have no time zone."""
    return dt.datetime.fromisoformat(text).astimezone(PROGRAMME_TIMEZONE).replace(tzinfo=None)


def _member_rows(data: Data) -> Rows:
    """The units in the members page's order: the current ones by role, then those that left;
    each with its attendance as the page counts it (Art. 12)."""
    community = data["community"]
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


def _activity_rows(data: Data) -> Rows:
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
        for a in _nodes(data["community"]["activities"])
    ]


def _report_rows(data: Data) -> Rows:
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
        for r in _nodes(data["community"]["reports"])
    ]


# -- the community workspace's lists ---------------------------------------------------------


@dataclass(frozen=True)
class CommunityList:
    """A community list's download: what its page asks (`asked`, from the request) and the
    permission that opens its page there."""

    asked: Callable[[Request], Asked]
    permission: Permission
    export: ListExport


def _members_asked(request: Request) -> Asked:
    return Asked("manage/standing/members", {"slug": request.path_params["slug"]}, {})


COMMUNITY_EXPORTS = {
    "members": CommunityList(
        _members_asked,
        Permission.NEWS_WRITE,  # the members page's: leader, deputies, project group
        ListExport(
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
            paged=None,
        ),
    ),
    "activities": CommunityList(
        activities.activities_asked,
        Permission.ACTIVITY_MANAGE,
        ListExport(
            sheet="活动",
            filename="activities.xlsx",
            headers=("活动", "活动类型", "日期", "应到", "出席", "缺席", "请假"),
            rows=_activity_rows,
            paged=lambda data: data["community"]["activities"],
        ),
    ),
    "reports": CommunityList(
        activities.reports_asked,
        Permission.REPORT_SUBMIT,
        ListExport(
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
            paged=lambda data: data["community"]["reports"],
        ),
    ),
}


def list_export_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    workspace = CommunityExports(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    return [
        Route(f"/c/{{slug}}/manage/{name}/export.xlsx", guarded(workspace.endpoint(name)))
        for name in COMMUNITY_EXPORTS
    ]


class CommunityExports(CommunityWorkspace):
    """The community lists' downloads, opened as their pages are."""

    def endpoint(self, name: str) -> Callable[[Request], Any]:
        listed = COMMUNITY_EXPORTS[name]

        async def community_download(request: Request) -> Response:
            asked = listed.asked(request)
            opened = await self._open(
                request,
                asked.document,
                asked.page(None),
                lambda data: data.get("community"),
                listed.permission,
            )
            if isinstance(opened, Response):
                return opened
            slug = opened["community"]["slug"]
            return await download(self, request, listed.export, asked, opened, f"{slug}-")

        return community_download


# -- the project group's lists (`/admin/`) ---------------------------------------------------


def _finding_rows(data: Data) -> Rows:
    return [
        [
            f["community"]["name"] if f["community"] else "项目层面",
            (f["unit"] or {}).get("name", ""),
            article_label(f["article"]),
            f["title"],
            f["severityLabel"],
            f["statusLabel"],
            f["period"],
            f["message"],
            f["remedy"],
            _date(f["firstSeenAt"]),
            _date(f["waivedAt"]),
            f["waivedReason"],
        ]
        for f in _nodes(data["findings"])
    ]


def _community_rows(data: Data) -> Rows:
    return [
        [
            c["name"],
            c["slug"],
            "、".join(c["themeLabels"]),
            c["regionLabel"],
            c["levelLabel"],
            c["memberCount"],
            _date(c["cycleStart"]),
            _date(c["cycleEnd"]),
            c["statusLabel"],
            c["compliance"]["errors"],
            c["compliance"]["warnings"],
        ]
        for c in _nodes(data["communities"])
    ]


def _site_rows(data: Data) -> Rows:
    return [
        [
            u["plaqueNumber"],
            u["name"],
            u["levelLabel"],
            u["provinceLabel"],
            u["divisionCode"],
            u["siteStatusLabel"],
            _date(u["admittedOn"]),
        ]
        for u in _nodes(data["units"])
    ]


def _exit_rows(data: Data) -> Rows:
    return [
        [
            _date(x["exitedOn"]),
            x["unit"]["name"],
            x["unit"]["provinceLabel"],
            x["community"]["name"] if x["community"] else x["scopeLabel"],
            x["kindLabel"],
            x["reason"],
            _date(x["reinstatedOn"]),
            x["reinstatedReason"],
        ]
        for x in _nodes(data["exits"])
    ]


def _recognition_rows(data: Data) -> Rows:
    return [
        [
            r["number"],
            r["holderName"],
            r["community"]["name"] if r["community"] else (r["unit"] or {}).get("name"),
            r["kindLabel"],
            r["prizeLabel"],
            r["year"],
            _date(r["grantedOn"]),
            "已撤销" if r["revokedAt"] else "有效",
            r["citation"],
            r["verificationUrl"],
        ]
        for r in _nodes(data["recognitions"])
    ]


def _arrear_rows(data: Data) -> Rows:
    """Amounts in yuan as numbers, with two decimals."""
    return [
        [
            a["number"],
            a["community"]["name"],
            a["community"]["regionLabel"],
            (a["unit"] or {}).get("name", "共同体本身"),
            "、".join(line["kindLabel"] for line in a["lines"]),
            Yuan(a["totalFen"]),
            Yuan(a["paidFen"]),
            Yuan(a["balanceFen"]),
            _date(a["dueOn"]),
            a["daysOverdue"],
        ]
        for a in _nodes(data["arrears"])
    ]


def _run_rows(data: Data) -> Rows:
    return [
        [
            r["community"]["name"] if r["community"] else "全国",
            _moment(r["queuedAt"]),
            r["statusLabel"],
            None if r["durationMs"] is None else round(r["durationMs"] / 1000, 1),
            r["opened"],
            r["resolved"],
        ]
        for r in _nodes(data["auditRuns"])
    ]


def _user_rows(data: Data) -> Rows:
    return [
        [
            u["displayName"],
            u["email"],
            (u["unit"] or {}).get("name", ""),
            "、".join(
                g["roleLabel"] + (f"（{g['community']['name']}）" if g["community"] else "")
                for g in u["roles"]
            ),
            "启用" if u["isActive"] else "已停用",
        ]
        for u in _nodes(data["users"])
    ]


def one_line(value: Any) -> str:
    """A log entry's before or after, in one line a reader can scan (the page's too)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _entry_rows(data: Data) -> Rows:
    return [
        [
            _date(e["at"]),
            e["action"],
            f"{e['targetType']} {e['targetId']}",
            e["actorId"] or "系统",
            one_line(e["before"]),
            one_line(e["after"]),
        ]
        for e in _nodes(data["auditLog"])
    ]


ADMIN_EXPORTS = {
    "findings": ListExport(
        sheet="问题清单",
        filename="findings.xlsx",
        headers=(
            "共同体",
            "单位",
            "条款",
            "问题",
            "严重程度",
            "状态",
            "期间",
            "说明",
            "整改建议",
            "首次发现日期",
            "豁免日期",
            "豁免理由",
        ),
        rows=_finding_rows,
        paged=lambda data: data["findings"],
        most=NATIONAL_ROWS,
    ),
    "communities": ListExport(
        sheet="共同体",
        filename="communities.xlsx",
        headers=(
            "共同体",
            "标识",
            "主题",
            "片区",
            "层级",
            "成员单位数",
            "合作周期开始",
            "合作周期结束",
            "状态",
            "待整改违规",
            "待整改预警",
        ),
        rows=_community_rows,
        paged=lambda data: data["communities"],
        most=NATIONAL_ROWS,
    ),
    "sites": ListExport(
        sheet="实验点",
        filename="sites.xlsx",
        headers=("授牌编号", "单位名称", "层级", "省份", "区划代码", "状态", "授牌日期"),
        rows=_site_rows,
        paged=lambda data: data["units"],
        most=NATIONAL_ROWS,
    ),
    "exits": ListExport(
        sheet="退出名单",
        filename="exits.xlsx",
        headers=("退出日期", "单位", "省份", "范围", "方式", "原因", "撤销日期", "撤销理由"),
        rows=_exit_rows,
        paged=lambda data: data["exits"],
        most=NATIONAL_ROWS,
    ),
    "recognitions": ListExport(
        sheet="荣誉与证书",
        filename="recognitions.xlsx",
        headers=(
            "证书编号",
            "获得者",
            "所属单位或共同体",
            "荣誉类别",
            "等级",
            "年度",
            "颁发日期",
            "状态",
            "颁奖词",
            "验证网址",
        ),
        rows=_recognition_rows,
        paged=lambda data: data["recognitions"],
        most=NATIONAL_ROWS,
    ),
    "arrears": ListExport(
        sheet="欠费名单",
        filename="arrears.xlsx",
        headers=(
            "应收单号",
            "共同体",
            "片区",
            "缴费单位",
            "费用类别",
            "应收（元）",
            "已缴（元）",
            "欠费（元）",
            "缴费截止日期",
            "逾期天数",
        ),
        rows=_arrear_rows,
        paged=lambda data: data["arrears"],
        most=NATIONAL_ROWS,
    ),
    "audit-runs": ListExport(
        sheet="审计记录",
        filename="audit-runs.xlsx",
        headers=("范围", "开始于", "状态", "用时（秒）", "新发现", "已消除"),
        rows=_run_rows,
        paged=lambda data: data["auditRuns"],
        most=NATIONAL_ROWS,
    ),
    "users": ListExport(
        sheet="账户",
        filename="users.xlsx",
        headers=("姓名", "电子邮箱", "所在单位", "角色", "状态"),
        rows=_user_rows,
        paged=lambda data: data["users"],
        most=NATIONAL_ROWS,
    ),
    "audit-log": ListExport(
        sheet="操作日志",
        filename="audit-log.xlsx",
        headers=("日期", "操作", "对象", "操作人", "更改前", "更改后"),
        rows=_entry_rows,
        paged=lambda data: data["auditLog"],
        most=NATIONAL_ROWS,
    ),
}
