"""The community's standing and member units over HTTP (`/c/{slug}/manage/`, `members/`):
the dashboard's standing against the regulation (open findings with their article and remedy,
reports owed with the overdue marked, the next activities, the member count against Art. 11),
and the members page: who may open it, adding a unit (at most 15, Art. 11), changing a role
and handing the leadership over, recording a leave with its written reason after a
confirmation; each refusal beside its field with nothing changed."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from schema.core.ids import encode
from server.activities.models import Activity, Attendance
from server.clock import today
from server.communities.models import Community, Membership
from server.compliance.models import Finding
from server.reports.rules import due_on
from server.vocabulary import (
    ActivityKind,
    AttendanceStatus,
    FindingStatus,
    Level,
    MembershipRole,
    MembershipStatus,
    Region,
    ReportKind,
    Severity,
)
from tests.factories import make_community, make_units, make_user
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio

MEMBERS = "/c/yrd-county-elderly/manage/members/"


@pytest.fixture
async def two(runtime):
    """The Yangtze River Delta's county elderly-education community (three units: the first
    leads) and the South-West's."""
    a, units = await make_community(runtime, "yrd-county-elderly", name="长三角县域老年教育共同体")
    b, others = await make_community(
        runtime,
        "xinan",
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="西南社区治理共同体",
    )
    return a, b, units, others


async def _as(client, runtime, email, *grants, unit_id=None):
    user, token = await make_user(runtime, email, *grants, unit_id=unit_id)
    client.cookies.set("gx_session", token)
    return user


async def _leader(client, runtime, community) -> None:
    await _as(client, runtime, "leader@yrd.example.cn", ("LEADER", community.id))


async def _csrf(client, path="/login") -> str:
    return csrf_of((await client.get(path)).text)


async def _memberships(runtime, community_id) -> list[Membership]:
    async with runtime.database.transaction(community_id) as session:
        return list(
            await session.scalars(
                select(Membership)
                .where(Membership.community_id == community_id)
                .order_by(Membership.id)
            )
        )


def _active(memberships: list[Membership]) -> dict[int, MembershipRole]:
    return {m.unit_id: m.role for m in memberships if m.status is MembershipStatus.ACTIVE}


def _error(html: str, field: str) -> str:
    """The refusal shown beside `field`."""
    found = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">([^<]*)</p>', html)
    assert found, f"no refusal beside {field}"
    return found.group(1)


def _unit(unit) -> str:
    return encode("Unit", unit.id)


# -- the dashboard's standing -------------------------------------------------------------------


async def _finding(runtime, community_id, rule, article, severity, status, message):
    now = dt.datetime.now(dt.UTC)
    async with runtime.database.transaction(community_id) as session:
        session.add(
            Finding(
                community_id=community_id,
                rule=rule,
                article=article,
                severity=severity,
                status=status,
                subject="community",
                period=str(today().year),
                message_zh=message,
                message_en=message,
                evidence=[],
                fingerprint=rule,
                first_seen_at=now,
                last_seen_at=now,
                resolved_at=now if status is FindingStatus.RESOLVED else None,
            )
        )


async def _activity(runtime, community_id, title, held_on, expected=3, attendance=()):
    async with runtime.database.transaction(community_id) as session:
        activity = Activity(
            community_id=community_id,
            kind=ActivityKind.CITIZEN_LEARNING,
            title=title,
            held_on=held_on,
            expected_count=expected,
        )
        session.add(activity)
        await session.flush()
        for unit, status in attendance:
            session.add(
                Attendance(
                    community_id=community_id,
                    activity_id=activity.id,
                    unit_id=unit.id,
                    status=status,
                )
            )


