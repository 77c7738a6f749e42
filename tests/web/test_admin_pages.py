"""The project group's workspace over HTTP (`/admin/`): who may open it, the dashboard's figures
against the findings seeded, waiving a finding (a reason and a confirmation first), creating a
community (Art. 11's three units at least, refused beside the units chosen, nothing created),
users and roles, exits and reinstatement, audit runs and the audit log."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from schema.core.ids import encode
from server.communities.models import Community, Membership
from server.compliance.models import Finding, ProgrammeFinding
from server.units.models import ExitRecord, Unit
from server.vocabulary import (
    ExitScope,
    FindingStatus,
    Level,
    MembershipStatus,
    Region,
    Severity,
    SiteStatus,
)
from tests.factories import make_community, make_units, make_user
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio

ADMIN_PAGES = [
    "/admin/",
    "/admin/findings/",
    "/admin/communities/",
    "/admin/communities/new",
    "/admin/sites/",
    "/admin/exits/",
    "/admin/audit-runs/",
    "/admin/users/",
    "/admin/audit-log/",
]


@pytest.fixture
async def seeded(runtime):
    """Two communities: the Yangtze River Delta's (county) with two open errors and one open
    warning, and the South-West's (township) with one open error and one already waived."""
    a, units = await make_community(runtime, "yrd-admin", name="长三角县域老年教育共同体")
    b, _ = await make_community(
        runtime,
        "xinan-admin",
        region=Region.SOUTHWEST,
        level=Level.TOWNSHIP,
        province="51",
        name="西南乡镇社区治理共同体",
    )
    now = dt.datetime(2026, 11, 3, 3, 0, tzinfo=dt.UTC)
    rows = [
        (a.id, "structure", "14", Severity.ERROR, FindingStatus.OPEN, "community:person"),
        (a.id, "citizen-learning", "16(3)", Severity.ERROR, FindingStatus.OPEN, "community"),
        (a.id, "same-level", "10", Severity.WARNING, FindingStatus.OPEN, "unit:1"),
        (b.id, "citizen-learning", "16(3)", Severity.ERROR, FindingStatus.OPEN, "community"),
        (b.id, "nearby-region", "9", Severity.WARNING, FindingStatus.WAIVED, "unit:2"),
    ]
    for community_id, rule, article, severity, status, subject in rows:
        async with runtime.database.transaction(community_id) as session:
            session.add(
                Finding(
                    community_id=community_id,
                    rule=rule,
                    article=article,
                    severity=severity,
                    status=status,
                    subject=subject,
                    period="2026",
                    message_zh=f"{rule} 的问题",
                    message_en=f"{rule} finding",
                    evidence=[],
                    fingerprint=f"{community_id}-{rule}",
                    first_seen_at=now,
                    last_seen_at=now,
                    waived_reason="已同意" if status is FindingStatus.WAIVED else None,
                    waived_at=now if status is FindingStatus.WAIVED else None,
                )
            )
    return a, b, units


async def _as(client, runtime, email, *grants):
    user, token = await make_user(runtime, email, *grants, display_name="项目组老师")
    client.cookies.set("gx_session", token)
    return user


async def _admin(client, runtime):
    return await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))


async def _findings(runtime, community_id) -> list[Finding]:
    async with runtime.database.transaction(community_id) as session:
        return list(
            await session.scalars(
                select(Finding).where(Finding.community_id == community_id).order_by(Finding.id)
            )
        )


async def _communities(runtime) -> int:
    async with runtime.database.transaction(all_communities=True) as session:
        return int(await session.scalar(select(func.count()).select_from(Community)) or 0)


def _table(html: str, caption: str) -> dict[str, str]:
    """A figures table's rows (label: count), found by its caption."""
    found = re.search(rf"<caption>{caption}</caption>(.*?)</table>", html, re.S)
    assert found, f"no table {caption}"
    return dict(
        re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td></tr>", found.group(1))
    )


def _beside(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', html)
    return found.group(1) if found else ""


@pytest.mark.parametrize("path", ADMIN_PAGES)
async def test_an_anonymous_visitor_is_sent_to_sign_in(client, path):
    answer = await client.get(path)

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path}"


@pytest.mark.parametrize(
    "grants",
    [[("LEADER", "a")], [("EXPERT", None), ("EXPERT_ASSIGNED", "a")], [("MEMBER", "a")]],
    ids=["leader", "expert", "member staff"],
)
async def test_nobody_but_the_project_group_may_open_it(client, runtime, seeded, grants):
    a, _, _ = seeded
    await _as(client, runtime, "x@example.cn", *[(r, a.id if c else None) for r, c in grants])

    for path in ADMIN_PAGES:
        answer = await client.get(path)
        assert answer.status_code == 403, path
        assert "您没有使用项目组工作台的权限" in answer.text
        assert "长三角县域老年教育共同体" not in answer.text


