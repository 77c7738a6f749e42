"""The lists the API now gives, in Debian's chromium: the project group finds a seeded account
(one no audit log entry names) by a piece of its name and by its role, has a weak password
refused beside its field when creating an account and then sees the new account listed, and
reads the latest audit runs, national and a community's; a community's leader reads its own
community's runs on its reports page and finds another community's closed."""

import datetime as dt
import re

import httpx
import pytest

from server.access.policy import PolicyChange
from server.accounts.service import subject
from server.compliance.models import AuditRun
from server.vocabulary import AuditRunStatus
from tests.eventually import eventually
from tests.factories import PASSWORD, make_community, make_user
from tests.web.conftest import PHONE

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


async def _known(runtime, server: str, grant: tuple[str, ...], token: str, path: str) -> None:
    """Announces a grant as the API does, and waits until the server's process knows it."""
    await runtime.policy.publish(PolicyChange("add", grant))

    async def opens() -> bool:
        async with httpx.AsyncClient(base_url=server, cookies={"gx_session": token}) as client:
            return (await client.get(path)).status_code == 200

    await eventually(opens, what=f"the server lets {grant[1]} open {path}")


async def _sign_in(tab, path: str, email: str) -> None:
    await tab.page.goto(tab.base + path)
    await tab.page.wait_for_url(re.compile(r".*/login\?next="))
    await tab.page.fill("#email", email)
    await tab.page.fill("#password", PASSWORD)
    await tab.page.click("main button:has-text('登录')")
    await tab.page.wait_for_url(tab.base + path)


async def _run(runtime, community_id: int | None, hour: int, opened: int, resolved: int) -> None:
    at = dt.datetime(2026, 11, 3, hour, 0, tzinfo=dt.UTC)
    scope = {"all_communities": True} if community_id is None else {}
    async with runtime.database.transaction(community_id, **scope) as session:
        session.add(
            AuditRun(
                community_id=community_id,
                status=AuditRunStatus.SUCCEEDED,
                queued_at=at,
                started_at=at,
                finished_at=at + dt.timedelta(seconds=2),
                communities_total=1,
                communities_done=1,
                counts={"opened": opened, "resolved": resolved, "durationMs": 2000},
            )
        )


async def test_the_project_group_finds_accounts_and_runs_and_a_leader_its_own(
    runtime, server, visit
):
    yrd, _ = await make_community(runtime, "yrd-registry-journey", name="长三角县域老年教育共同体")
    other, _ = await make_community(
        runtime, "xinan-registry-journey", name="西南乡镇社区治理共同体"
    )
    # A seeded account: no audit log entry names it, and it holds a role (announced before
    # the project group's, which the server is then waited on to know).
    member, _ = await make_user(
        runtime, "seeded.member@journey.example.cn", ("MEMBER", yrd.id), display_name="钱联络员"
    )
    await runtime.policy.publish(
        PolicyChange("add", ("g", subject(member.id), "MEMBER", str(yrd.id)))
    )
    await _run(runtime, None, 1, opened=5, resolved=0)
    await _run(runtime, yrd.id, 2, opened=2, resolved=1)
    await _run(runtime, other.id, 3, opened=9, resolved=0)
    admin, token = await make_user(
        runtime, "pg@registry-journey.example.cn", ("PROJECT_GROUP", None), display_name="项目组"
    )
    await _known(runtime, server, ("g2", subject(admin.id), "PROJECT_GROUP"), token, "/admin/")

    tab = await visit()
    await _sign_in(tab, "/admin/users/", "pg@registry-journey.example.cn")
    assert "seeded.member@journey.example.cn" in await tab.page.inner_text("#accounts")

    # Found by a piece of the name, then by its role.
    await tab.page.fill("#q", "钱联")
    await tab.page.click("#accounts button:has-text('查找')")
    listed = await tab.page.inner_text("#accounts table")
    assert "seeded.member@journey.example.cn" in listed
    assert "成员（长三角县域老年教育共同体）" in listed
    assert "pg@registry-journey.example.cn" not in listed
    await tab.page.fill("#q", "")
    await tab.page.select_option("#role", "PROJECT_GROUP")
    await tab.page.click("#accounts button:has-text('查找')")
    listed = await tab.page.inner_text("#accounts table")
    assert "pg@registry-journey.example.cn" in listed
    assert "seeded.member@journey.example.cn" not in listed

    # A weak password is refused beside its field; nothing is created.
    await tab.page.fill("#displayName", "孙专家")
    await tab.page.fill("#email", "sun@registry-journey.example.cn")
    await tab.page.fill("#password", "short")
    await tab.page.click("button:has-text('创建账户')")
    assert await tab.page.inner_text("#password-error")
    await tab.page.click(".error-summary a[href='#password']")
    assert await tab.page.evaluate("document.activeElement.id") == "password"
    assert "sun@registry-journey.example.cn" not in await tab.page.inner_text("#accounts")
    await tab.page.fill("#password", "a-long-enough-passphrase")
    await tab.page.click("button:has-text('创建账户')")
    await tab.page.wait_for_url(re.compile(r".*/admin/users/[A-Za-z0-9_-]+/\?done=user$"))
    await tab.page.click("nav >> text=用户与角色")
    await tab.page.fill("#q", "sun@registry")
    await tab.page.click("#accounts button:has-text('查找')")
    assert "孙专家" in await tab.page.inner_text("#accounts table")

    # The latest runs, newest first: the other community's, the YRD's, the national one.
    await tab.page.goto(tab.base + "/admin/audit-runs/")
    scopes = await tab.page.locator("#runs tbody td.lead").all_inner_texts()
    assert scopes == ["西南乡镇社区治理共同体", "长三角县域老年教育共同体", "全国"]
    await tab.page.click("#runs tbody tr:nth-child(3) a")
    assert "全国审计" in await tab.page.inner_text("h1")

    assert tab.foreign() == []
    assert [e for e in tab.errors if "status of 400" not in e] == []

    # The YRD's leader: its own runs on its reports page, another community's page closed.
    leader, leader_token = await make_user(
        runtime, "leader@registry-journey.example.cn", ("LEADER", yrd.id)
    )
    await _known(
        runtime,
        server,
        ("g", subject(leader.id), "LEADER", str(yrd.id)),
        leader_token,
        "/c/yrd-registry-journey/manage/",
    )
    own = await visit(PHONE)
    await _sign_in(
        own, "/c/yrd-registry-journey/manage/reports/", "leader@registry-journey.example.cn"
    )
    runs = await own.page.inner_text("#audit")
    assert "共 1 次" in runs and "2.0 秒" in runs
    assert await own.page.evaluate(NO_HORIZONTAL_SCROLL)
    refused = await own.page.goto(own.base + "/c/xinan-registry-journey/manage/reports/")
    assert refused is not None and refused.status == 403
    assert "西南乡镇社区治理共同体" not in await own.page.inner_text("main")
    refused = await own.page.goto(own.base + "/admin/audit-runs/")
    assert refused is not None and refused.status == 403
