"""The web pages over plain HTTP (httpx against the ASGI app, real PostgreSQL and Redis):
what a browser is told in headers and cookies, and what the HTML references."""

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from server.activities.models import Activity
from server.units.models import ExitRecord
from server.vocabulary import ActivityKind, ExitScope, Level, Region, SiteStatus
from tests.factories import PASSWORD, make_community, make_user
from tests.graphql import gql

pytestmark = pytest.mark.asyncio


class References(HTMLParser):
    """Every URL the page makes the browser load or go to: src, href, action."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action") and value is not None:
                self.urls.append(value)


def referenced(html: str) -> list[str]:
    parser = References()
    parser.feed(html)
    return parser.urls


def foreign(urls: list[str]) -> list[str]:
    """URLs naming a host, or a scheme other than a same-site path."""
    return [u for u in urls if urlsplit(u).netloc or urlsplit(u).scheme or u.startswith("//")]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form carries no CSRF field"
    return found.group(1)


@pytest.fixture
async def two(runtime):
    """Two communities: the Yangtze River Delta's with three units, the South-West's with four."""
    a, a_units = await make_community(runtime, "changsanjiao", size=3, name="长三角老年教育共同体")
    b, _ = await make_community(
        runtime,
        "xinan",
        size=4,
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="西南社区治理共同体",
    )
    return a, b, a_units


async def test_the_main_page_is_chinese_html_and_lists_the_communities(client, two):
    page = await client.get("/")

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-CN">' in page.text
    assert "长三角老年教育共同体" in page.text and "西南社区治理共同体" in page.text
    assert 'href="/c/changsanjiao/"' in page.text
    # The national figures: two communities, seven active sites in two provinces.
    assert "<dt>共同体</dt><dd>2</dd>" in page.text
    assert "<dt>在册实验点</dt><dd>7</dd>" in page.text
    assert "<dt>覆盖省份</dt><dd>2</dd>" in page.text


async def test_no_page_references_another_host(client, two):
    for path in ("/", "/c/changsanjiao/", "/login", "/c/nowhere/"):
        page = await client.get(path)
        urls = referenced(page.text)
        assert urls, path
        assert foreign(urls) == [], path
        assert "http://" not in page.text and "https://" not in page.text, path


async def test_graphiql_loads_its_files_from_gongxue_itself(client):
    page = await client.get("/graphql", headers={"Accept": "text/html"})

    assert page.status_code == 200
    urls = referenced(page.text)
    assert foreign(urls) == []
    scripts = [u for u in urls if u.endswith(".js")]
    assert len(scripts) == 4  # react, react-dom, graphiql, the page's start
    for url in urls:
        served = await client.get(url)
        assert served.status_code == 200, url
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "unpkg" not in page.text


async def test_a_static_file_is_named_by_its_content_and_kept_a_year(client):
    page = await client.get("/")
    stylesheet = next(u for u in referenced(page.text) if u.endswith(".css"))

    assert re.fullmatch(r"/static/gongxue\.[0-9a-f]{12}\.css", stylesheet)
    served = await client.get(stylesheet)
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["content-type"] == "text/css; charset=utf-8"
    assert (await client.get("/static/gongxue.000000000000.css")).status_code == 404
    assert (await client.get("/static/gongxue.css")).status_code == 404


async def test_an_anonymous_page_carries_an_etag_and_answers_304_when_unchanged(client, two):
    first = await client.get("/c/changsanjiao/")
    etag = first.headers["etag"]

    assert first.headers["cache-control"] == "public, max-age=60"
    again = await client.get("/c/changsanjiao/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = await client.get("/c/xinan/", headers={"If-None-Match": etag})
    assert other.status_code == 200


async def test_a_community_page_shows_its_profile_and_members(client, two):
    _, _, units = two
    page = await client.get("/c/changsanjiao/")

    assert page.status_code == 200
    assert "<h1>长三角老年教育共同体</h1>" in page.text
    assert "长三角" in page.text and "区县级" in page.text and "老年教育赋能提质" in page.text
    assert "2026年1月1日 至 2028年12月31日" in page.text  # a 3-year cycle (Art. 15)
    for unit in units:
        assert unit.name in page.text
    assert "组长单位" in page.text
    assert "西南社区治理共同体" not in page.text


async def test_an_unknown_community_is_a_chinese_404_page(client):
    page = await client.get("/c/no-such-community/")

    assert page.status_code == 404
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-CN">' in page.text
    assert "页面不存在" in page.text
    assert (await client.get("/c/" + "x" * 300 + "/")).status_code == 404
    nowhere = await client.get("/no/such/page")
    assert nowhere.status_code == 404 and "页面不存在" in nowhere.text


async def test_a_failing_page_is_a_chinese_500_page(client, monkeypatch):
    # A page whose document the schema refuses: a bug of the page, never the visitor's.
    monkeypatch.setattr("server.web.routes.document", lambda name: "{ nonsense }")
    page = await client.get("/")

    assert page.status_code == 500
    assert '<html lang="zh-CN">' in page.text
    assert "服务暂时不可用" in page.text


async def _signed_in(client, email="leader@example.cn", next_path="/", password=PASSWORD):
    form = await client.get(f"/login?next={next_path}")
    return await client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "next": next_path,
            "csrf_token": csrf_of(form.text),
        },
    )


async def test_signing_in_sets_an_httponly_lax_cookie_and_returns_to_next(client, runtime, two):
    a, _, _ = two
    await make_user(runtime, "leader@example.cn", ("LEADER", a.id), display_name="王组长")

    answer = await _signed_in(client, next_path="/c/changsanjiao/")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/c/changsanjiao/"
    session = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("gx_session="))
    flags = {f.strip().lower() for f in session.split(";")[1:]}
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags  # plain HTTP in development
    page = await client.get("/c/changsanjiao/")
    assert "王组长" in page.text
    assert "etag" not in page.headers
    assert page.headers["cache-control"] == "private, no-store"


async def test_the_cookies_are_secure_in_production_and_over_https(client, runtime, monkeypatch):
    await make_user(runtime, "leader@example.cn")
    signed_in = await client.post(
        "https://gongxue.test/login",
        data={
            "email": "leader@example.cn",
            "password": PASSWORD,
            "csrf_token": csrf_of((await client.get("https://gongxue.test/login")).text),
        },
    )
    for cookie in signed_in.headers.get_list("set-cookie"):
        assert "; secure" in cookie.lower(), cookie

    # Behind a proxy that ends TLS the request may look like plain HTTP: production says.
    monkeypatch.setattr(
        runtime, "settings", runtime.settings.model_copy(update={"env": "production"})
    )
    client.cookies.clear()
    form = await client.get("http://gongxue.test/login")
    assert "; secure" in form.headers["set-cookie"].lower()


async def test_a_wrong_password_is_shown_beside_the_field_and_signs_nobody_in(client, runtime):
    await make_user(runtime, "leader@example.cn")

    answer = await _signed_in(client, password="not-the-password")

    assert answer.status_code == 400
    assert "gx_session" not in answer.headers.get("set-cookie", "")
    field = re.search(r'<div class="field has-error">(.*?)</div>', answer.text, re.S)
    assert field is not None
    assert 'for="password"' in field.group(1)
    assert "邮箱或密码不正确" in field.group(1)
    assert 'aria-invalid="true"' in field.group(1)
    assert 'value="leader@example.cn"' in answer.text  # the email kept, never the password


async def test_next_never_leads_to_another_site(client, runtime):
    await make_user(runtime, "leader@example.cn")
    for target in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        client.cookies.clear()
        answer = await _signed_in(client, next_path=target)
        assert answer.status_code == 303, target
        assert answer.headers["location"] == "/", target


async def test_a_post_without_the_csrf_token_is_refused(client, runtime):
    await make_user(runtime, "leader@example.cn")
    await client.get("/login")  # the browser holds its CSRF cookie

    missing = await client.post("/login", data={"email": "leader@example.cn", "password": PASSWORD})
    forged = await client.post(
        "/login",
        data={"email": "leader@example.cn", "password": PASSWORD, "csrf_token": "forged"},
    )

    for answer in (missing, forged):
        assert answer.status_code == 403
        assert "请求未通过安全校验" in answer.text
        assert "gx_session" not in answer.headers.get("set-cookie", "")
    signed_in = await _signed_in(client)
    logout_without = await client.post("/logout", data={})
    assert logout_without.status_code == 403
    assert "gx_session" in client.cookies
    assert signed_in.status_code == 303


async def test_a_post_from_another_site_is_refused_even_with_the_token(client, runtime):
    await make_user(runtime, "leader@example.cn")
    form = await client.get("/login")
    answer = await client.post(
        "/login",
        data={"email": "leader@example.cn", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403


ME = {"query": "{ me { displayName } }"}


async def test_the_session_cookie_does_not_sign_in_to_the_api(client, runtime):
    await make_user(runtime, "leader@example.cn", display_name="王组长")
    await _signed_in(client)
    assert "gx_session" in client.cookies

    answer = await client.post("/graphql", json=ME)

    assert answer.json() == {"data": {"me": None}}


async def test_signing_out_revokes_the_session(client, runtime):
    await make_user(runtime, "leader@example.cn", display_name="王组长")
    await _signed_in(client)
    token = client.cookies["gx_session"]
    page = await client.get("/")
    assert "王组长" in page.text

    answer = await client.post("/logout", data={"csrf_token": csrf_of(page.text)})

    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert "gx_session" not in client.cookies
    api = await client.post("/graphql", json=ME, headers={"Authorization": f"Bearer {token}"})
    assert api.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    client.cookies.set("gx_session", token)  # a copy kept by whoever stole it
    assert "王组长" not in (await client.get("/")).text


async def test_activities_show_to_a_member_and_never_to_the_public(client, runtime, two):
    a, b, _ = two
    async with runtime.database.transaction(a.id) as session:
        session.add(
            Activity(
                community_id=a.id,
                kind=ActivityKind.SEMINAR,
                title="长三角老年教育研讨会",
                held_on=dt.date(2026, 3, 12),
                expected_count=3,
            )
        )
    await make_user(runtime, "leader@example.cn", ("LEADER", a.id))
    await make_user(runtime, "other@example.cn", ("LEADER", b.id))

    anonymous = await client.get("/c/changsanjiao/")
    await _signed_in(client, email="other@example.cn")
    other = await client.get("/c/changsanjiao/")
    client.cookies.clear()
    await _signed_in(client)
    member = await client.get("/c/changsanjiao/")

    assert "长三角老年教育研讨会" not in anonymous.text
    assert "长三角老年教育研讨会" not in other.text
    assert "长三角老年教育研讨会" in member.text
    assert "2026年3月12日" in member.text


async def test_pages_stay_in_chinese_whatever_the_browser_prefers(client, two):
    page = await client.get("/c/changsanjiao/", headers={"Accept-Language": "en"})

    assert "区县级" in page.text and "County" not in page.text


async def test_the_exit_list_shows_the_latest_exit_first(client, runtime, two):
    # The published exit list (Art. 8(2), 12) leads with who left last; the API pages it
    # the same way with `newestFirst`.
    community, units = await make_community(runtime, "leavers", size=3)
    names = ["最早退出学院", "其次退出学院", "最近退出学院"]
    async with runtime.database.transaction(all_communities=True) as session:
        for month, (unit, name) in enumerate(zip(units, names, strict=True), start=3):
            (await session.merge(unit)).name = name
            session.add(
                ExitRecord(
                    unit_id=unit.id,
                    community_id=community.id,
                    scope=ExitScope.COMMUNITY,
                    kind=SiteStatus.AUTO_EXITED,
                    exited_on=dt.date(2026, month, 1),
                    reason="连续两次无故缺席",
                    evidence=[],
                )
            )
            await session.flush()

    page = (await client.get("/")).text
    listed = page[page.index('id="exits"') :]

    assert (
        listed.index("最近退出学院") < listed.index("其次退出学院") < listed.index("最早退出学院")
    )
    query = """query ($after: String) { exits(newestFirst: true, first: 2, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { unit { name } } } } }"""
    first = (await gql(client, query, {"after": None}))["data"]["exits"]
    rest = (await gql(client, query, {"after": first["pageInfo"]["endCursor"]}))["data"]["exits"]
    assert [e["node"]["unit"]["name"] for e in first["edges"]] == names[:0:-1]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["unit"]["name"] for e in rest["edges"]] == names[:1]
    assert rest["pageInfo"]["hasNextPage"] is False