async def test_a_leader_cannot_waive_by_posting_either(client, runtime, seeded):
    a, _, _ = seeded
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    finding = (await _findings(runtime, a.id))[0]
    path = f"/admin/findings/{encode('Finding', a.id, finding.id)}/waive"
    csrf = csrf_of((await client.get("/login")).text)

    answer = await client.post(path, data={"csrf_token": csrf, "reason": "x", "confirm": "yes"})

    assert answer.status_code == 403
    assert (await _findings(runtime, a.id))[0].status is FindingStatus.OPEN


async def test_the_dashboard_counts_the_open_findings_seeded(client, runtime, seeded):
    await _admin(client, runtime)

    answer = await client.get("/admin/")

    assert answer.status_code == 200
    html = answer.text
    # Four open (3 errors, 1 warning); the waived one is not counted.
    assert re.search(r"<dt>待整改问题</dt><dd>4</dd>", html)
    assert re.search(r"<dt>其中违规</dt><dd>3</dd>", html)
    assert re.search(r"<dt>其中预警</dt><dd>1</dd>", html)
    by_region = _table(html, "各片区")
    assert by_region["长三角"] == "3" and by_region["西南"] == "1" and by_region["京津冀"] == "0"
    by_level = _table(html, "各层级")
    assert by_level["区县级"] == "3" and by_level["街镇级"] == "1"
    assert _table(html, "条款") == {"第10条": "1", "第14条": "1", "第16条第3项": "2"}
    # The worst first: two open errors before one.
    worst = html.split('id="worst-title"')[1].split("</section>")[0]
    assert worst.index("长三角县域老年教育共同体") < worst.index("西南乡镇社区治理共同体")
    # The figures reach the chart as JSON, and every section is linked.
    assert '"findingsByRegion"' in html and 'id="statistics-data"' in html
    assert 'href="/admin/findings/?rule=citizen-learning"' in html  # a rule's findings
    for link in ["/admin/findings/", "/admin/communities/", "/admin/calls/", "/admin/users/"]:
        assert f'href="{link}' in html


async def test_findings_are_filtered_by_community_and_show_article_and_remedy(
    client, runtime, seeded
):
    await _admin(client, runtime)

    everyone = await client.get("/admin/findings/")
    south_west = await client.get("/admin/findings/?community=xinan-admin&status=ALL")

    assert everyone.status_code == 200
    assert "共 4 条" in everyone.text  # open ones by default
    assert "第16条第3项" in everyone.text and "整改建议" in everyone.text
    assert "共 2 条" in south_west.text
    by_rule = await client.get("/admin/findings/?rule=citizen-learning")
    assert "共 2 条" in by_rule.text  # one in each community
    assert "每年至少开展两次市民学习活动" in by_rule.text
    assert "成员单位原则上与共同体同一层级" not in by_rule.text.split('class="finding-list"')[1]
    assert "长三角县域老年教育共同体</option>" in south_west.text  # the filter offers it
    assert "长三角县域" not in south_west.text.split('class="finding-list"')[1]


async def test_waiving_needs_a_reason_and_a_confirmation_then_it_is_no_longer_open(
    client, runtime, seeded
):
    a, _, _ = seeded
    await _admin(client, runtime)
    finding = (await _findings(runtime, a.id))[0]
    path = f"/admin/findings/{encode('Finding', a.id, finding.id)}/waive"
    form = await client.get(path)
    assert form.status_code == 200 and "我已确认豁免该问题" in form.text
    csrf = csrf_of(form.text)

    unconfirmed = await client.post(path, data={"csrf_token": csrf, "reason": "特殊安排"})
    no_reason = await client.post(path, data={"csrf_token": csrf, "reason": " ", "confirm": "yes"})

    assert unconfirmed.status_code == 400 and _beside(unconfirmed.text, "confirm")
    assert no_reason.status_code == 400
    assert _beside(no_reason.text, "reason") == "请写明豁免理由"
    assert 'class="error-summary"' in no_reason.text
    assert (await _findings(runtime, a.id))[0].status is FindingStatus.OPEN

    done = await client.post(
        path, data={"csrf_token": csrf, "reason": "已报项目组同意", "confirm": "yes"}
    )

    assert done.status_code == 303 and done.headers["location"] == "/admin/findings/?done=waived"
    waived = (await _findings(runtime, a.id))[0]
    assert waived.status is FindingStatus.WAIVED and waived.waived_reason == "已报项目组同意"
    page = await client.get(done.headers["location"])
    assert "问题已豁免" in page.text and "共 3 条" in page.text
    dashboard = await client.get("/admin/")
    assert re.search(r"<dt>待整改问题</dt><dd>3</dd>", dashboard.text)


