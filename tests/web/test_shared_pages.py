"""What the workspaces share, over HTTP: the frame each role's layout extends (its crumb trail
and the title of the summary of refusals), keeping a form's files with the types the form
accepts, and a unit's written exit confirmed before it is sent."""

import re

import pytest
from sqlalchemy import func, select

from server.news.models import News
from server.units.models import Unit
from server.uploads.models import Upload
from server.vocabulary import SiteStatus
from tests.factories import make_community, make_user
from tests.files import pdf
from tests.web.test_pages_over_http import csrf_of


@pytest.fixture
async def community(runtime):
    return await make_community(runtime, "yrd-tidy", name="长三角县域老年教育共同体")


async def _as(client, runtime, email, *grants, unit_id=None):
    _, token = await make_user(runtime, email, *grants, unit_id=unit_id)
    client.cookies.set("gx_session", token)


async def _uploads(runtime) -> int:
    async with runtime.database.transaction(all_communities=True) as session:
        return int(await session.scalar(select(func.count()).select_from(Upload)) or 0)


def _crumbs(html: str) -> str:
    found = re.search(r'<p class="crumbs">(.*?)</p>', html, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", "", found.group(1))


async def test_a_pdf_is_no_picture_the_cover_is_refused_beside_its_field_and_nothing_kept(
    client, runtime, community
):
    # The upload service keeps a PDF (the admission evidence is one); a news cover accepts
    # only what a page shows inline, and refuses it beside the field.
    c, _ = community
    await _as(client, runtime, "leader@example.cn", ("LEADER", c.id))
    csrf = csrf_of((await client.get("/c/yrd-tidy/manage/news/new")).text)

    answer = await client.post(
        "/c/yrd-tidy/manage/news/new",
        data={"csrf_token": csrf, "title": "秋季开学", "body": "正文"},
        files={"cover": ("封面.pdf", pdf(), "application/pdf")},
    )

    assert answer.status_code == 400
    assert '<p class="field-error" id="cover-error">图片须为 PNG 或 JPEG 格式</p>' in answer.text
    assert '<a href="#cover">图片须为 PNG 或 JPEG 格式</a>' in answer.text
    assert '<h2 id="error-summary-title">未能保存，请修改以下内容</h2>' in answer.text
    assert "秋季开学" in answer.text  # what was written is kept
    assert await _uploads(runtime) == 0
    async with runtime.database.transaction(c.id) as session:
        assert list(await session.scalars(select(News))) == []


async def test_each_workspace_shows_its_own_crumb_trail_and_nav(client, runtime, community):
    c, units = community
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", c.id), unit_id=units[1].id)
    me = await client.get("/me/withdraw")
    await _as(client, runtime, "leader@example.cn", ("LEADER", c.id))
    manage = await client.get("/c/yrd-tidy/manage/news/new")

    assert _crumbs(me.text).split() == ["总平台", "›", "我的工作台", "›", "退出项目"]
    assert '<a href="/me/notifications/">通知</a>' in me.text
    assert "/manage/" not in me.text
    assert _crumbs(manage.text).split()[:3] == ["长三角县域老年教育共同体", "›", "管理工作台"]
    assert '<a href="/c/yrd-tidy/manage/reports/">报告</a>' in manage.text
    assert '<a href="/me/notifications/">' not in manage.text


async def test_a_written_exit_is_refused_until_confirmed_and_not_sent_twice(
    client, runtime, community
):
    c, units = community
    await _as(client, runtime, "clerk@unit.example.cn", ("MEMBER", c.id), unit_id=units[1].id)
    csrf = csrf_of((await client.get("/me/withdraw")).text)

    unticked = await client.post("/me/withdraw", data={"csrf_token": csrf, "reason": "机构合并"})

    assert unticked.status_code == 400
    assert '<h2 id="error-summary-title">未能提交，请修改以下内容</h2>' in unticked.text
    assert '<a href="#confirm">请勾选确认框：提交后不能撤销</a>' in unticked.text
    assert "机构合并</textarea>" in unticked.text  # the reason typed is kept
    assert 'id="confirm" name="confirm" type="checkbox" value="1" aria-invalid="true"' in (
        unticked.text
    )
    async with runtime.database.transaction() as session:
        assert (await session.get(Unit, units[1].id)).site_status is SiteStatus.ACTIVE

    done = await client.post(
        "/me/withdraw", data={"csrf_token": csrf, "reason": "机构合并", "confirm": "1"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/me/?done=withdrawn"
    home = await client.get(done.headers["location"])
    assert "本单位已退出项目，并同时退出所在的全部共同体" in home.text

    # Posted again (a second tab, the back button): nothing to send, the page says why.
    again = await client.post(
        "/me/withdraw", data={"csrf_token": csrf, "reason": "机构合并", "confirm": "1"}
    )
    assert again.status_code == 200
    assert "本单位已不在项目中" in again.text and 'name="reason"' not in again.text
