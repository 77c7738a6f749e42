"""The leader's activities, reports and audits over HTTP (`/c/{slug}/manage/activities/`,
`reports/`, `audit/`): who may open them, scheduling an activity, recording attendance as one
grid and from a sign-in sheet (bad rows listed by line, Art. 12's deemed exit shown), writing
a report and reading its review, and running an audit until it has finished."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from PIL import Image
from sqlalchemy import select

from schema.core.ids import encode
from server.activities.models import Activity, Attendance
from server.clock import today
from server.reports.models import Report
from server.vocabulary import ActivityKind, AttendanceStatus, Level, Region
from tests.factories import make_community, make_user
from tests.server.compliance.worker import drain
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio

SLUG = "yrd-county-elderly"
BASE = f"/c/{SLUG}/manage"


@pytest.fixture
async def two(runtime):
    """The Yangtze River Delta's county elderly-education community (four units) and the
    South-West's."""
    a, units = await make_community(
        runtime, SLUG, size=4, name="长三角县域老年教育共同体", cycle_start=dt.date(2026, 1, 1)
    )
    b, _ = await make_community(
        runtime,
        "xinan",
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="西南社区治理共同体",
    )
    return a, b, units


async def _as(client, runtime, email, *grants):
    _, token = await make_user(runtime, email, *grants)
    client.cookies.set("gx_session", token)


async def _csrf(client, path=f"{BASE}/activities/") -> str:
    return csrf_of((await client.get(path)).text)


def _uid(unit) -> str:
    return encode("Unit", unit.id)


async def _activities(runtime, community_id) -> list[Activity]:
    async with runtime.database.transaction(community_id) as session:
        return list(
            await session.scalars(select(Activity).where(Activity.community_id == community_id))
        )


async def _statuses(runtime, community_id, activity_id) -> dict[int, AttendanceStatus | None]:
    async with runtime.database.transaction(community_id) as session:
        rows = await session.execute(
            select(Attendance.unit_id, Attendance.status).where(
                Attendance.community_id == community_id, Attendance.activity_id == activity_id
            )
        )
        return {unit_id: status for unit_id, status in rows.all()}


async def _reports(runtime, community_id) -> list[Report]:
    async with runtime.database.transaction(community_id) as session:
        return list(
            await session.scalars(select(Report).where(Report.community_id == community_id))
        )


async def _schedule(client, csrf, units, title, held_on, kind="CITIZEN_LEARNING"):
    return await client.post(
        f"{BASE}/activities/",
        data={
            "csrf_token": csrf,
            "kind": kind,
            "title": title,
            "heldOn": held_on,
            **{f"expect_{_uid(u)}": "1" for u in units},
        },
    )


async def _scheduled(client, csrf, units, title, held_on) -> str:
    answer = await _schedule(client, csrf, units, title, held_on)
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(rf"{BASE}/activities/([^/]+)/\?done=scheduled", answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def _past(days: int) -> str:
    return str(today() - dt.timedelta(days=days))


@pytest.mark.parametrize("path", ["activities/", "reports/"])
async def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(client, two, path):
    answer = await client.get(f"{BASE}/{path}")

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={BASE}/{path}"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("leader", 200),
        ("deputy", 200),
        ("member unit staff", 403),
        ("another community's leader", 403),
    ],
)
async def test_who_may_open_the_activities_and_reports(client, runtime, two, who, status):
    a, b, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    activity = await _scheduled(client, await _csrf(client), units, "县域老年教育研讨会", _past(3))
    grants = {
        "leader": ("LEADER", a.id),
        "deputy": ("DEPUTY", a.id),
        "member unit staff": ("MEMBER", a.id),
        "another community's leader": ("LEADER", b.id),
    }[who]
    await _as(client, runtime, "someone@example.cn", grants)

    pages = [
        await client.get(f"{BASE}/{path}")
        for path in ("activities/", f"activities/{activity}/", "reports/")
    ]

    assert [p.status_code for p in pages] == [status] * 3
    if status == 403:
        assert all("县域老年教育研讨会" not in p.text for p in pages)
    else:
        assert "县域老年教育研讨会" in pages[0].text
        assert "县域老年教育研讨会" in pages[1].text
        # Running the audits is the leader's (Art. 18), not a deputy's: no button it would
        # be refused.
        assert ("运行规则检查" in pages[2].text) is (who == "leader")