async def test_creating_a_community_of_two_units_is_refused_beside_the_units(
    client, runtime, seeded
):
    await _admin(client, runtime)
    units = await make_units(runtime, 3, level=Level.COUNTY, province="33")
    ids = [encode("Unit", u.id) for u in units]
    form = await client.get("/admin/communities/new")
    assert form.status_code == 200
    assert all(f'name="role-{i}"' in form.text for i in ids)
    before = await _communities(runtime)
    fields = {
        "csrf_token": csrf_of(form.text),
        "name": "长三角新组建共同体",
        "slug": "yrd-new",
        "region": "YANGTZE_RIVER_DELTA",
        "level": "COUNTY",
        "theme-ELDERLY_EDUCATION": "on",
        "cycleStart": "2026-09-01",
        f"role-{ids[0]}": "LEADER",
        f"role-{ids[1]}": "MEMBER",
    }

    refused = await client.post("/admin/communities/new", data=fields)

    assert refused.status_code == 400
    assert "至少需要 3 个成员单位（第十一条），现为 2 个" in _beside(refused.text, "units")
    assert await _communities(runtime) == before
    # What was entered stays in the form.
    assert 'value="长三角新组建共同体"' in refused.text
    assert re.search(rf'id="role-{ids[0]}".*?<option value="LEADER" selected', refused.text, re.S)

    two_leaders = await client.post(
        "/admin/communities/new", data={**fields, f"role-{ids[2]}": "LEADER"}
    )
    assert two_leaders.status_code == 400
    assert "组长单位只能有一个" in _beside(two_leaders.text, "units")

    created = await client.post(
        "/admin/communities/new", data={**fields, f"role-{ids[2]}": "DEPUTY"}
    )

    assert created.status_code == 303
    assert created.headers["location"] == "/admin/communities/?done=created"
    assert await _communities(runtime) == before + 1
    listed = await client.get("/admin/communities/?region=YANGTZE_RIVER_DELTA")
    assert "长三角新组建共同体" in listed.text and "西南乡镇社区治理共同体" not in listed.text


async def test_a_taken_slug_is_refused_beside_the_slug(client, runtime, seeded):
    await _admin(client, runtime)
    units = await make_units(runtime, 3)
    form = await client.get("/admin/communities/new")
    roles = ["LEADER", "MEMBER", "MEMBER"]
    answer = await client.post(
        "/admin/communities/new",
        data={
            "csrf_token": csrf_of(form.text),
            "name": "重名共同体",
            "slug": "yrd-admin",
            "region": "YANGTZE_RIVER_DELTA",
            "level": "COUNTY",
            "theme-ELDERLY_EDUCATION": "on",
            "cycleStart": "2026-09-01",
            **{f"role-{encode('Unit', u.id)}": r for u, r in zip(units, roles, strict=True)},
        },
    )

    assert answer.status_code == 400
    assert _beside(answer.text, "slug") == "该标识已被使用"


async def test_the_project_group_creates_a_user_and_grants_a_role_that_shows(
    client, runtime, seeded
):
    a, _, _ = seeded
    await _admin(client, runtime)
    page = await client.get("/admin/users/")
    csrf = csrf_of(page.text)

    created = await client.post(
        "/admin/users/",
        data={
            "csrf_token": csrf,
            "displayName": "赵专家",
            "email": "zhao@example.cn",
            "password": "a-long-enough-passphrase",
        },
    )

    assert created.status_code == 303
    user_page = created.headers["location"].split("?")[0]
    assert re.fullmatch(r"/admin/users/[A-Za-z0-9_-]+/", user_page)
    shown = await client.get(created.headers["location"])
    assert "账户已创建" in shown.text and "该用户还没有角色" in shown.text
    assert "赵专家" in (await client.get("/admin/users/")).text

    no_role = await client.post(user_page + "grant", data={"csrf_token": csrf, "role": ""})
    assert no_role.status_code == 400 and _beside(no_role.text, "role") == "请选择角色"

    granted = await client.post(
        user_page + "grant", data={"csrf_token": csrf, "role": "LEADER", "community": a.slug}
    )

    assert granted.status_code == 303
    roles = (await client.get(granted.headers["location"])).text.split('id="roles"')[1]
    roles = roles.split("</section>")[0]
    assert "组长" in roles and "长三角县域老年教育共同体" in roles

    revoked = await client.post(
        user_page + "revoke", data={"csrf_token": csrf, "role": "LEADER", "community": a.slug}
    )
    assert revoked.status_code == 303
    after = (await client.get(revoked.headers["location"])).text
    assert "角色已收回" in after and "该用户还没有角色" in after


