"""The community workspace's lists as Excel downloads over HTTP (`/c/{slug}/manage/members/`,
`activities/`, `reports/` + `export.xlsx`): each holds exactly the rows its list shows, every
page of it, with Chinese headers, dates as dates and text as text (a unit named "=1+2" is no
formula); whoever may not open the list may not download it."""

import datetime as dt
import io
import re
from html import unescape

import openpyxl
import pytest
from sqlalchemy import update

from schema.core.ids import encode
from server.clock import today
from server.units.models import Unit
from server.vocabulary import Level, Region
from tests.factories import make_community, make_user
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio

SLUG = "yrd-exports"
BASE = f"/c/{SLUG}/manage"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = "=1+2"


@pytest.fixture
async def two(runtime):
    """The Yangtze River Delta's county elderly-education community (four units, one of them
    named like a formula) and the South-West's."""
    a, units = await make_community(runtime, SLUG, size=4, name="长三角县域老年教育共同体")
    b, _ = await make_community(
        runtime,
        "xinan-exports",
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="西南社区治理共同体",
    )
    async with runtime.database.transaction() as session:
        await session.execute(update(Unit).where(Unit.id == units[3].id).values(name=FORMULA))
    units[3].name = FORMULA
    return a, b, units


async def _as(client, runtime, email, *grants):
    _, token = await make_user(runtime, email, *grants)
    client.cookies.set("gx_session", token)


def _uid(unit) -> str:
    return encode("Unit", unit.id)


def _sheet(answer) -> list[tuple]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _cells(answer):
    return openpyxl.load_workbook(io.BytesIO(answer.content)).worksheets[0]


async def _schedule(client, csrf, units, title, held_on, kind="CITIZEN_LEARNING") -> str:
    answer = await client.post(
        f"{BASE}/activities/",
        data={
            "csrf_token": csrf,
            "kind": kind,
            "title": title,
            "heldOn": held_on,
            **{f"expect_{_uid(u)}": "1" for u in units},
        },
    )
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(rf"{BASE}/activities/([^/]+)/\?done=scheduled", answer.headers["location"])
    assert found
    return found.group(1)


def _listed_titles(html: str) -> list[str]:
    """The titles the activities (or reports) list shows, in its order."""
    return [
        unescape(t)
        for t in re.findall(
            r'<td data-label="(?:活动|报告)"><div><a href="[^"]+">([^<]+)</a>', html
        )
    ]


async def test_the_activities_export_holds_every_page_the_list_shows(client, runtime, two):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = csrf_of((await client.get(f"{BASE}/activities/")).text)
    # 22 activities: more than the list's page of 20, so the export follows its pages.
    for n in range(21):
        await _schedule(
            client, csrf, units, f"市民学习日第{n + 1}期", str(today() - dt.timedelta(days=30 + n))
        )
    recorded = await _schedule(
        client, csrf, units, "=SUM(A1:A9)", str(today() - dt.timedelta(days=2))
    )
    grid = {f"status_{_uid(u)}": "ATTENDED" for u in units[:3]} | {
        f"status_{_uid(units[3])}": "ABSENT"
    }
    answer = await client.post(
        f"{BASE}/activities/{recorded}/attendance", data={"csrf_token": csrf, **grid}
    )
    assert answer.status_code == 303, answer.text
    first = await client.get(f"{BASE}/activities/")
    later = re.search(r'href="([^"]+\?after=[^"]+)">更早的活动', first.text)
    assert later
    second = await client.get(unescape(later.group(1)))
    shown = _listed_titles(first.text) + _listed_titles(second.text)
    assert len(shown) == 22
    link = f'href="{BASE}/activities/export.xlsx?order=newest"'  # the list's order, carried
    assert link in first.text and "导出 Excel" in first.text

    download = await client.get(f"{BASE}/activities/export.xlsx")

    rows = _sheet(download)
    assert rows[0] == ("活动", "活动类型", "日期", "应到", "出席", "缺席", "请假")
    assert [row[0] for row in rows[1:]] == shown
    assert rows[1] == ("=SUM(A1:A9)", "市民学习活动", rows[1][2], 4, 3, 1, 0)
    assert rows[1][2] == dt.datetime.combine(today() - dt.timedelta(days=2), dt.time())
    assert _cells(download)["A2"].data_type == "s"  # text, not a formula
    assert _cells(download)["C2"].is_date
    assert rows[2][3:] == (4, 0, 0, 0)  # not recorded yet

    # One seminar besides: the citizen learning activities alone still take two pages, the
    # second reached with the filter kept, and their export holds the 22 of them.
    await _schedule(client, csrf, units, "县域老年教育研讨会", str(today()), "SEMINAR")
    citizen = await client.get(f"{BASE}/activities/?kind=CITIZEN_LEARNING")
    later = re.search(r'href="([^"]+\?after=[^"]+)">更早的活动', citizen.text)
    assert later and unescape(later.group(1)).endswith("&kind=CITIZEN_LEARNING&order=newest")
    rest = await client.get(unescape(later.group(1)))
    assert _listed_titles(citizen.text) + _listed_titles(rest.text) == shown
    kept = _sheet(await client.get(f"{BASE}/activities/export.xlsx?kind=CITIZEN_LEARNING"))
    assert [row[0] for row in kept[1:]] == shown
    every = _sheet(await client.get(f"{BASE}/activities/export.xlsx"))
    assert [row[0] for row in every[1:]] == ["县域老年教育研讨会", *shown]


