"""A member unit's staff workspace over HTTP (`/me/`): who may open what, the unit's
attendance in each of its communities with the warning one unexcused absence in a row
deserves (a second is a deemed exit, Art. 12), its annual summary and plan (Art. 19(3)), the
user's notifications, and a written withdrawal from a community or the programme behind a
confirmation, a refusal changing nothing; and nothing of another unit or community shown."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from schema.core.ids import encode
from server.activities.models import Activity, Attendance
from server.communities.models import Membership
from server.notifications.models import Notification
from server.reports.models import Report
from server.units.models import Unit
from server.vocabulary import (
    ActivityKind,
    AttendanceStatus,
    Level,
    MembershipStatus,
    Region,
    ReportKind,
    SiteStatus,
)
from tests.factories import make_community, make_user
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio

ATTENDED, ABSENT, EXCUSED = (
    AttendanceStatus.ATTENDED,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)
WARNING = "若下一次活动再无故缺席，即连续 2 次，将视为自动退出本共同体"


@pytest.fixture
async def two(runtime):
    """The Yangtze River Delta's county elderly-education community (formed January 2025, so
    its members owe their 2025 annual summary) and the South-West's."""
    a, units = await make_community(
        runtime,
        "yrd-me",
        name="长三角县域老年教育共同体",
        cycle_start=dt.date(2025, 1, 1),
    )
    b, others = await make_community(
        runtime,
        "xinan-me",
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="西南社区治理共同体",
    )
    return a, b, units, others


async def _activities(runtime, community, marks, *, start=dt.date(2026, 3, 1), prefix="活动"):
    """One activity a month from `start`, each with its marks by unit: {unit: status}."""
    async with runtime.database.transaction(community.id) as session:
        for i, by_unit in enumerate(marks):
            activity = Activity(
                community_id=community.id,
                kind=ActivityKind.SEMINAR,
                title=f"{prefix}{i + 1}",
                held_on=start + dt.timedelta(days=30 * i),
                expected_count=len(by_unit),
            )
            session.add(activity)
            await session.flush()
            for unit, status in by_unit.items():
                session.add(
                    Attendance(
                        community_id=community.id,
                        activity_id=activity.id,
                        unit_id=unit.id,
                        status=status,
                    )
                )


async def _as(client, runtime, email, *grants, unit=None, name="测试用户"):
    user, token = await make_user(
        runtime, email, *grants, unit_id=unit.id if unit else None, display_name=name
    )
    client.cookies.set("gx_session", token)
    return user


async def _csrf(client, path="/login") -> str:
    return csrf_of((await client.get(path)).text)


async def _notify(runtime, user, count, *, read=False, title="通知"):
    async with runtime.database.transaction() as session:
        for i in range(count):
            session.add(
                Notification(
                    user_id=user.id,
                    kind="report.due",
                    title=f"{title}{i + 1}",
                    body=f"第 {i + 1} 条通知的正文",
                    read_at=dt.datetime.now(dt.UTC) if read else None,
                )
            )


async def _unread(runtime, user) -> int:
    async with runtime.database.transaction() as session:
        rows = await session.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        return len(rows.all())


async def _membership(runtime, community, unit) -> Membership:
    async with runtime.database.transaction(community.id) as session:
        membership = await session.get(Membership, (community.id, unit.id))
        assert membership is not None
        return membership


async def _unit(runtime, unit) -> Unit:
    async with runtime.database.transaction() as session:
        found = await session.get(Unit, unit.id)
        assert found is not None
        return found


async def _reports(runtime, community) -> list[Report]:
    async with runtime.database.transaction(community.id) as session:
        return list(
            await session.scalars(select(Report).where(Report.community_id == community.id))
        )