async def test_the_dashboard_opens_with_the_standing_against_the_regulation(client, runtime, two):
    a, b, _, _ = two
    await _finding(
        runtime,
        a.id,
        "citizen-learning",
        "16(3)",
        Severity.ERROR,
        FindingStatus.OPEN,
        "今年仅开展 1 次市民学习活动",
    )
    await _finding(
        runtime, a.id, "structure", "14", Severity.ERROR, FindingStatus.RESOLVED, "已解决的问题"
    )
    await _finding(
        runtime, b.id, "theme", "16(2)", Severity.ERROR, FindingStatus.OPEN, "西南的问题"
    )
    await _activity(runtime, a.id, "社区老年书法公开课", today() + dt.timedelta(days=10))
    await _activity(runtime, a.id, "春季研讨会（已举行）", today() - dt.timedelta(days=30))
    await _leader(client, runtime, a)

    page = await client.get("/c/yrd-county-elderly/manage/")

    assert page.status_code == 200
    standing = page.text.split('id="standing"')[1].split('id="news"')[0]
    assert "有 1 项严重问题须整改" in standing
    assert "每年至少开展两次市民学习活动" in standing  # the rule's title
    assert "《管理办法》第16条第3项" in standing
    assert "今年仅开展 1 次市民学习活动" in standing
    assert "整改建议：</span>安排并登记市民学习活动" in standing
    assert "已解决的问题" not in standing
    assert "西南的问题" not in page.text
    # Art. 18(4): this year's first half, due in July (the API's date), not submitted.
    due = due_on(ReportKind.SEMI_ANNUAL, today().year, 1)
    first_half = standing.split(f"{today().year}年上半年")[1].split("</tr>")[0]
    assert f"{due.year}年{due.month}月{due.day}日" in first_half
    assert "已逾期" in first_half
    upcoming = standing.split('id="upcoming-title"')[1]
    assert "社区老年书法公开课" in upcoming
    assert "春季研讨会（已举行）" not in upcoming
    assert '<dd>3<span class="count"> / 15</span>' in standing
    # The news and activities sections still work below it.
    assert "春季研讨会（已举行）" in page.text.split('id="activities"')[1]


async def test_a_compliant_community_with_nothing_planned_is_told_what_to_do(client, runtime, two):
    a, _, _, _ = two
    await _leader(client, runtime, a)

    page = await client.get("/c/yrd-county-elderly/manage/")

    standing = page.text.split('id="standing"')[1].split('id="news"')[0]
    assert "目前没有须整改的严重问题" in standing
    assert "规则核查没有发现待整改的问题" in standing
    assert "还没有安排今后的活动" in standing


async def test_a_community_below_three_units_shows_it(client, runtime):
    await make_community(runtime, "small-one", size=2, name="两单位共同体")
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))

    page = await client.get("/c/small-one/manage/")

    assert "不足 3 个" in page.text.split('id="standing"')[1]


# -- who may open the members page ------------------------------------------------------------


async def test_an_anonymous_visitor_is_sent_to_sign_in(client, two):
    _, _, units, _ = two

    for path in (MEMBERS, f"{MEMBERS}{_unit(units[1])}/leave"):
        answer = await client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/login?next={path}"


@pytest.mark.parametrize(
    ("who", "status", "forms"),
    [
        ("leader", 200, True),
        ("project group", 200, True),
        ("deputy", 200, False),
        ("member unit staff", 403, False),
        ("assigned expert", 403, False),
        ("another community's leader", 403, False),
    ],
)
async def test_who_may_open_the_members_page(client, runtime, two, who, status, forms):
    a, b, units, _ = two
    grants = {
        "leader": [("LEADER", a.id)],
        "deputy": [("DEPUTY", a.id)],
        "project group": [("PROJECT_GROUP", None)],
        "member unit staff": [("MEMBER", a.id)],
        "assigned expert": [("EXPERT", None), ("EXPERT_ASSIGNED", a.id)],
        "another community's leader": [("LEADER", b.id)],
    }[who]
    await _as(client, runtime, "someone@example.cn", *grants, unit_id=units[1].id)

    page = await client.get(MEMBERS)

    assert page.status_code == status
    if status == 403:
        assert "您没有管理该分平台的权限" in page.text
        assert units[1].name not in page.text
        return
    assert all(unit.name in page.text for unit in units)
    assert "组长单位" in page.text and "2026年1月1日" in page.text
    assert ('action="/c/yrd-county-elderly/manage/members/add"' in page.text) is forms
    assert ("/leave" in page.text) is forms


async def test_the_nav_leads_to_the_members_page(client, runtime, two):
    a, _, _, _ = two
    await _leader(client, runtime, a)

    page = await client.get("/c/yrd-county-elderly/manage/profile")

    assert f'<a href="{MEMBERS}">成员单位</a>' in page.text