async def test_the_activities_export_keeps_the_lists_kind_filter(client, runtime, two):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = csrf_of((await client.get(f"{BASE}/activities/")).text)
    for n, kind in enumerate(["SEMINAR", "CITIZEN_LEARNING", "SEMINAR", "RESEARCH"]):
        title = f"{kind}-{n}"
        await _schedule(client, csrf, units, title, str(today() - dt.timedelta(days=10 + n)), kind)

    filtered = await client.get(f"{BASE}/activities/?kind=SEMINAR")
    everything = await client.get(f"{BASE}/activities/?kind=nonsense")

    # Newest first as the API pages them: the one scheduled last first.
    assert _listed_titles(filtered.text) == ["SEMINAR-2", "SEMINAR-0"]
    assert len(_listed_titles(everything.text)) == 4  # an unknown kind filters nothing
    link = f'href="{BASE}/activities/export.xlsx?kind=SEMINAR&amp;order=newest"'
    assert link in filtered.text
    rows = _sheet(await client.get(f"{BASE}/activities/export.xlsx?kind=SEMINAR"))
    assert [(row[0], row[1]) for row in rows[1:]] == [
        ("SEMINAR-2", "研讨工作会议"),
        ("SEMINAR-0", "研讨工作会议"),
    ]
    none = await client.get(f"{BASE}/activities/?kind=LEARNING_WEEK")
    assert "没有这一类的活动" in none.text
    assert len(_sheet(await client.get(f"{BASE}/activities/export.xlsx?kind=LEARNING_WEEK"))) == 1