async def test_a_duplicate_email_is_refused_beside_the_email(client, runtime, seeded):
    await _admin(client, runtime)
    csrf = csrf_of((await client.get("/admin/users/")).text)

    answer = await client.post(
        "/admin/users/",
        data={
            "csrf_token": csrf,
            "displayName": "重复",
            "email": "pg@example.cn",
            "password": "a-long-enough-passphrase",
        },
    )

    assert answer.status_code == 400
    assert _beside(answer.text, "email")
    assert 'value="重复"' in answer.text


async def test_an_exit_is_reinstated_after_a_confirmation(client, runtime, seeded):
    a, _, units = seeded
    await _admin(client, runtime)
    async with runtime.database.transaction(a.id) as session:
        # Deemed to have left (Art. 12): its membership ended, the exit on the list.
        await session.execute(
            update(Membership)
            .where(Membership.unit_id == units[2].id)
            .values(status=MembershipStatus.AUTO_EXITED, left_on=dt.date(2026, 6, 1))
        )
        gone = ExitRecord(
            unit_id=units[2].id,
            community_id=a.id,
            scope=ExitScope.COMMUNITY,
            kind=SiteStatus.AUTO_EXITED,
            exited_on=dt.date(2026, 6, 1),
            reason="连续两次无故缺席",
        )
        session.add(gone)
        await session.flush()
        exit_id = gone.id
    listed = await client.get("/admin/exits/")
    assert "连续两次无故缺席" in listed.text
    link = re.search(r'href="(/admin/exits/[^"]+/reinstate)"', listed.text)
    assert link
    form = await client.get(link.group(1))
    csrf = csrf_of(form.text)

    unconfirmed = await client.post(link.group(1), data={"csrf_token": csrf, "reason": "已请假"})
    assert unconfirmed.status_code == 400 and _beside(unconfirmed.text, "confirm")

    done = await client.post(
        link.group(1), data={"csrf_token": csrf, "reason": "已补办请假", "confirm": "yes"}
    )

    assert done.status_code == 303 and done.headers["location"] == "/admin/exits/?done=reinstated"
    async with runtime.database.transaction(a.id) as session:
        record = await session.get(ExitRecord, exit_id)
        assert record is not None and record.reinstated_on is not None
    again = await client.get("/admin/exits/")
    assert "已补办请假" in again.text and link.group(1) not in again.text


async def test_a_national_audit_run_is_started_and_followed(client, runtime, seeded):
    await _admin(client, runtime)
    csrf = csrf_of((await client.get("/admin/audit-runs/")).text)

    started = await client.post("/admin/audit-runs/", data={"csrf_token": csrf})

    assert started.status_code == 303
    run = await client.get(started.headers["location"])
    assert run.status_code == 200 and "全国审计" in run.text
    assert re.search(r"(排队中|运行中|已完成)", run.text)
    if "排队中" in run.text or "运行中" in run.text:
        assert '<meta http-equiv="refresh" content="2">' in run.text


async def test_the_audit_log_shows_a_waiver_and_links_the_exports(client, runtime, seeded):
    a, _, _ = seeded
    me = await _admin(client, runtime)
    finding = (await _findings(runtime, a.id))[0]
    path = f"/admin/findings/{encode('Finding', a.id, finding.id)}/waive"
    csrf = csrf_of((await client.get(path)).text)
    await client.post(path, data={"csrf_token": csrf, "reason": "记录在案", "confirm": "yes"})

    log = await client.get("/admin/audit-log/?action=finding.waive")

    assert log.status_code == 200
    assert "finding.waive" in log.text and "记录在案" in log.text
    assert f'href="/admin/users/{encode("User", me.id)}/"' in log.text  # who did it
    assert 'href="/exports/sites.xlsx"' in log.text and 'href="/exports/exits.xlsx"' in log.text


async def test_sites_are_searched_by_name(client, runtime, seeded):
    await _admin(client, runtime)
    async with runtime.database.transaction() as session:
        names = list(await session.scalars(select(Unit.name).order_by(Unit.id)))

    answer = await client.get("/admin/sites/", params={"q": names[0]})

    assert answer.status_code == 200
    assert names[0] in answer.text and names[1] not in answer.text