# -- adding a unit ------------------------------------------------------------------------------


async def test_the_leader_adds_a_unit(client, runtime, two):
    a, _, units, _ = two
    (newcomer,) = await make_units(runtime, 1)
    await _leader(client, runtime, a)
    page = await client.get(MEMBERS)
    assert f'<option value="{_unit(newcomer)}">' in page.text
    assert f'<option value="{_unit(units[1])}">' not in page.text  # a member already

    answer = await client.post(
        f"{MEMBERS}add",
        data={"csrf_token": csrf_of(page.text), "unit": _unit(newcomer), "role": "DEPUTY"},
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == f"{MEMBERS}?done=added"
    assert _active(await _memberships(runtime, a.id))[newcomer.id] is MembershipRole.DEPUTY
    after = await client.get(answer.headers["location"])
    assert "成员单位已加入本共同体" in after.text
    assert newcomer.name in after.text.split('id="current"')[1].split('id="add"')[0]
    assert "现有成员单位 <strong>4</strong> 个" in after.text


async def test_a_sixteenth_unit_is_refused_beside_the_unit_and_nothing_changes(client, runtime):
    full, _ = await make_community(runtime, "full-house", size=15, name="十五单位共同体")
    (sixteenth,) = await make_units(runtime, 1)
    await _as(client, runtime, "leader@full.example.cn", ("LEADER", full.id))
    page = await client.get("/c/full-house/manage/members/")
    assert "达到第11条规定的上限 15 个" in page.text

    answer = await client.post(
        "/c/full-house/manage/members/add",
        data={"csrf_token": csrf_of(page.text), "unit": _unit(sixteenth), "role": "MEMBER"},
    )

    assert answer.status_code == 400
    assert "共同体最多 15 个成员单位（第十一条）" in _error(answer.text, "unit")
    assert 'class="error-summary"' in answer.text
    assert f'<option value="{_unit(sixteenth)}" selected>' in answer.text  # the choice kept
    assert len(_active(await _memberships(runtime, full.id))) == 15


async def test_a_unit_already_a_member_is_refused_beside_the_unit(client, runtime, two):
    a, _, units, _ = two
    await _leader(client, runtime, a)
    csrf = await _csrf(client, MEMBERS)

    answer = await client.post(
        f"{MEMBERS}add", data={"csrf_token": csrf, "unit": _unit(units[2]), "role": "MEMBER"}
    )

    assert answer.status_code == 400
    assert _error(answer.text, "unit") == "该单位已是本共同体成员"
    assert len(await _memberships(runtime, a.id)) == 3


async def test_a_unit_of_another_level_needs_a_written_reason(client, runtime, two):
    a, _, _, _ = two
    (prefecture,) = await make_units(runtime, 1, level=Level.PREFECTURE)
    await _leader(client, runtime, a)
    page = await client.get(MEMBERS)
    assert prefecture.name not in page.text  # the community's level is listed unless searched
    found = await client.get(MEMBERS, params={"q": prefecture.name})
    assert f'<option value="{_unit(prefecture)}">' in found.text
    csrf = csrf_of(found.text)

    refused = await client.post(
        f"{MEMBERS}add", data={"csrf_token": csrf, "unit": _unit(prefecture), "role": "MEMBER"}
    )
    assert refused.status_code == 400
    assert "须写明理由（第十条）" in _error(refused.text, "mixed_level_reason")
    assert len(await _memberships(runtime, a.id)) == 3

    added = await client.post(
        f"{MEMBERS}add",
        data={
            "csrf_token": csrf,
            "unit": _unit(prefecture),
            "role": "MEMBER",
            "mixed_level_reason": "该地市级社区大学承担县域老年教育师资培训",
        },
    )
    assert added.status_code == 303
    assert prefecture.id in _active(await _memberships(runtime, a.id))


async def test_no_unit_chosen_is_refused_beside_the_unit(client, runtime, two):
    a, _, _, _ = two
    await _leader(client, runtime, a)
    csrf = await _csrf(client, MEMBERS)

    answer = await client.post(f"{MEMBERS}add", data={"csrf_token": csrf, "role": "MEMBER"})

    assert answer.status_code == 400
    assert _error(answer.text, "unit") == "请选择要加入的单位"


async def test_a_deputy_or_another_leader_cannot_add_and_nothing_changes(client, runtime, two):
    a, b, _, _ = two
    (newcomer,) = await make_units(runtime, 1)
    for email, grant in (
        ("d@yrd.example.cn", ("DEPUTY", a.id)),
        ("l@xn.example.cn", ("LEADER", b.id)),
    ):
        await _as(client, runtime, email, grant)
        csrf = await _csrf(client)

        answer = await client.post(
            f"{MEMBERS}add", data={"csrf_token": csrf, "unit": _unit(newcomer), "role": "MEMBER"}
        )

        assert answer.status_code == 403
    assert newcomer.id not in _active(await _memberships(runtime, a.id))


async def test_a_post_without_the_browsers_csrf_value_changes_nothing(client, runtime, two):
    a, _, _, _ = two
    (newcomer,) = await make_units(runtime, 1)
    await _leader(client, runtime, a)

    answer = await client.post(
        f"{MEMBERS}add", data={"csrf_token": "forged", "unit": _unit(newcomer), "role": "MEMBER"}
    )

    assert answer.status_code == 403
    assert newcomer.id not in _active(await _memberships(runtime, a.id))


# -- roles and the leadership -------------------------------------------------------------------


async def test_the_leader_hands_the_leadership_over(client, runtime, two):
    a, _, units, _ = two
    await _leader(client, runtime, a)
    csrf = await _csrf(client, MEMBERS)

    deputy = await client.post(
        f"{MEMBERS}{_unit(units[2])}/role", data={"csrf_token": csrf, "role": "DEPUTY"}
    )
    assert deputy.status_code == 303
    assert deputy.headers["location"] == f"{MEMBERS}?done=role"

    handed = await client.post(
        f"{MEMBERS}{_unit(units[1])}/role", data={"csrf_token": csrf, "role": "LEADER"}
    )

    assert handed.status_code == 303
    assert handed.headers["location"] == f"{MEMBERS}?done=leader"
    assert _active(await _memberships(runtime, a.id)) == {
        units[0].id: MembershipRole.DEPUTY,
        units[1].id: MembershipRole.LEADER,
        units[2].id: MembershipRole.DEPUTY,
    }
    async with runtime.database.transaction(a.id) as session:
        community = await session.get(Community, a.id)
        assert community is not None and community.office_unit_id == units[1].id
    page = await client.get(handed.headers["location"])
    assert "组长已移交" in page.text


async def test_an_unchanged_role_is_refused_beside_its_row(client, runtime, two):
    a, _, units, _ = two
    await _leader(client, runtime, a)
    csrf = await _csrf(client, MEMBERS)

    answer = await client.post(
        f"{MEMBERS}{_unit(units[1])}/role", data={"csrf_token": csrf, "role": "MEMBER"}
    )

    assert answer.status_code == 400
    assert _error(answer.text, f"role-{_unit(units[1])}") == "角色未改变"
    assert _active(await _memberships(runtime, a.id))[units[1].id] is MembershipRole.MEMBER


# -- a leave ------------------------------------------------------------------------------------


async def test_a_leave_is_recorded_with_its_reason_once_confirmed(client, runtime, two):
    a, _, units, _ = two
    await _leader(client, runtime, a)
    leave = f"{MEMBERS}{_unit(units[2])}/leave"
    form = await client.get(leave)
    assert form.status_code == 200
    assert f"登记退出：{units[2].name}" in form.text
    assert "退出后本共同体为 2 个成员单位，少于第11条规定的 3 个" in form.text
    csrf = csrf_of(form.text)
    reason = "因机构调整，经本单位书面申请退出"

    unconfirmed = await client.post(leave, data={"csrf_token": csrf, "reason": reason})
    assert unconfirmed.status_code == 400
    assert "不能在此撤销" in _error(unconfirmed.text, "confirm")
    assert reason in unconfirmed.text  # the reason written is kept in the form
    assert len(_active(await _memberships(runtime, a.id))) == 3

    blank = await client.post(leave, data={"csrf_token": csrf, "reason": " ", "confirm": "1"})
    assert blank.status_code == 400
    assert _error(blank.text, "reason") == "请填写书面退出理由"
    assert len(_active(await _memberships(runtime, a.id))) == 3

    done = await client.post(leave, data={"csrf_token": csrf, "reason": reason, "confirm": "1"})

    assert done.status_code == 303
    assert done.headers["location"] == f"{MEMBERS}?done=left"
    (left,) = [m for m in await _memberships(runtime, a.id) if m.unit_id == units[2].id]
    assert left.status is MembershipStatus.WITHDRAWN and left.left_reason == reason
    page = await client.get(done.headers["location"])
    past = page.text.split('id="past"')[1]
    assert units[2].name in past and reason in past and "申请退出" in past
    assert f"{today().year}年{today().month}月{today().day}日" in past  # the day it left
    assert units[2].name not in page.text.split('id="current"')[1].split('id="add"')[0]


async def test_the_leader_unit_cannot_leave_before_handing_over(client, runtime, two):
    a, _, units, _ = two
    await _leader(client, runtime, a)
    leave = f"{MEMBERS}{_unit(units[0])}/leave"
    csrf = await _csrf(client, leave)

    answer = await client.post(leave, data={"csrf_token": csrf, "reason": "想退出", "confirm": "1"})

    assert answer.status_code == 400
    assert "组长单位退出前须先移交组长" in answer.text.split('class="error-summary"')[1]
    assert len(_active(await _memberships(runtime, a.id))) == 3


async def test_another_communitys_unit_has_no_leave_page_here(client, runtime, two):
    a, _, _, others = two
    await _leader(client, runtime, a)

    answer = await client.get(f"{MEMBERS}{_unit(others[1])}/leave")

    assert answer.status_code == 404


# -- attendance ---------------------------------------------------------------------------------


async def test_each_unit_shows_its_attendance_and_its_absences_in_a_row(client, runtime, two):
    a, _, units, _ = two
    await _activity(
        runtime,
        a.id,
        "三月研讨会",
        dt.date(2026, 3, 12),
        attendance=[
            (units[0], AttendanceStatus.ABSENT),
            (units[1], AttendanceStatus.ATTENDED),
            (units[2], AttendanceStatus.EXCUSED),
        ],
    )
    await _activity(
        runtime,
        a.id,
        "六月学习活动",
        dt.date(2026, 6, 12),
        attendance=[
            (units[0], AttendanceStatus.EXCUSED),
            (units[1], AttendanceStatus.ABSENT),
            (units[2], AttendanceStatus.ATTENDED),
        ],
    )
    await _leader(client, runtime, a)

    page = await client.get(MEMBERS)

    rows = {unit.name: page.text.split(unit.name)[1].split("</tr>")[0] for unit in units}
    assert "出席 1 次 · 缺席 1 次 · 请假 0 次" in rows[units[1].name]
    assert "已连续缺席 1 次，再无故缺席一次将视为退出（第12条）" in rows[units[1].name]
    assert "出席 1 次 · 缺席 0 次 · 请假 1 次" in rows[units[2].name]
    assert "已连续缺席" not in rows[units[2].name]
    # An excuse is skipped: the leader's March absence is still the latest in a row.
    assert "出席 0 次 · 缺席 1 次 · 请假 1 次" in rows[units[0].name]
    assert "已连续缺席 1 次" in rows[units[0].name]


async def test_a_made_up_unit_is_refused_and_nothing_changes(client, runtime, two):
    a, _, _, _ = two
    await _leader(client, runtime, a)
    csrf = await _csrf(client, MEMBERS)

    answers = [
        await client.post(f"{MEMBERS}{path}", data={"csrf_token": csrf, **fields})
        for path, fields in (
            ("add", {"unit": "not-a-unit", "role": "MEMBER"}),
            ("not-a-unit/role", {"role": "DEPUTY"}),
            ("not-a-unit/leave", {"reason": "理由", "confirm": "1"}),
        )
    ]

    assert [answer.status_code for answer in answers] == [400, 400, 404]
    assert _error(answers[0].text, "unit") == "对象不存在"
    assert "对象不存在" in answers[1].text.split('class="error-summary"')[1]
    assert len(_active(await _memberships(runtime, a.id))) == 3
