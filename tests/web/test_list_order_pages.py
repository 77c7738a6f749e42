"""The workspaces' lists over HTTP in the order their 排序 chooses (`?order=`): 最新在前 shows
the latest row first and keeps to that order on the next page (its link carries the choice),
最早在前 the other way round, and a value that is neither leaves the list in its own order
(the findings, the communities and the reports the oldest first; the audit log and a leader's
activities the latest first)."""

import datetime as dt
import re
from html import unescape

import pytest

from server.activities.models import Activity
from server.audit.models import AuditEntry
from server.communities.models import Community
from server.compliance.models import Finding
from server.vocabulary import (
    ActivityKind,
    CommunityStatus,
    FindingStatus,
    Level,
    Region,
    Severity,
)
from tests.factories import make_community, make_user

pytestmark = pytest.mark.asyncio

# One row more than a page of the project group's lists (50), and of a leader's (20).
ADMIN_ROWS = 53
LEADER_ROWS = 23
NOW = dt.datetime(2026, 11, 3, 3, 0, tzinfo=dt.UTC)


async def _as(client, runtime, email, *grants):
    _, token = await make_user(runtime, email, *grants)
    client.cookies.set("gx_session", token)


async def _both_pages(client, path: str, shown, next_link: str) -> tuple[list[str], list[str]]:
    """The rows `shown` finds on the page at `path` and on the page its `next_link` opens."""
    first = await client.get(path)
    assert first.status_code == 200, first.text
    found = re.search(rf'href="([^"]+)">{next_link}</a>', first.text)
    assert found, f"no {next_link} on {path}"
    second = await client.get(unescape(found.group(1)))
    assert second.status_code == 200, second.text
    return shown(first.text), shown(second.text)


def _findings_shown(html: str) -> list[str]:
    return re.findall(r"<p>(问题\d+)</p>", html)


def _communities_shown(html: str) -> list[str]:
    return re.findall(r'<td data-label="共同体" class="lead"><div><a href="/c/([^/]+)/">', html)


def _entries_shown(html: str) -> list[str]:
    return re.findall(r'<td data-label="对象" class="mono">Finding (\d+)</td>', html)


