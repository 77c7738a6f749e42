"""The project group's lists as Excel downloads over HTTP (`/admin/<list>/export.xlsx`): each
holds the rows its page shows, with the page's filters and order, every page of it, Chinese
headers, dates as dates and text as text; nobody but the project group gets one."""

import datetime as dt
import io
import re
from html import unescape

import openpyxl
import pytest
from sqlalchemy import update

from server.audit.models import AuditEntry
from server.compliance.models import AuditRun, Finding
from server.recognition.models import Recognition
from server.units.models import ExitRecord, Unit
from server.vocabulary import (
    AuditRunStatus,
    ExitScope,
    FindingStatus,
    Level,
    RecognitionKind,
    Region,
    Severity,
    SiteStatus,
)
from tests.factories import make_community, make_user

pytestmark = pytest.mark.asyncio

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = "=1+2"
NOW = dt.datetime(2026, 11, 3, 3, 0, tzinfo=dt.UTC)
# More log entries than a page of the audit log (50): its download follows the pages.
ENTRIES = 57


def _sheet(answer) -> list[tuple]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _cells(answer):
    return openpyxl.load_workbook(io.BytesIO(answer.content)).worksheets[0]


def _shown(pattern: str):
    return lambda html: [unescape(value) for value in re.findall(pattern, html)]


