"""Recognitions in Debian's chromium (Art. 6(5)): the project group grants a demonstration
community and downloads its certificate (a PDF); an anonymous visitor opens the verification
page; a sixth national brand of the year is refused beside the kind it names."""

import re

import httpx
import pytest

from schema.core.ids import encode
from server.clock import today
from tests.factories import make_community, make_units
from tests.web.test_admin_in_browser import _project_group, _serious_violations, _sign_in

pytestmark = pytest.mark.asyncio

HOLDER = "长三角社区老年教育示范共同体"


async def test_the_project_group_grants_a_model_community_and_anyone_verifies_it(
    runtime, server, visit
):
    community, _ = await make_community(runtime, "yrd-honour-journey", name=HOLDER)
    sites = await make_units(runtime, 6)
    await _project_group(runtime, server, "pg@honours.example.cn")
    year = today().year
    number = f"GX-{year}-0001"

    tab = await visit()
    await _sign_in(tab, "/admin/recognitions/", "pg@honours.example.cn")
    await tab.page.select_option("#kind", "MODEL_COMMUNITY")
    await tab.page.select_option("#community", community.slug)
    await tab.page.fill("#citation", "协同推进社区老年教育，成效显著")
    await tab.page.click("button:has-text('颁发并生成证书')")
    await tab.page.wait_for_url(re.compile(r".*/admin/recognitions/\?done=recognised$"))
    assert "已颁发" in await tab.page.inner_text(".notice-banner")
    assert number in await tab.page.inner_text("table")

    # The certificate downloads as a PDF with the holder's name and its number.
    async with tab.page.expect_download() as downloading:
        await tab.page.click(f"table >> text=下载证书（{number}）")
    download = await downloading.value
    printed = await tab.page.request.get(f"{server}/certificates/{number}.pdf")
    assert (await printed.body())[:5] == b"%PDF-"  # the same file, by the same session
    assert download.suggested_filename == f"{number}.pdf"
    assert await _serious_violations(tab) == []

    # Five national brands this year; the sixth is refused beside the kind, with Art. 6(5)'s 5.
    for site in sites[:5]:
        await tab.page.select_option("#kind", "NATIONAL_BRAND")
        await tab.page.select_option("#unitId", encode("Unit", site.id))
        await tab.page.click("button:has-text('颁发并生成证书')")
        await tab.page.wait_for_url(re.compile(r".*\?done=recognised$"))
    await tab.page.select_option("#kind", "NATIONAL_BRAND")
    await tab.page.select_option("#unitId", encode("Unit", sites[5].id))
    await tab.page.fill("#holderName", "银龄学习团队")
    await tab.page.click("button:has-text('颁发并生成证书')")
    assert "每年至多 5 个" in await tab.page.inner_text("#kind-error")
    assert await tab.page.get_attribute("#kind", "aria-invalid") == "true"
    assert await tab.page.input_value("#holderName") == "银龄学习团队"  # kept for a retry

    # Anyone, signed in or not, verifies the certificate.
    anonymous = await visit()
    await anonymous.page.goto(f"{server}/verify/{number}")
    assert "证书有效" in await anonymous.page.inner_text("main")
    facts = await anonymous.page.inner_text(".facts")
    assert HOLDER in facts and "示范共同体" in facts and f"{year} 年" in facts
    assert anonymous.foreign() == [] and anonymous.errors == []
    assert await _serious_violations(anonymous) == []
    # ... but only its holders download it: the anonymous visitor is sent to sign in.
    async with httpx.AsyncClient(base_url=server) as client:
        sent = await client.get(f"/certificates/{number}.pdf")
    assert sent.status_code == 303 and sent.headers["location"].startswith("/login?next=")