async def test_another_communitys_activity_is_not_shown_under_this_ones_address(
    client, runtime, two
):
    a, b, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id), ("LEADER", b.id))
    activity = await _scheduled(client, await _csrf(client), units, "县域老年教育研讨会", _past(3))

    answer = await client.get(f"/c/xinan/manage/activities/{activity}/")

    assert answer.status_code == 404
    assert "县域老年教育研讨会" not in answer.text


async def test_a_leader_schedules_an_activity_for_the_units_chosen(client, runtime, two):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client)

    activity = await _scheduled(client, csrf, units[:3], "社区市民学习日", "2026-03-12")
    page = await client.get(f"{BASE}/activities/{activity}/?done=scheduled")
    listed = await client.get(f"{BASE}/activities/")

    [kept] = await _activities(runtime, a.id)
    assert (kept.title, kept.kind, kept.held_on) == (
        "社区市民学习日",
        ActivityKind.CITIZEN_LEARNING,
        dt.date(2026, 3, 12),
    )
    assert kept.expected_count == 3  # the fourth unit was not ticked
    assert "活动已安排" in page.text
    assert page.text.count('type="radio"') == 3 * 3  # one row of three statuses per unit
    assert "社区市民学习日" in listed.text and "2026年3月12日" in listed.text
    # Art. 16(3): one citizen learning activity held this year of the two required.
    assert re.search(r'id="held-this-year">1<', listed.text)
    assert "少于第十六条第三项要求的每年至少 2 次" in listed.text


async def test_a_refused_schedule_shows_each_error_beside_its_field_and_keeps_nothing(
    client, runtime, two
):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client)

    no_title = await _schedule(client, csrf, units, "  ", "2026-03-12")
    outside = await _schedule(client, csrf, units, "周期外的活动", "2031-03-12")
    nobody = await _schedule(client, csrf, [], "没有应到单位", "2026-03-12")

    assert [r.status_code for r in (no_title, outside, nobody)] == [400, 400, 400]
    assert re.search(r'id="title-error">[^<]+<', no_title.text)
    assert re.search(r'id="heldOn-error">活动日期须在合作周期内', outside.text)
    assert 'value="周期外的活动"' in outside.text  # what was written is kept
    assert 'id="expectedUnitIds-error">请至少选择一个应到单位<' in nobody.text
    assert "未能保存，请修改以下内容" in nobody.text
    assert await _activities(runtime, a.id) == []


async def test_a_grid_with_one_absence_records_the_right_counts(client, runtime, two):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client)
    activity = await _scheduled(client, csrf, units, "社区市民学习日", _past(5))
    statuses = {
        units[0]: "ATTENDED",
        units[1]: "ATTENDED",
        units[2]: "ABSENT",
        units[3]: "EXCUSED",
    }

    answer = await client.post(
        f"{BASE}/activities/{activity}/attendance",
        data={"csrf_token": csrf, **{f"status_{_uid(u)}": s for u, s in statuses.items()}},
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == f"{BASE}/activities/{activity}/?done=recorded"
    [kept] = await _activities(runtime, a.id)
    assert (kept.attended_count, kept.absent_count, kept.excused_count) == (2, 1, 1)
    assert await _statuses(runtime, a.id, kept.id) == {
        u.id: AttendanceStatus(s) for u, s in statuses.items()
    }
    page = await client.get(answer.headers["location"])
    assert re.search(r'id="attended-count">2<', page.text)
    assert re.search(r'id="absent-count">1<', page.text)
    assert "出勤情况已登记" in page.text
    listed = await client.get(f"{BASE}/activities/")
    assert re.search(r'data-label="缺席">1<', listed.text)


async def test_an_empty_grid_or_a_future_activity_is_refused_and_nothing_is_recorded(
    client, runtime, two
):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client)
    held = await _scheduled(client, csrf, units, "已举行的活动", _past(5))
    coming = await _scheduled(
        client, csrf, units, "尚未举行的活动", str(today() + dt.timedelta(days=5))
    )

    empty = await client.post(f"{BASE}/activities/{held}/attendance", data={"csrf_token": csrf})
    early = await client.post(
        f"{BASE}/activities/{coming}/attendance",
        data={"csrf_token": csrf, f"status_{_uid(units[1])}": "ABSENT"},
    )

    assert (empty.status_code, early.status_code) == (400, 400)
    assert 'id="entries-error">请为至少一个单位选择出勤情况<' in empty.text
    assert "活动尚未举行，不能登记出勤" in early.text
    assert 'value="ABSENT" checked' in early.text  # the grid keeps what was chosen
    for activity in await _activities(runtime, a.id):
        assert set((await _statuses(runtime, a.id, activity.id)).values()) == {None}