# Each list: its headers, the column that names a row, and what names the rows on its page.
LISTS = {
    "findings": (
        (
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
        7,
        _shown(r"<p>(问题[^<]+)</p>"),
    ),
    "communities": (
        (
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
        1,
        _shown(r'<td data-label="共同体" class="lead"><div><a href="/c/([^/]+)/">'),
    ),
    "sites": (
        ("授牌编号", "单位名称", "层级", "省份", "区划代码", "状态", "授牌日期"),
        1,
        _shown(r'<td data-label="单位名称" class="lead">([^<]+)</td>'),
    ),
    "exits": (
        ("退出日期", "单位", "省份", "范围", "方式", "原因", "撤销日期", "撤销理由"),
        1,
        _shown(r'<td data-label="单位" class="lead"><div>([^<]+)<br>'),
    ),
    "audit-runs": (
        ("范围", "开始于", "状态", "用时（秒）", "新发现", "已消除"),
        0,
        _shown(r'<td data-label="范围" class="lead">([^<]+)</td>'),
    ),
    "recognitions": (
        (
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
        0,
        _shown(r'<td data-label="证书编号" class="nowrap"><a href="/verify/[^"]+">([^<]+)</a>'),
    ),
    "users": (
        ("姓名", "电子邮箱", "所在单位", "角色", "状态"),
        1,
        _shown(r'<td data-label="电子邮箱">([^<]+)</td>'),
    ),
    "audit-log": (
        ("日期", "操作", "对象", "操作人", "更改前", "更改后"),
        2,
        _shown(r'<td data-label="对象" class="mono">(?:<a href="[^"]+">)?([^<]+)<'),
    ),
}


@pytest.fixture
async def seeded(client, runtime):
    """Two communities (one unit named like a formula), findings of each severity, an exit,
    audit runs, a leader's account and 57 audit log entries; signed in as the project group."""
    a, units = await make_community(runtime, "yrd-xlsx", name="长三角县域老年教育共同体")
    b, _ = await make_community(
        runtime, "xinan-xlsx", region=Region.SOUTHWEST, level=Level.TOWNSHIP, province="51"
    )
    async with runtime.database.transaction(all_communities=True) as session:
        await session.execute(update(Unit).where(Unit.id == units[2].id).values(name=FORMULA))
        session.add(
            ExitRecord(
                unit_id=units[2].id,
                community_id=a.id,
                scope=ExitScope.COMMUNITY,
                kind=SiteStatus.WITHDRAWN,
                exited_on=dt.date(2026, 6, 1),
                reason="+书面申请退出",
                evidence=[],
            )
        )
        session.add(AuditRun(status=AuditRunStatus.SUCCEEDED, counts={}))
        for n, (community, kind) in enumerate(
            ((a, RecognitionKind.MODEL_COMMUNITY), (b, RecognitionKind.FEATURED_COMMUNITY)),
            start=1,
        ):
            session.add(
                Recognition(
                    community_id=community.id,
                    kind=kind,
                    year=2026,
                    holder_name=community.name,
                    number=f"GX-2026-{n:04d}",
                    granted_on=dt.date(2026, 11, 3),
                )
            )
        session.add(AuditRun(community_id=b.id, status=AuditRunStatus.SUCCEEDED, counts={}))
        for n in range(ENTRIES):
            session.add(
                AuditEntry(
                    action="unit.rename" if n % 2 else "finding.waive",
                    target_type="Unit",
                    target_id=str(n),
                    after={"name": FORMULA} if n == 0 else None,
                    at=NOW,
                )
            )
            await session.flush()  # ids in the order of the numbers
    severities = [Severity.ERROR, Severity.WARNING, Severity.NOTICE, Severity.WARNING]
    for community, offset in ((a, 0), (b, 10)):
        async with runtime.database.transaction(community.id) as session:
            for n, severity in enumerate(severities, start=offset):
                session.add(
                    Finding(
                        community_id=community.id,
                        rule="citizen-learning",
                        article="16(3)",
                        severity=severity,
                        status=FindingStatus.OPEN,
                        subject=f"unit:{n}",
                        period="2026",
                        message_zh=f"问题{n:02d}",
                        message_en=f"Finding {n:02d}",
                        evidence=[],
                        fingerprint=f"xlsx-{n:02d}",
                        first_seen_at=NOW,
                        last_seen_at=NOW,
                    )
                )
                await session.flush()
    await make_user(runtime, "leader@example.cn", ("LEADER", a.id))
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    client.cookies.set("gx_session", token)
    return a, b


@pytest.mark.parametrize("name", list(LISTS))
async def test_each_list_downloads_what_its_page_shows(client, seeded, name):
    headers, column, shown = LISTS[name]
    page = await client.get(f"/admin/{name}/")
    link = re.search(rf'href="(/admin/{name}/export\.xlsx[^"]*)"[^>]*>导出 Excel', page.text)
    assert link, f"no 导出 Excel on /admin/{name}/"

    rows = _sheet(await client.get(unescape(link.group(1))))

    assert rows[0] == headers
    listed = shown(page.text)
    assert listed, name
    # The page shows its first 50; the workbook holds those, in its order, then the rest.
    assert [row[column] for row in rows[1:]][: len(listed)] == listed


async def test_findings_filtered_by_severity_in_the_order_chosen(client, seeded):
    page = await client.get("/admin/findings/?severity=WARNING&status=ALL&order=newest")
    link = re.search(r'href="(/admin/findings/export\.xlsx[^"]*)"', page.text)
    assert link

    newest = _sheet(await client.get(unescape(link.group(1))))
    oldest = _sheet(await client.get("/admin/findings/export.xlsx?severity=WARNING&status=ALL"))

    assert [row[7] for row in newest[1:]] == ["问题13", "问题11", "问题03", "问题01"]
    assert [row[7] for row in newest[1:]] == LISTS["findings"][2](page.text)
    assert {row[4] for row in newest[1:]} == {"预警"}
    assert oldest[1:] == newest[:0:-1]
    first = newest[1]  # the South-West's warning, found last
    assert first[:5] == ("xinan-xlsx共同体", None, "第16条第3项", first[3], "预警")
    assert first[5] == "待整改" and first[9] == dt.datetime(2026, 11, 3)


async def test_the_audit_log_downloads_every_page_in_the_order_chosen(client, seeded):
    latest = _sheet(await client.get("/admin/audit-log/export.xlsx"))
    earliest = _sheet(await client.get("/admin/audit-log/export.xlsx?order=oldest"))
    renames = _sheet(
        await client.get("/admin/audit-log/export.xlsx?action=unit.rename&order=oldest")
    )

    numbered = [f"Unit {n}" for n in range(ENTRIES)]
    assert [row[2] for row in latest[1:] if row[2].startswith("Unit ")] == numbered[::-1]
    assert [row[2] for row in earliest[1:] if row[2].startswith("Unit ")] == numbered
    assert [row[2] for row in renames[1:]] == numbered[1::2]
    assert {row[1] for row in renames[1:]} == {"unit.rename"}
    first = next(row for row in earliest[1:] if row[2] == "Unit 0")
    assert first[0] == dt.datetime(2026, 11, 3) and first[3] == "系统"
    assert first[5] == '{"name": "=1+2"}'


async def test_text_stays_text_and_dates_are_dates(client, seeded):
    sites = await client.get("/admin/sites/export.xlsx")
    exits = await client.get("/admin/exits/export.xlsx")
    runs = _sheet(await client.get("/admin/audit-runs/export.xlsx"))

    [site] = [row for row in _cells(sites).iter_rows(min_row=2) if row[1].value == FORMULA]
    assert site[1].data_type == "s"  # the unit's name, never a formula
    [gone] = _sheet(exits)[1:]
    assert gone[:6] == (
        dt.datetime(2026, 6, 1),
        FORMULA,
        "浙江省",
        "长三角县域老年教育共同体",
        gone[4],
        "+书面申请退出",
    )
    assert _cells(exits)["A2"].is_date and _cells(exits)["B2"].data_type == "s"
    assert [row[0] for row in runs[1:]] == ["xinan-xlsx共同体", "全国"]  # the latest first
    assert isinstance(runs[1][1], dt.datetime)


@pytest.mark.parametrize("name", list(LISTS))
async def test_nobody_but_the_project_group_downloads(client, runtime, seeded, name):
    a, _ = seeded
    export = f"/admin/{name}/export.xlsx"
    client.cookies.clear()

    anonymous = await client.get(export)
    _, leader = await make_user(runtime, "leader2@example.cn", ("LEADER", a.id))
    client.cookies.set("gx_session", leader)
    refused = await client.get(export)

    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next={export}"
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "问题" not in refused.text and FORMULA not in refused.text
