"""The national compliance dashboard (`/admin/`) at national scale, over HTTP: its figures
are the whole country's however many communities there are (no page limit), the programme's
own findings counted beside the communities', and the page costs the same few SQL statements
for 3 communities as for 40."""

import re

import httpx
import pytest

from schema.asgi import build
from server.runtime import open_runtime
from server.vocabulary import FindingStatus, Level, Region, Severity
from tests.factories import make_community, make_user
from tests.schema.test_programme_compliance import _finding, _programme_finding

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def counted(settings, services):
    """The app with `x-sql-statements` on every answer."""
    runtime = open_runtime(settings.model_copy(update={"count_sql": True}), services)
    await runtime.start()
    transport = httpx.ASGITransport(app=build(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as client:
        yield runtime, client
    await runtime.close()


def _figure(html: str, term: str) -> int:
    found = re.search(rf"<dt>{term}</dt><dd>(\d+)</dd>", html)
    assert found, term
    return int(found.group(1))


def _table(html: str, caption: str) -> dict[str, str]:
    found = re.search(rf"<caption>{caption}</caption>(.*?)</table>", html, re.S)
    assert found, f"no table {caption}"
    return dict(
        re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td></tr>", found.group(1))
    )


async def _communities(runtime, count: int, start: int = 0) -> list:
    """`count` communities, every third in the South-West at township level; each with one
    open error but every fifth, which has only a waived one."""
    made = []
    for n in range(start, start + count):
        south_west = n % 3 == 0
        community, _ = await make_community(
            runtime,
            f"cn-{n:03}",
            name=f"第{n:03}号共同体",
            region=Region.SOUTHWEST if south_west else Region.YANGTZE_RIVER_DELTA,
            level=Level.TOWNSHIP if south_west else Level.COUNTY,
            province="51" if south_west else "33",
        )
        status = FindingStatus.WAIVED if n % 5 == 0 else FindingStatus.OPEN
        await _finding(runtime, community.id, "structure", "14", Severity.ERROR, status)
        made.append(community)
    return made


async def _sign_in(client, runtime) -> None:
    _, token = await make_user(runtime, "pg-cn@example.cn", ("PROJECT_GROUP", None))
    client.cookies.set("gx_session", token)


async def test_the_dashboard_counts_every_community_in_a_fixed_number_of_statements(counted):
    runtime, client = counted
    await _communities(runtime, 3)
    await _sign_in(client, runtime)
    await client.get("/admin/")  # the first request of a process looks things up once
    few = await client.get("/admin/")
    await _communities(runtime, 37, start=3)

    many = await client.get("/admin/")

    assert few.status_code == many.status_code == 200
    assert int(few.headers["x-sql-statements"]) == int(many.headers["x-sql-statements"]) <= 8
    html = many.text
    # 40 communities, 8 of them (every fifth) with only a waived error: 32 open errors.
    assert _figure(html, "共同体") == 40
    assert _figure(html, "无违规的共同体") == 8
    assert _figure(html, "待整改问题") == 32
    assert _figure(html, "其中违规") == 32
    by_region = _table(html, "各片区")
    # n % 3 == 0 in the South-West: 14 of 40, of which n % 15 == 0 (0, 15, 30) waived.
    assert by_region["西南"] == "11" and by_region["长三角"] == "21"
    assert _table(html, "各层级")["街镇级"] == "11"
    assert "数据较多" not in html  # nothing left uncounted any more


async def test_the_programmes_own_findings_join_the_totals_and_are_named_apart(counted):
    runtime, client = counted
    await _communities(runtime, 2, start=1)
    await _programme_finding(runtime, "site-evidence", "7", Severity.WARNING, FindingStatus.OPEN)
    await _programme_finding(runtime, "pg-cadence", "17", Severity.NOTICE, FindingStatus.WAIVED)
    await _sign_in(client, runtime)

    html = (await client.get("/admin/")).text

    assert _figure(html, "待整改问题") == 3  # 2 communities' errors + 1 of the programme's
    assert _figure(html, "其中预警") == 1
    assert _figure(html, "其中提示") == 0  # the waived notice is not open
    assert _table(html, "条款") == {"第7条": "1", "第14条": "2"}
    assert "其中 1 个为项目层面的问题" in html
    # Regions count the communities' findings only.
    assert sum(int(n) for n in _table(html, "各片区").values()) == 2


async def test_the_worst_list_is_ten_long_worst_first(counted):
    runtime, client = counted
    made = await _communities(runtime, 12, start=1)
    worst = made[-1]
    await _finding(
        runtime, worst.id, "citizen-learning", "16(3)", Severity.ERROR, FindingStatus.OPEN
    )
    await _sign_in(client, runtime)

    html = (await client.get("/admin/")).text

    listed = html.split('id="worst-title"')[1].split("</section>")[0]
    names = re.findall(r'<td data-label="共同体" class="lead"><a [^>]+>([^<]+)</a>', listed)
    assert len(names) == 10
    assert names[0] == worst.name  # two open errors before one
    # Every fifth (n = 5, 10) has no open error and is not listed among the worst.
    assert "第005号共同体" not in names and "第010号共同体" not in names
