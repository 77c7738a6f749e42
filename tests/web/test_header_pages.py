"""The header of every page over HTTP: a signed-in user's count of unread notifications (the
user's own, never another's), kept current by `GET /me/unread`; the workspaces the user's
roles open; and nothing of either for an anonymous visitor, whose pages stay one statement."""

import asyncio
import datetime as dt
import re

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from schema.asgi import build
from server.notifications.models import Notification
from server.notifications.service import notify
from server.runtime import open_runtime
from server.vocabulary import Level, Region
from server.web.assets import STATIC_DIR
from server.web.execution import document
from tests.factories import bearer, make_community, make_user
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio

UNREAD = re.compile(r'<a class="unread" href="/me/notifications/"[^>]*aria-label="([^"]*)"')
WORKSPACES = re.compile(r'<nav class="workspaces"[^>]*>(.*?)</nav>', re.S)


@pytest.fixture
async def counted(settings, services):
    """A client whose responses count their SQL statements (`X-SQL-Statements`)."""
    runtime = open_runtime(settings.model_copy(update={"count_sql": True}), services)
    await runtime.start()
    transport = httpx.ASGITransport(app=build(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as client:
        yield runtime, client
    await runtime.close()


@pytest.fixture
async def two(runtime):
    """The Yangtze River Delta's county elderly-education community and the South-West's."""
    a, units = await make_community(runtime, "hdr-yrd", name="长三角县域老年教育共同体")
    b, _ = await make_community(
        runtime,
        "hdr-xinan",
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="西南社区治理共同体",
    )
    return a, b, units


async def _notify(runtime, user, count, *, read=False):
    async with runtime.database.transaction() as session:
        for i in range(count):
            session.add(
                Notification(
                    user_id=user.id,
                    kind="report.due",
                    title=f"半年报告将于7月5日截止（{i + 1}）",
                    body="请按《管理办法》第十八条第四项按时提交。",
                    read_at=dt.datetime.now(dt.UTC) if read else None,
                )
            )


def _unread_label(html: str) -> str | None:
    found = UNREAD.search(html)
    return found.group(1) if found else None


def _workspaces(html: str) -> list[tuple[str, str]]:
    found = WORKSPACES.search(html)
    if not found:
        return []
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', found.group(1))


async def test_the_count_is_the_users_own_unread_on_every_page(client, runtime, two):
    a, _, units = two
    clerk, token = await make_user(
        runtime, "clerk@example.cn", ("MEMBER", a.id), unit_id=units[1].id
    )
    other, _ = await make_user(runtime, "other@example.cn", ("MEMBER", a.id))
    await _notify(runtime, clerk, 3)
    await _notify(runtime, clerk, 2, read=True)
    await _notify(runtime, other, 5)
    client.cookies.set("gx_session", token)

    for path in ("/", f"/c/{a.slug}/", "/me/", "/me/notifications/"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert _unread_label(page.text) == "3 条未读通知", path
        assert 'class="unread-count">3</span>' in page.text, path
        assert "/static/unread." in page.text, path  # the script that keeps it current

    polled = await client.get("/me/unread")
    assert polled.status_code == 200
    assert polled.json() == {"unread": 3}
    assert polled.headers["cache-control"] == "private, no-store"

    # Read two on the notifications page: the header and the endpoint say one.
    listed = await client.get("/me/notifications/")
    boxes = dict(re.findall(r'name="(read-\d+)" type="checkbox" value="([^"]+)"', listed.text)[:2])
    assert len(boxes) == 2
    marked = await client.post(
        "/me/notifications/read", data={"csrf_token": csrf_of(listed.text), **boxes}
    )
    assert marked.status_code == 303
    assert (await client.get("/me/unread")).json() == {"unread": 1}
    assert _unread_label((await client.get("/")).text) == "1 条未读通知"


async def test_nothing_unread_hides_the_number(client, runtime, two):
    _, _, units = two
    _, token = await make_user(runtime, "quiet@example.cn", unit_id=units[0].id)
    client.cookies.set("gx_session", token)

    page = await client.get("/")

    assert _unread_label(page.text) == "没有未读通知"
    assert 'class="unread-count" hidden>0</span>' in page.text
    assert (await client.get("/me/unread")).json() == {"unread": 0}


async def test_an_anonymous_visitor_sees_no_count_and_the_endpoint_refuses(client, two):
    a, _, _ = two
    for path in ("/", f"/c/{a.slug}/"):
        page = await client.get(path)
        assert page.status_code == 200
        assert "未读通知" not in page.text
        assert "/static/unread." not in page.text
        assert 'class="workspaces"' not in page.text
        assert page.headers["cache-control"].startswith("public")  # still kept by a CDN

    refused = await client.get("/me/unread")
    assert refused.status_code == 401
    assert refused.json() == {"unread": None}
    assert refused.headers["cache-control"] == "private, no-store"


async def test_a_revoked_session_gets_no_count(client, runtime, two):
    _, token = await make_user(runtime, "gone@example.cn")
    client.cookies.set("gx_session", token)
    page = await client.get("/")
    logout = await client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert logout.status_code == 303

    client.cookies.set("gx_session", token)  # the old cookie, kept by an attacker
    refused = await client.get("/me/unread")

    assert refused.status_code == 401


async def test_the_workspaces_by_role(client, runtime, two):
    a, b, units = two
    cases = [
        ("pg@example.cn", [("PROJECT_GROUP", None)], [("/admin/", "项目组工作台")]),
        ("expert@example.cn", [("EXPERT", None)], [("/expert/", "专家工作台")]),
        (
            "leader@example.cn",
            [("LEADER", a.id)],
            [(f"/c/{a.slug}/manage/", "长三角县域老年教育共同体管理工作台")],
        ),
        (
            "deputy@example.cn",
            [("DEPUTY", b.id), ("MEMBER", a.id)],
            [(f"/c/{b.slug}/manage/", "西南社区治理共同体管理工作台")],
        ),
        (
            "both@example.cn",
            [("EXPERT", None), ("LEADER", a.id), ("DEPUTY", b.id)],
            [
                ("/expert/", "专家工作台"),
                (f"/c/{a.slug}/manage/", "长三角县域老年教育共同体管理工作台"),
                (f"/c/{b.slug}/manage/", "西南社区治理共同体管理工作台"),
            ],
        ),
        ("member@example.cn", [("MEMBER", a.id)], []),
    ]
    for email, grants, expected in cases:
        _, token = await make_user(runtime, email, *grants, unit_id=units[0].id)
        client.cookies.set("gx_session", token)

        for path in ("/", "/me/"):
            page = await client.get(path)
            assert '<a href="/me/">我的工作台</a>' in page.text, (email, path)
            assert _workspaces(page.text) == expected, (email, path)


async def test_a_leader_sees_no_link_to_another_communitys_workspace(client, runtime, two):
    a, b, _ = two
    _, token = await make_user(runtime, "lead@example.cn", ("LEADER", a.id))
    client.cookies.set("gx_session", token)

    page = await client.get(f"/c/{b.slug}/")

    assert f"/c/{b.slug}/manage/" not in page.text
    assert (await client.get(f"/c/{b.slug}/manage/")).status_code == 403


async def test_the_sub_platform_stays_one_statement(counted):
    runtime, client = counted
    community, _ = await make_community(runtime, "hdr-one")
    user, token = await make_user(runtime, "one@example.cn", ("LEADER", community.id))
    await _notify(runtime, user, 2)
    await client.get(f"/c/{community.slug}/")  # the first looks the slug up, once a process

    anonymous = await client.get(f"/c/{community.slug}/")
    assert anonymous.status_code == 200
    # One statement, or none where the answer of the visit before is still kept.
    assert int(anonymous.headers["x-sql-statements"]) <= 1

    # The page's own document, header fragment and all, for the signed-in user: one
    # statement answers the count and the roles with the rest (once the process has planned
    # the document for a signed-in reader).
    for _ in range(2):
        asked = await client.post(
            "/graphql",
            json={"query": document("public/community"), "variables": {"slug": community.slug}},
            headers=bearer(token),
        )
    assert asked.status_code == 200
    answer = asked.json()
    assert "errors" not in answer, answer
    assert answer["data"]["me"]["unreadNotifications"] == 2
    assert answer["data"]["me"]["roles"][0]["community"]["slug"] == community.slug
    assert asked.headers["x-sql-statements"] == "1"

    client.cookies.set("gx_session", token)
    polled = await client.get("/me/unread")
    assert polled.json() == {"unread": 2}
    assert polled.headers["x-sql-statements"] == "1"


async def test_every_rule_of_the_stylesheet_applies_at_its_width():
    # An `@media` block left open (a merge dropped its `}`) puts every later rule, the
    # header's among them, on phones only: the desktop header then shows a bare number.
    sheet = (STATIC_DIR / "gongxue.css").read_text(encoding="utf-8")
    depth = 0
    for number, line in enumerate(sheet.splitlines(), 1):
        if depth == 0 or not line.startswith(("@media", "/* ---")):
            depth += line.count("{") - line.count("}")
            assert depth >= 0, number
            continue
        pytest.fail(f"line {number} starts a block inside a block left open: {line}")
    assert depth == 0


def _live(server: str) -> str:
    return server.replace("http://", "ws://", 1) + "/me/unread/live"


async def _refused(server: str, headers: dict[str, str]) -> int:
    """The HTTP status the websocket's handshake gets, refused before it opens."""
    with pytest.raises(InvalidStatus) as refused:
        async with connect(_live(server), additional_headers=headers):
            pass
    return refused.value.response.status_code


async def test_the_live_count_is_closed_to_another_site_and_to_nobody(runtime, server):
    _, token = await make_user(runtime, "live-closed@example.cn")
    cookie = {"Cookie": f"gx_session={token}"}

    # Another site's page would send its own origin (and, SameSite=Lax, not the cookie).
    assert await _refused(server, {**cookie, "Origin": "https://evil.example"}) == 403
    assert await _refused(server, cookie) == 403  # no browser page at all
    assert await _refused(server, {"Origin": server}) == 403  # nobody signed in


async def test_the_live_count_moves_for_the_users_own_notifications(runtime, server):
    user, token = await make_user(runtime, "live@example.cn")
    other, _ = await make_user(runtime, "live-other@example.cn")
    headers = {"Cookie": f"gx_session={token}", "Origin": server}

    async with connect(_live(server), additional_headers=headers) as live:
        await _notify_announced(runtime, other)
        with pytest.raises(TimeoutError):  # another user's: nothing to tell
            await asyncio.wait_for(live.recv(), 1.5)

        await _notify_announced(runtime, user)

        assert await asyncio.wait_for(live.recv(), 10) == "moved"
    async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
        assert (await client.get("/me/unread")).json() == {"unread": 1}


async def _notify_announced(runtime, user) -> None:
    """A notification as the programme sends one: announced to the user's inbox."""
    async with runtime.database.transaction() as session:
        await notify(session, [user.id], "report.due", "年度总结与计划", "请于12月15日前提交。")