async def test_a_community_role_without_a_community_is_refused_beside_the_community(
    client, runtime, seeded
):
    await _admin(client, runtime)
    someone, _ = await make_user(runtime, "li@example.cn", display_name="李老师")
    page = f"/admin/users/{encode('User', someone.id)}/"
    csrf = csrf_of((await client.get(page)).text)

    refused = await client.post(page + "grant", data={"csrf_token": csrf, "role": "LEADER"})

    assert refused.status_code == 400
    assert _beside(refused.text, "community")
    assert "该用户还没有角色" in refused.text


async def test_an_expert_is_assigned_to_a_community(client, runtime, seeded):
    a, _, _ = seeded
    await _admin(client, runtime)
    expert, _ = await make_user(runtime, "qian@example.cn", ("EXPERT", None))
    page = f"/admin/users/{encode('User', expert.id)}/"
    csrf = csrf_of((await client.get(page)).text)

    none_chosen = await client.post(page + "assign", data={"csrf_token": csrf, "community": ""})
    assigned = await client.post(page + "assign", data={"csrf_token": csrf, "community": a.slug})

    assert none_chosen.status_code == 400
    assert _beside(none_chosen.text, "assign-community") == "请选择共同体"
    assert not _beside(none_chosen.text, "community")
    assert assigned.status_code == 303
    shown = (await client.get(assigned.headers["location"])).text
    roles = shown.split('id="roles"')[1].split("</section>")[0]
    assert "已指派该专家" in shown and "长三角县域老年教育共同体" in roles


async def test_an_applicant_who_registered_is_listed_and_can_be_granted_a_role(
    client, runtime, seeded
):
    registered = await client.post(
        "/graphql",
        json={
            "query": "mutation ($input: RegisterInput!) { register(input: $input) { errors { message } } }",
            "variables": {
                "input": {
                    "email": "sun@applicant.example.cn",
                    "password": "a-long-enough-passphrase",
                    "displayName": "孙申请人",
                }
            },
        },
    )
    assert registered.json()["data"]["register"]["errors"] == []
    await _admin(client, runtime)

    page = await client.get("/admin/users/")

    listed = page.text.split('id="accounts"')[1]
    assert "孙申请人" in listed and "sun@applicant.example.cn" in listed
    link = re.search(r'href="(/admin/users/[^"]+/)"', listed)
    assert link
    shown = await client.get(link.group(1))
    assert "孙申请人" in shown.text and "该用户还没有角色" in shown.text


async def test_the_programmes_own_findings_are_counted_listed_and_waived(client, runtime, seeded):
    async with runtime.database.transaction(all_communities=True) as session:
        session.add(
            ProgrammeFinding(
                rule="admission-evidence",
                article="7",
                severity=Severity.ERROR,
                status=FindingStatus.OPEN,
                subject="unit:9",
                period="",
                message_zh="某实验点缺少准入证明材料",
                message_en="a site lacks admission evidence",
                evidence=[],
                fingerprint="p",
                first_seen_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC),
                last_seen_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC),
            )
        )
    await _admin(client, runtime)

    dashboard = (await client.get("/admin/")).text
    listed = await client.get("/admin/findings/?community=programme")

    assert re.search(r"<dt>待整改问题</dt><dd>5</dd>", dashboard)
    assert _table(dashboard, "条款")["第7条"] == "1"
    assert "其中 1 个为项目层面的问题" in dashboard
    assert "共 1 条" in listed.text and "某实验点缺少准入证明材料" in listed.text
    link = re.search(r'href="(/admin/findings/[^"]+/waive)"', listed.text)
    assert link
    csrf = csrf_of((await client.get(link.group(1))).text)
    done = await client.post(
        link.group(1), data={"csrf_token": csrf, "reason": "材料已线下核验", "confirm": "yes"}
    )
    assert done.status_code == 303
    assert "共 0 条" in (await client.get("/admin/findings/?community=programme")).text


async def test_a_page_about_a_row_that_is_not_there_is_the_404_page(client, runtime, seeded):
    """An unknown id, or the id of another kind of row (a finding's for an invoice's page)."""
    a, _, _ = seeded
    await _admin(client, runtime)
    finding = encode("Finding", a.id, (await _findings(runtime, a.id))[0].id)
    community = encode("Community", a.id)
    for path in (
        f"/admin/findings/{encode('Finding', a.id, 987654)}/waive",
        f"/admin/findings/{community}/waive",
        f"/admin/users/{encode('User', 987654)}/",
        f"/admin/users/{finding}/",
        f"/admin/fees/{encode('Invoice', a.id, 987654)}/refund",
        f"/admin/fees/{finding}/refund",
        f"/admin/fees/{finding}/cancel",
    ):
        answer = await client.get(path)
        assert answer.status_code == 404, path