def _activities_shown(html: str) -> list[str]:
    return re.findall(r'<td data-label="活动"><div><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
async def project_group(client, runtime):
    """A community with 53 findings of every status, 53 communities besides it (the oldest
    made first), 53 audit log entries, each numbered in the order it was made; signed in as
    the project group."""
    a, _ = await make_community(runtime, "yrd-order", name="长三角县域老年教育共同体")
    async with runtime.database.transaction(a.id) as session:
        for n in range(ADMIN_ROWS):
            session.add(
                Finding(
                    community_id=a.id,
                    rule="citizen-learning",
                    article="16(3)",
                    severity=Severity.WARNING,
                    status=FindingStatus.OPEN if n % 2 else FindingStatus.RESOLVED,
                    subject=f"unit:{n}",
                    period="2026",
                    message_zh=f"问题{n:03d}",
                    message_en=f"Finding {n:03d}",
                    evidence=[],
                    fingerprint=f"order-{n:03d}",
                    first_seen_at=NOW,
                    last_seen_at=NOW,
                )
            )
            await session.flush()  # ids in the order of the numbers
    async with runtime.database.transaction(all_communities=True) as session:
        for n in range(ADMIN_ROWS):
            session.add(
                Community(
                    slug=f"order-{n:03d}",
                    name=f"第{n}个共同体",
                    region=Region.SOUTHWEST.value,
                    level=Level.TOWNSHIP,
                    status=CommunityStatus.ACTIVE,
                    cycle_start=dt.date(2026, 1, 1),
                    cycle_end=dt.date(2028, 12, 31),
                )
            )
            session.add(
                AuditEntry(action="finding.waive", target_type="Finding", target_id=str(n), at=NOW)
            )
            await session.flush()
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    return a


async def test_findings_latest_first_keep_their_order_on_the_next_page(client, project_group):
    every = [f"问题{n:03d}" for n in range(ADMIN_ROWS)]

    newest = await _both_pages(
        client, "/admin/findings/?status=ALL&order=newest", _findings_shown, "下一页"
    )
    oldest = await _both_pages(
        client, "/admin/findings/?status=ALL&order=oldest", _findings_shown, "下一页"
    )
    unknown = await _both_pages(
        client, "/admin/findings/?status=ALL&order=sideways", _findings_shown, "下一页"
    )

    assert newest[0] + newest[1] == every[::-1]
    assert len(newest[0]) == 50  # a page of 50, then the rest on the next
    assert oldest[0] + oldest[1] == every
    assert unknown == oldest  # the findings' own order: the oldest first


async def test_the_order_keeps_the_filters_and_the_form_shows_it(client, project_group):
    page = await client.get("/admin/findings/?status=OPEN&severity=WARNING&order=newest")

    open_ones = [f"问题{n:03d}" for n in range(ADMIN_ROWS) if n % 2]
    assert _findings_shown(page.text) == open_ones[::-1]
    assert '<label for="order">排序</label>' in page.text
    assert '<option value="newest" selected>最新在前</option>' in page.text
    assert '<option value="oldest">最早在前</option>' in page.text
    export = re.search(r'href="(/admin/findings/export.xlsx[^"]*)"', page.text)
    assert export
    assert set(unescape(export.group(1)).split("?")[1].split("&")) == {
        "severity=WARNING",
        "status=OPEN",
        "order=newest",
    }


async def test_communities_latest_first_on_both_pages(client, project_group):
    every = ["yrd-order", *(f"order-{n:03d}" for n in range(ADMIN_ROWS))]

    newest = await _both_pages(
        client, "/admin/communities/?order=newest", _communities_shown, "下一页"
    )
    default = await _both_pages(client, "/admin/communities/", _communities_shown, "下一页")
    unknown = await _both_pages(
        client, "/admin/communities/?order=%E6%9C%80%E6%96%B0", _communities_shown, "下一页"
    )

    assert newest[0] + newest[1] == every[::-1]
    assert default[0] + default[1] == every  # the order they were formed in
    assert unknown == default


async def test_the_audit_log_opens_the_latest_first(client, project_group):
    every = [str(n) for n in range(ADMIN_ROWS)]

    default = await _both_pages(client, "/admin/audit-log/", _entries_shown, "下一页")
    newest = await _both_pages(
        client, "/admin/audit-log/?action=finding.waive&order=newest", _entries_shown, "下一页"
    )
    oldest = await _both_pages(client, "/admin/audit-log/?order=oldest", _entries_shown, "下一页")
    unknown = await _both_pages(client, "/admin/audit-log/?order=", _entries_shown, "下一页")

    assert default[0] + default[1] == every[::-1]
    assert newest == default
    assert oldest[0] + oldest[1] == every
    assert unknown == default


async def test_each_project_group_list_offers_the_order(client, project_group):
    for path, default in (
        ("/admin/findings/", "oldest"),
        ("/admin/communities/", "oldest"),
        ("/admin/sites/", "oldest"),
        ("/admin/exits/", "newest"),
        ("/admin/audit-runs/", "newest"),
        ("/admin/users/", "oldest"),
        ("/admin/audit-log/", "newest"),
    ):
        page = await client.get(path)
        turned = await client.get(f"{path}?order={'oldest' if default == 'newest' else 'newest'}")

        assert page.status_code == 200, path
        assert '<select id="order" name="order">' in page.text, path
        assert f'<option value="{default}" selected>' in page.text, path
        assert f'<option value="{default}" selected>' not in turned.text, path


@pytest.fixture
async def leader(client, runtime):
    """A community with 23 activities (more than a page of 20), the first held on the day the
    cycle began, the last made most recently; signed in as its leader."""
    a, _ = await make_community(runtime, "yrd-order-leader")
    async with runtime.database.transaction(a.id) as session:
        for n in range(LEADER_ROWS):
            session.add(
                Activity(
                    community_id=a.id,
                    kind=ActivityKind.SEMINAR if n % 3 else ActivityKind.CITIZEN_LEARNING,
                    title=f"活动{n:02d}",
                    held_on=dt.date(2026, 1, 5) + dt.timedelta(days=7 * n),
                )
            )
            await session.flush()
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    return a


async def test_a_leaders_activities_latest_or_earliest_first(client, leader):
    base = "/c/yrd-order-leader/manage/activities/"
    every = [f"活动{n:02d}" for n in range(LEADER_ROWS)]

    newest = await _both_pages(client, f"{base}?order=newest", _activities_shown, "更早的活动")
    default = await _both_pages(client, base, _activities_shown, "更早的活动")
    oldest = await _both_pages(client, f"{base}?order=oldest", _activities_shown, "更晚的活动")
    unknown = await _both_pages(client, f"{base}?order=NEWEST", _activities_shown, "更早的活动")

    assert newest[0] + newest[1] == every[::-1]
    assert len(newest[0]) == 20
    assert default == newest  # a leader's activities: the latest first, as before
    assert oldest[0] + oldest[1] == every
    assert unknown == default


async def test_a_leaders_activities_keep_the_kind_and_the_order(client, leader):
    base = "/c/yrd-order-leader/manage/activities/"

    page = await client.get(f"{base}?kind=SEMINAR&order=oldest")

    seminars = [f"活动{n:02d}" for n in range(LEADER_ROWS) if n % 3]
    assert _activities_shown(page.text) == seminars  # 15: one page
    assert '<option value="oldest" selected>最早在前</option>' in page.text
    assert f'href="{base}export.xlsx?kind=SEMINAR&amp;order=oldest"' in page.text