async def test_a_second_unexcused_absence_in_a_row_shows_the_deemed_exit(client, runtime, two):
    """Art. 12: two consecutive unexcused absences and the unit is deemed to have left."""
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client)
    grid = {
        "csrf_token": csrf,
        **{f"status_{_uid(u)}": "ATTENDED" for u in units[:3]},
        f"status_{_uid(units[3])}": "ABSENT",
    }
    first = await _scheduled(client, csrf, units, "第一次研讨", _past(20))
    second = await _scheduled(client, csrf, units, "第二次研讨", _past(10))

    once = await client.post(f"{BASE}/activities/{first}/attendance", data=grid)
    twice = await client.post(f"{BASE}/activities/{second}/attendance", data=grid)

    assert once.status_code == 303  # one absence: nobody has left
    assert twice.status_code == 200
    assert "已视为自动退出（《管理办法》第十二条）" in twice.text
    notice = twice.text.split('class="notice-banner exits"')[1].split("</div>")[0]
    assert units[3].name in notice
    assert all(u.name not in notice for u in units[:3])


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


async def test_a_sheet_with_a_bad_row_lists_its_line_and_records_the_good_ones(
    client, runtime, two
):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client)
    activity = await _scheduled(client, csrf, units[:3], "社区市民学习日", _past(5))
    sheet = _csv(
        "单位名称,出勤情况",
        f"{units[0].name},出席",
        f"{units[1].name},缺席",
        "不在名单上的学校,出席",
        f"{units[2].name},迟到",
    )

    answer = await client.post(
        f"{BASE}/activities/{activity}/sheet",
        data={"csrf_token": csrf},
        files={"sheet": ("签到表.csv", sheet, "text/csv")},
    )

    assert answer.status_code == 200
    assert "签到表已导入：登记 2 行，2 行未登记" in answer.text
    rejected = answer.text.split('class="rejected-rows"')[1].split("</table>")[0]
    assert re.search(r"第 4 行</td><td>不在名单上的学校：不在本次活动的应到名单中", rejected)
    assert re.search(r"第 5 行</td><td>[^<]*无法识别的出勤情况“迟到”", rejected)
    assert "第 2 行" not in rejected and "第 3 行" not in rejected
    [kept] = await _activities(runtime, a.id)
    assert (kept.attended_count, kept.absent_count) == (1, 1)
    assert await _statuses(runtime, a.id, kept.id) == {
        units[0].id: AttendanceStatus.ATTENDED,
        units[1].id: AttendanceStatus.ABSENT,
        units[2].id: None,
    }


async def test_a_file_that_is_no_sheet_is_refused_beside_its_field(client, runtime, two):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client)
    activity = await _scheduled(client, csrf, units, "社区市民学习日", _past(5))
    picture = io.BytesIO()
    Image.new("RGB", (20, 20), "#1d4f91").save(picture, format="PNG")
    no_header = _csv("甲,乙", f"{units[0].name},出席")

    png = await client.post(
        f"{BASE}/activities/{activity}/sheet",
        data={"csrf_token": csrf},
        files={"sheet": ("签到表.png", picture.getvalue(), "image/png")},
    )
    headless = await client.post(
        f"{BASE}/activities/{activity}/sheet",
        data={"csrf_token": csrf},
        files={"sheet": ("签到表.csv", no_header, "text/csv")},
    )
    missing = await client.post(f"{BASE}/activities/{activity}/sheet", data={"csrf_token": csrf})

    assert [r.status_code for r in (png, headless, missing)] == [400, 400, 400]
    assert 'id="sheet-error">签到表须为 CSV（UTF-8 编码）或 .xlsx 文件<' in png.text
    assert re.search(r'id="sheet-error">签到表须有“出勤情况”列', headless.text)
    assert 'id="sheet-error">请选择签到表文件<' in missing.text
    [kept] = await _activities(runtime, a.id)
    assert set((await _statuses(runtime, a.id, kept.id)).values()) == {None}