async def test_the_members_export_holds_current_and_past_units_with_attendance(
    client, runtime, two
):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = csrf_of((await client.get(f"{BASE}/activities/")).text)
    activity = await _schedule(
        client, csrf, units, "县域老年教育研讨会", str(today() - dt.timedelta(days=5))
    )
    grid = {f"status_{_uid(u)}": "ATTENDED" for u in units[:2]} | {
        f"status_{_uid(units[2])}": "EXCUSED",
        f"status_{_uid(units[3])}": "ABSENT",
    }
    recorded = await client.post(
        f"{BASE}/activities/{activity}/attendance", data={"csrf_token": csrf, **grid}
    )
    assert recorded.status_code == 303, recorded.text
    left = await client.post(
        f"{BASE}/members/{_uid(units[2])}/leave",
        data={"csrf_token": csrf, "reason": "单位撤并，书面申请退出", "confirm": "1"},
    )
    assert left.status_code == 303, left.text
    page = await client.get(f"{BASE}/members/")
    assert f'href="{BASE}/members/export.xlsx"' in page.text

    download = await client.get(f"{BASE}/members/export.xlsx")

    rows = _sheet(download)
    assert rows[0][:9] == (
        "单位名称",
        "省份",
        "层级",
        "授牌编号",
        "角色",
        "状态",
        "加入日期",
        "退出日期",
        "退出理由",
    )
    by_name = {row[0]: row for row in rows[1:]}
    # Three current units and the one that left (Art. 11: 3-15 units remain).
    assert len(rows) == 1 + 4
    assert [row[0] for row in rows[1:]][-1] == units[2].name  # the past unit last, as shown
    assert by_name[units[0].name][4] == "组长单位"
    assert by_name[FORMULA][9:] == (0, 1, 0, 1)  # one unexcused absence in a row
    assert by_name[units[0].name][9:] == (1, 0, 0, 0)
    gone = by_name[units[2].name]
    assert gone[5] != by_name[units[0].name][5]  # its status label is not the current one
    assert gone[7] == dt.datetime.combine(today(), dt.time())
    assert gone[8] == "单位撤并，书面申请退出"
    sheet = _cells(download)
    [formula_cell] = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == FORMULA]
    assert formula_cell.data_type == "s"  # the unit named "=1+2" stays its name
    assert sheet["G2"].is_date


async def test_the_reports_export_holds_the_submitted_reports(client, runtime, two):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    empty = _sheet(await client.get(f"{BASE}/reports/export.xlsx"))
    assert empty == [
        ("标题", "报告类型", "年度", "半年", "成员单位", "截止日期", "提交日期", "是否逾期", "审阅")
    ]
    csrf = csrf_of((await client.get(f"{BASE}/reports/")).text)
    for kind, half, title in (
        ("SEMI_ANNUAL", "1", "+上半年发展概况"),
        ("PLAN", "", "2026 年工作推进计划"),
    ):
        answer = await client.post(
            f"{BASE}/reports/",
            data={
                "csrf_token": csrf,
                "kind": kind,
                "year": "2026",
                "half": half,
                "title": title,
                "body": "正文",
                "confirm": "1",
            },
        )
        assert answer.status_code == 303, answer.text
    listed = await client.get(f"{BASE}/reports/")
    assert f'href="{BASE}/reports/export.xlsx?order=oldest"' in listed.text

    rows = _sheet(await client.get(f"{BASE}/reports/export.xlsx"))

    assert [row[0] for row in rows[1:]] == _listed_titles(listed.text)
    semi = rows[1]
    assert semi[:5] == ("+上半年发展概况", "半年发展概况（报专家组）", 2026, "上半年", None)
    assert semi[5] == dt.datetime(2026, 7, 15)
    assert semi[6] == dt.datetime.combine(today(), dt.time())
    assert semi[7:] == ("逾期提交", "待审阅")  # due on 15 July, submitted in December
    assert rows[2][3] is None and rows[2][2] == 2026


@pytest.mark.parametrize("path", ["members/", "activities/", "reports/"])
async def test_another_communitys_leader_and_a_visitor_get_no_export(client, runtime, two, path):
    _, b, _ = two
    export = f"{BASE}/{path}export.xlsx"

    anonymous = await client.get(export)
    await _as(client, runtime, "leader@xinan.example.cn", ("LEADER", b.id))
    foreign = await client.get(export)
    own = await client.get(f"/c/xinan-exports/manage/{path}export.xlsx")

    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next={export}"
    assert foreign.status_code == 403
    assert foreign.headers["content-type"].startswith("text/html")
    assert FORMULA not in foreign.text
    assert own.status_code == 200 and own.headers["content-type"] == XLSX


async def test_a_member_units_staff_get_no_export(client, runtime, two):
    a, _, _ = two
    await _as(client, runtime, "staff@example.cn", ("MEMBER", a.id))

    answers = [
        await client.get(f"{BASE}/{p}/export.xlsx") for p in ("members", "activities", "reports")
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403]