def _text(html: str) -> str:
    """The page's words, without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    "path", ["/me/", "/me/notifications/", "/me/reports/new", "/me/withdraw", "/me/leave/yrd-me"]
)
async def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(client, two, path):
    answer = await client.get(path)

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path}"


async def test_the_clerk_sees_who_they_are_their_unit_and_its_communities(client, runtime, two):
    a, _, units, _ = two
    await _as(
        client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1], name="李联络员"
    )

    page = await client.get("/me/")

    assert page.status_code == 200
    text = _text(page.text)
    assert "李联络员" in text and "clerk@unit.example.cn" in text
    assert "成员 · 长三角县域老年教育共同体" in text
    assert units[1].name in text
    assert "县级" in text and "浙江省" in text and "尚未授牌" in text
    assert "实验点状态 在册" in text
    assert "本单位角色：成员" in text
    assert '<a href="/me/">我的工作台</a>' in page.text  # the account nav


async def test_the_attendance_record_counts_the_units_own_marks_since_it_joined(
    client, runtime, two
):
    a, _, units, _ = two
    mine, other = units[1], units[2]
    await _activities(
        runtime,
        a,
        [
            {mine: ATTENDED, other: ABSENT},
            {mine: EXCUSED, other: ABSENT},
            {mine: ATTENDED, other: ATTENDED},
            {other: ABSENT},  # mine was not expected
            {mine: None, other: ATTENDED},  # not recorded yet
        ],
    )
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=mine)

    text = _text((await client.get("/me/")).text)

    assert "出席 2 缺席 0 请假 1 待登记 1" in text
    assert WARNING not in text
    assert "活动4" not in text  # an activity the unit was not expected at


@pytest.mark.parametrize(
    ("marks", "warned"),
    [
        ([ATTENDED, ABSENT], True),
        ([ABSENT, EXCUSED], True),  # an excuse is skipped: the chain stays open
        ([ABSENT, None], True),  # recorded later as an absence, it would be the second
        ([ABSENT, ATTENDED], False),
        ([ATTENDED, EXCUSED], False),
        ([], False),
    ],
    ids=["absent last", "excused after absent", "unrecorded after", "attended after", "no", "none"],
)
async def test_one_unexcused_absence_in_a_row_is_warned_of(client, runtime, two, marks, warned):
    a, _, units, _ = two
    await _activities(runtime, a, [{units[1]: m, units[2]: ABSENT} for m in marks])
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])

    text = _text((await client.get("/me/")).text)

    assert (WARNING in text) is warned


async def test_absences_before_the_unit_joined_do_not_count(client, runtime, two):
    a, _, units, _ = two
    async with runtime.database.transaction(a.id) as session:
        membership = await session.get(Membership, (a.id, units[1].id))
        assert membership is not None
        membership.joined_on = dt.date(2026, 5, 1)
    await _activities(runtime, a, [{units[1]: ABSENT}, {units[1]: ATTENDED}])  # March, April
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])

    text = _text((await client.get("/me/")).text)

    assert "出席 0 缺席 0 请假 0" in text and "本单位加入以来还没有应参加的活动记录" in text


async def test_another_units_clerk_sees_nothing_of_this_unit_or_community(client, runtime, two):
    a, b, units, others = two
    await _activities(runtime, a, [{units[1]: ABSENT}], prefix="长三角研讨会")
    await _as(client, runtime, "clerk@xinan.example.cn", ("MEMBER", b.id), unit=others[1])

    page = await client.get("/me/")
    leave = await client.get("/me/leave/yrd-me")

    assert page.status_code == 200
    assert "西南社区治理共同体" in page.text
    assert "长三角" not in page.text and units[1].name not in page.text
    assert leave.status_code == 404


async def test_a_role_in_a_community_the_unit_is_not_in_shows_none_of_its_attendance(
    client, runtime, two
):
    a, _, units, others = two
    await _activities(runtime, a, [{units[1]: ABSENT}], prefix="长三角研讨会")
    # A role granted in A, while the user's unit is in B only.
    await _as(client, runtime, "odd@xinan.example.cn", ("MEMBER", a.id), unit=others[1])

    text = _text((await client.get("/me/")).text)

    assert "长三角研讨会" not in text and "本单位角色" not in text


async def test_a_user_without_a_unit_opens_me_but_no_unit_page(client, runtime, two):
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None), name="项目组王老师")

    home = await client.get("/me/")
    pages = [await client.get(p) for p in ("/me/reports/new", "/me/withdraw")]

    assert home.status_code == 200
    assert "项目组王老师" in home.text and "您的账户未关联成员单位" in home.text
    assert "项目组 · 全国" in _text(home.text)
    assert [p.status_code for p in pages] == [403, 403]
    assert "您的账户未关联成员单位" in pages[0].text


async def test_the_annual_summary_owed_is_listed_and_submitted(client, runtime, two):
    a, _, units, _ = two
    clerk = await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])

    home = _text((await client.get("/me/")).text)
    form = await client.get("/me/reports/new")

    # Formed in January 2025: its 2025 summary fell due on 31 January 2026.
    assert "2025 年成员单位年度总结与计划 长三角县域老年教育共同体 2026年1月31日 已逾期" in home
    assert form.status_code == 200
    assert 'value="2025"' in form.text  # the year still owed
    csrf = csrf_of(form.text)

    answer = await client.post(
        "/me/reports/new",
        data={
            "csrf_token": csrf,
            "community": "yrd-me",
            "year": "2025",
            "title": "2025年度工作总结与2026年度计划",
            "body": "全年参加共同体活动 4 次。明年计划开展老年教育送教下乡。",
        },
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/me/?done=report#reports"
    (report,) = await _reports(runtime, a)
    assert (report.kind, report.year, report.unit_id) == (
        ReportKind.MEMBER_ANNUAL,
        2025,
        units[1].id,
    )
    assert report.submitted_by == clerk.id and report.late
    after = _text((await client.get("/me/?done=report")).text)
    assert "年度总结与计划已提交" in after and "已提交" in after and "逾期提交" in after


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": "  "}, "body", "请填写标题和正文"),
        ({"year": "二〇二五"}, "year", "请填写年份"),
        ({"year": "2019"}, "year", "报告期须在共同体的合作周期内"),
        ({"community": ""}, "community", "请选择共同体"),
    ],
    ids=["blank body", "not a year", "before the cycle", "no community"],
)
async def test_a_refused_report_is_shown_beside_its_field_and_nothing_is_kept(
    client, runtime, two, fields, field, message
):
    a, _, units, _ = two
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])
    csrf = await _csrf(client, "/me/reports/new")
    data = {"community": "yrd-me", "year": "2025", "title": "年度总结", "body": "正文"}

    answer = await client.post("/me/reports/new", data={"csrf_token": csrf, **data, **fields})

    assert answer.status_code == 400
    beside = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', answer.text)
    assert beside and message in beside.group(1)
    assert f'href="#{field}"' in answer.text  # the summary links to it
    assert "年度总结" in answer.text  # what was typed is kept
    assert await _reports(runtime, a) == []


async def test_a_second_summary_for_the_same_year_is_refused(client, runtime, two):
    a, _, units, _ = two
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])
    csrf = await _csrf(client, "/me/reports/new")
    data = {
        "csrf_token": csrf,
        "community": "yrd-me",
        "year": "2025",
        "title": "总结",
        "body": "正文",
    }

    first = await client.post("/me/reports/new", data=data)
    second = await client.post("/me/reports/new", data=data)

    assert first.status_code == 303 and second.status_code == 400
    assert "该期报告已提交" in second.text
    assert len(await _reports(runtime, a)) == 1


async def test_a_report_for_another_community_is_refused(client, runtime, two):
    a, b, units, _ = two
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])
    csrf = await _csrf(client, "/me/reports/new")

    answer = await client.post(
        "/me/reports/new",
        data={
            "csrf_token": csrf,
            "community": "xinan-me",
            "year": "2026",
            "title": "t",
            "body": "b",
        },
    )

    assert answer.status_code == 400
    assert "该单位不是本共同体成员" in answer.text
    assert await _reports(runtime, b) == []


async def test_notifications_newest_first_paged_with_the_unread_marked(client, runtime, two):
    a, _, units, _ = two
    clerk = await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])
    stranger, _ = await make_user(runtime, "stranger@example.cn")
    await _notify(runtime, clerk, 3, read=True, title="已读通知")
    await _notify(runtime, clerk, 22, title="新通知")
    await _notify(runtime, stranger, 1, title="别人的通知")

    home = _text((await client.get("/me/")).text)
    first = await client.get("/me/notifications/")

    assert "22 条未读通知" in home
    titles = re.findall(
        r'<h2 class="me-inbox-title">(?:<span class="tag">未读</span> )?([^<]+)</h2>', first.text
    )
    assert titles == [f"新通知{i}" for i in range(22, 2, -1)]  # 20 a page, the latest first
    assert "共 25 条，其中 22 条未读" in _text(first.text)
    assert "别人的通知" not in first.text
    more = re.search(r'href="(/me/notifications/\?after=[^"]+)"', first.text)
    assert more
    second = await client.get(more.group(1).replace("&amp;", "&"))
    titles = re.findall(
        r'<h2 class="me-inbox-title">(?:<span class="tag">未读</span> )?([^<]+)</h2>', second.text
    )
    assert titles == ["新通知2", "新通知1", "已读通知3", "已读通知2", "已读通知1"]
    assert second.text.count('class="tag">未读') == 2


async def test_marking_notifications_read(client, runtime, two):
    a, _, units, _ = two
    clerk = await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])
    stranger, _ = await make_user(runtime, "stranger@example.cn")
    await _notify(runtime, clerk, 3)
    await _notify(runtime, stranger, 1)
    page = await client.get("/me/notifications/")
    csrf = csrf_of(page.text)
    boxes = dict(re.findall(r'name="(read-\d+)" type="checkbox" value="([^"]+)"', page.text))
    assert len(boxes) == 3

    nothing = await client.post("/me/notifications/read", data={"csrf_token": csrf})
    one = await client.post(
        "/me/notifications/read", data={"csrf_token": csrf, "read-1": boxes["read-1"]}
    )

    assert nothing.status_code == 400 and "请先勾选要标为已读的通知" in nothing.text
    assert one.status_code == 303 and one.headers["location"] == "/me/notifications/?done=read"
    assert await _unread(runtime, clerk) == 2
    page = await client.get("/me/notifications/")
    assert page.text.count('class="tag">未读') == 2
    shown = dict(re.findall(r'name="(shown-\d+)" value="([^"]+)"', page.text))

    everything = await client.post(
        "/me/notifications/read", data={"csrf_token": csrf, "all": "1", **shown}
    )

    assert everything.status_code == 303
    assert await _unread(runtime, clerk) == 0
    assert await _unread(runtime, stranger) == 1


async def test_another_users_notification_cannot_be_marked(client, runtime, two):
    a, _, units, _ = two
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])
    stranger, _ = await make_user(runtime, "stranger@example.cn")
    await _notify(runtime, stranger, 1)
    async with runtime.database.transaction() as session:
        theirs = await session.scalar(
            select(Notification).where(Notification.user_id == stranger.id)
        )
        assert theirs is not None
    csrf = await _csrf(client, "/me/notifications/")

    await client.post(
        "/me/notifications/read",
        data={"csrf_token": csrf, "read-1": encode("Notification", theirs.id)},
    )

    assert await _unread(runtime, stranger) == 1


async def test_leaving_a_community_needs_the_box_ticked_and_a_written_reason(client, runtime, two):
    a, _, units, _ = two
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])
    page = await client.get("/me/leave/yrd-me")
    csrf = csrf_of(page.text)

    assert page.status_code == 200
    assert f"{units[1].name} 即日退出 长三角县域老年教育共同体" in _text(page.text)
    assert "我已确认本单位退出长三角县域老年教育共同体" in page.text

    unticked = await client.post("/me/leave/yrd-me", data={"csrf_token": csrf, "reason": "搬迁"})
    blank = await client.post(
        "/me/leave/yrd-me", data={"csrf_token": csrf, "reason": "  ", "confirm": "1"}
    )

    assert unticked.status_code == 400
    assert '<p class="field-error" id="confirm-error">请勾选确认框' in unticked.text
    assert "搬迁" in unticked.text  # the reason is kept
    assert blank.status_code == 400
    assert '<p class="field-error" id="reason-error">请填写书面退出理由</p>' in blank.text
    assert (await _membership(runtime, a, units[1])).status is MembershipStatus.ACTIVE

    done = await client.post(
        "/me/leave/yrd-me",
        data={"csrf_token": csrf, "reason": "单位职能调整，无法继续参加活动", "confirm": "1"},
    )

    assert done.status_code == 303 and done.headers["location"] == "/me/?done=left"
    membership = await _membership(runtime, a, units[1])
    assert membership.status is MembershipStatus.WITHDRAWN
    assert membership.left_reason == "单位职能调整，无法继续参加活动"
    home = _text((await client.get("/me/?done=left")).text)
    assert "本单位已退出该共同体" in home and "已退出" in home
    assert (await client.get("/me/leave/yrd-me")).status_code == 404  # nothing left to leave


async def test_the_leader_unit_is_told_to_hand_over_first(client, runtime, two):
    a, _, units, _ = two
    await _as(client, runtime, "leader@unit.example.cn", ("LEADER", a.id), unit=units[0])
    csrf = await _csrf(client, "/me/leave/yrd-me")

    answer = await client.post(
        "/me/leave/yrd-me", data={"csrf_token": csrf, "reason": "不再牵头", "confirm": "1"}
    )

    assert answer.status_code == 400 and "组长单位退出前须先移交组长" in answer.text
    assert (await _membership(runtime, a, units[0])).status is MembershipStatus.ACTIVE


async def test_withdrawing_from_the_programme(client, runtime, two):
    a, _, units, _ = two
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])
    page = await client.get("/me/withdraw")
    csrf = csrf_of(page.text)
    assert "同时退出所在的全部共同体： 长三角县域老年教育共同体" in _text(page.text)

    blank = await client.post(
        "/me/withdraw", data={"csrf_token": csrf, "reason": "", "confirm": "1"}
    )
    unticked = await client.post("/me/withdraw", data={"csrf_token": csrf, "reason": "合并"})

    assert blank.status_code == 400 and 'id="reason-error">请填写书面退出理由' in blank.text
    assert unticked.status_code == 400 and 'id="confirm-error">请勾选确认框' in unticked.text
    assert (await _unit(runtime, units[1])).site_status is SiteStatus.ACTIVE

    done = await client.post(
        "/me/withdraw", data={"csrf_token": csrf, "reason": "机构合并", "confirm": "1"}
    )

    assert done.status_code == 303 and done.headers["location"] == "/me/?done=withdrawn"
    assert (await _unit(runtime, units[1])).site_status is SiteStatus.WITHDRAWN
    assert (await _membership(runtime, a, units[1])).status is MembershipStatus.WITHDRAWN
    again = await client.get("/me/withdraw")
    assert "本单位已不在项目中" in again.text and 'name="reason"' not in again.text


@pytest.mark.parametrize(
    "path", ["/me/reports/new", "/me/notifications/read", "/me/leave/yrd-me", "/me/withdraw"]
)
async def test_a_post_without_the_csrf_value_is_refused(client, runtime, two, path):
    a, _, units, _ = two
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", a.id), unit=units[1])

    answer = await client.post(path, data={"reason": "x", "confirm": "1", "year": "2025"})

    assert answer.status_code == 403
    assert (await _unit(runtime, units[1])).site_status is SiteStatus.ACTIVE
    assert (await _membership(runtime, a, units[1])).status is MembershipStatus.ACTIVE


async def test_the_api_gives_notifications_latest_first_when_asked(client, runtime, two):
    """`notifications(newestFirst: true)`, which the page pages through, over `/graphql`."""
    user, token = await make_user(runtime, "reader@example.cn")
    await _notify(runtime, user, 3)
    query = """
    query ($after: String) {
      notifications(newestFirst: true, first: 2, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { title } }
      }
    }"""

    async def page(after=None):
        answer = await client.post(
            "/graphql",
            json={"query": query, "variables": {"after": after}},
            headers={"Authorization": f"Bearer {token}"},
        )
        return answer.json()["data"]["notifications"]

    first = await page()
    second = await page(first["pageInfo"]["endCursor"])

    assert [e["node"]["title"] for e in first["edges"]] == ["通知3", "通知2"]
    assert first["pageInfo"]["hasNextPage"]
    assert [e["node"]["title"] for e in second["edges"]] == ["通知1"]
    assert not second["pageInfo"]["hasNextPage"]