async def test_another_communitys_leader_cannot_import_or_record(client, runtime, two):
    a, b, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client)
    activity = await _scheduled(client, csrf, units, "社区市民学习日", _past(5))
    await _as(client, runtime, "other@example.cn", ("LEADER", b.id))
    csrf = await _csrf(client, "/c/xinan/manage/activities/")

    grid = await client.post(
        f"{BASE}/activities/{activity}/attendance",
        data={"csrf_token": csrf, f"status_{_uid(units[1])}": "ABSENT"},
    )
    sheet = await client.post(
        f"{BASE}/activities/{activity}/sheet",
        data={"csrf_token": csrf},
        files={
            "sheet": ("签到表.csv", _csv("单位名称,出勤情况", f"{units[1].name},缺席"), "text/csv")
        },
    )

    assert (grid.status_code, sheet.status_code) == (403, 403)
    [kept] = await _activities(runtime, a.id)
    assert set((await _statuses(runtime, a.id, kept.id)).values()) == {None}


async def test_a_submitted_report_shows_with_its_review(client, runtime, two):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, f"{BASE}/reports/")
    due = await client.get(f"{BASE}/reports/")
    assert "2026 年上半年 半年发展概况（报专家组）" in due.text
    assert f"{BASE}/reports/?kind=SEMI_ANNUAL&amp;year=2026&amp;half=1#write" in due.text

    answer = await client.post(
        f"{BASE}/reports/",
        data={
            "csrf_token": csrf,
            "kind": "SEMI_ANNUAL",
            "year": "2026",
            "half": "1",
            "title": "2026 年上半年发展概况",
            "body": "上半年举办市民学习活动两次。",
            "confirm": "1",
        },
    )

    assert answer.status_code == 303
    assert re.fullmatch(rf"{BASE}/reports/[^/]+/\?done=submitted", answer.headers["location"])
    [kept] = await _reports(runtime, a.id)
    assert (kept.year, kept.half, kept.title) == (2026, 1, "2026 年上半年发展概况")
    page = await client.get(answer.headers["location"])
    assert "报告已提交" in page.text and "上半年举办市民学习活动两次。" in page.text
    assert "尚无审阅意见" in page.text
    async with runtime.database.transaction(a.id) as session:
        report = await session.get(Report, (a.id, kept.id))
        assert report is not None
        report.review_comment = "活动记录完整，请补充出勤分析。"
        report.reviewed_at = dt.datetime(2026, 7, 20, 2, tzinfo=dt.UTC)
    reviewed = await client.get(answer.headers["location"].split("?")[0])
    assert "活动记录完整，请补充出勤分析。" in reviewed.text
    assert "审阅于 2026年7月20日" in reviewed.text
    listed = await client.get(f"{BASE}/reports/")
    assert "2026 年上半年发展概况" in listed.text and "已审阅" in listed.text


async def test_a_refused_report_shows_each_error_beside_its_field_and_keeps_nothing(
    client, runtime, two
):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, f"{BASE}/reports/")
    written = {"csrf_token": csrf, "kind": "SEMI_ANNUAL", "year": "2026", "body": "正文"}

    unconfirmed = await client.post(
        f"{BASE}/reports/", data={**written, "half": "1", "title": "上半年概况"}
    )
    no_half = await client.post(
        f"{BASE}/reports/", data={**written, "title": "上半年概况", "confirm": "1"}
    )
    no_title = await client.post(
        f"{BASE}/reports/", data={**written, "half": "1", "title": " ", "confirm": "1"}
    )

    assert [r.status_code for r in (unconfirmed, no_half, no_title)] == [400, 400, 400]
    assert 'id="confirm-error">请确认报告内容无误' in unconfirmed.text
    assert 'id="half-error">半年报告请选择上半年或下半年<' in no_half.text
    assert 'id="title-error">请填写标题<' in no_title.text
    assert "正文</textarea>" in no_title.text  # what was written is kept
    assert await _reports(runtime, a.id) == []


async def test_another_communitys_report_is_not_shown_under_this_ones_address(client, runtime, two):
    a, b, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id), ("LEADER", b.id))
    csrf = await _csrf(client, f"{BASE}/reports/")
    answer = await client.post(
        f"{BASE}/reports/",
        data={
            "csrf_token": csrf,
            "kind": "PLAN",
            "year": "2026",
            "title": "长三角工作推进计划",
            "body": "计划",
            "confirm": "1",
        },
    )
    report = answer.headers["location"].split("/reports/")[1].split("/")[0]

    elsewhere = await client.get(f"/c/xinan/manage/reports/{report}/")

    assert elsewhere.status_code == 404
    assert "长三角工作推进计划" not in elsewhere.text


async def test_a_leader_runs_an_audit_and_follows_it_until_it_has_finished(client, runtime, two):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client, f"{BASE}/reports/")

    answer = await client.post(f"{BASE}/audit/", data={"csrf_token": csrf})

    assert answer.status_code == 303, answer.text
    run = answer.headers["location"]
    assert re.fullmatch(rf"{BASE}/audit/[^/]+/", run)
    queued = await client.get(run)
    assert queued.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in queued.text
    assert "检查进行中" in queued.text and 'value="0"' in queued.text
    await drain(runtime)
    done = await client.get(run)
    assert '<meta http-equiv="refresh"' not in done.text
    assert re.search(r'<progress id="run-progress" max="1" value="1">', done.text)
    opened = re.search(r'id="run-opened">(\d+)<', done.text)
    assert opened and int(opened.group(1)) > 0  # no reports and no activities in 2026
    assert "尚未解决的问题" in done.text
    # A community elsewhere cannot follow this run under its own address.
    other = await client.get(run.replace(SLUG, "xinan"))
    assert other.status_code in (403, 404)


async def test_a_deputy_cannot_run_the_audit(client, runtime, two):
    a, _, _ = two
    await _as(client, runtime, "deputy@example.cn", ("DEPUTY", a.id))
    csrf = await _csrf(client, f"{BASE}/reports/")

    answer = await client.post(f"{BASE}/audit/", data={"csrf_token": csrf})

    assert answer.status_code == 403


async def test_an_xlsx_sheet_by_division_code_is_recorded(client, runtime, two):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client)
    activity = await _scheduled(client, csrf, units[:2], "社区市民学习日", _past(5))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["行政区划代码", "出勤情况"])
    sheet.append([units[0].division_code, "请假"])
    sheet.append([units[1].division_code, "出席"])
    data = io.BytesIO()
    book.save(data)

    answer = await client.post(
        f"{BASE}/activities/{activity}/sheet",
        data={"csrf_token": csrf},
        files={"sheet": ("签到表.xlsx", data.getvalue(), "application/octet-stream")},
    )

    assert answer.status_code == 200
    assert "签到表已导入：登记 2 行" in answer.text and "未登记" not in answer.text
    [kept] = await _activities(runtime, a.id)
    assert (kept.attended_count, kept.excused_count, kept.absent_count) == (1, 1, 0)


async def test_a_unit_not_expected_is_refused_beside_the_grid(client, runtime, two):
    a, _, units = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    csrf = await _csrf(client)
    activity = await _scheduled(client, csrf, units[:3], "社区市民学习日", _past(5))

    answer = await client.post(
        f"{BASE}/activities/{activity}/attendance",
        data={
            "csrf_token": csrf,
            f"status_{_uid(units[0])}": "ATTENDED",
            f"status_{_uid(units[3])}": "ABSENT",
        },
    )

    assert answer.status_code == 400
    assert 'id="entries-error">该单位不在本次活动的应到名单中<' in answer.text
    [kept] = await _activities(runtime, a.id)
    assert set((await _statuses(runtime, a.id, kept.id)).values()) == {None}


@pytest.mark.parametrize(
    "path",
    ["activities/?after=nonsense", "activities/nonsense/", "reports/nonsense/", "audit/nonsense/"],
)
async def test_an_unknown_id_or_cursor_is_the_404_page(client, runtime, two, path):
    a, _, _ = two
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))

    answer = await client.get(f"{BASE}/{path}")

    assert answer.status_code == 404
