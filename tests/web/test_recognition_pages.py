"""Recognitions on the web (Art. 6(5)): the project group's `/admin/recognitions/` (grant,
refusals beside their fields, revoke once confirmed, the download), the certificate PDF for
its holders (Chinese text in an embedded CJK font, its number), the public verification page,
and the honours a sub-platform and the main platform show."""

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from schema.core.ids import encode
from server.clock import today
from server.recognition.models import Recognition
from tests.factories import make_community, make_units, make_user
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio

THIS_YEAR = today().year
HOLDER = "长三角社区老年教育共同体"


@pytest.fixture
async def seeded(runtime):
    a, a_units = await make_community(runtime, "yrd-honoured", name=HOLDER)
    b, _ = await make_community(runtime, "yrd-other", name="成渝社区治理共同体")
    sites = await make_units(runtime, 6)
    return a, b, a_units, sites


async def _as(client, runtime, email, *grants, unit_id=None):
    _, token = await make_user(runtime, email, *grants, unit_id=unit_id)
    client.cookies.set("gx_session", token)


async def _grant(client, **fields) -> tuple[int, str]:
    form = (await client.get("/admin/recognitions/")).text
    answer = await client.post(
        "/admin/recognitions/",
        data={"csrf_token": csrf_of(form), "year": str(THIS_YEAR), **fields},
    )
    return answer.status_code, answer.text


async def _count(runtime) -> int:
    async with runtime.database.transaction(all_communities=True) as session:
        return int(await session.scalar(select(func.count()).select_from(Recognition)) or 0)


def _beside(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', html)
    return found.group(1) if found else ""


def _plain(pdf: bytes) -> str:
    # pypdf reads this CID font's two-byte codes with a NUL before each character.
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"[\s\x00]+", "", text)


def _embedded_fonts(pdf: bytes) -> list[str]:
    """The names of the fonts whose program is inside the file (a subset: `ABCDEF+Name`)."""
    names = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.append(str(descriptor["/FontName"]))
    return names


async def test_the_project_group_grants_and_the_holder_downloads_its_certificate(
    client, runtime, seeded
):
    a, b, _, _ = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))

    status, _ = await _grant(
        client, kind="MODEL_COMMUNITY", community=a.slug, citation="协同推进老年教育成效显著"
    )
    listed = (await client.get("/admin/recognitions/")).text
    number = f"GX-{THIS_YEAR}-0001"

    assert status == 303 or status == 200
    assert number in listed and "示范共同体" in listed
    pdf = await client.get(f"/certificates/{number}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = _plain(pdf.content)
    assert HOLDER in text and number in text and "示范共同体" in text
    assert f"/verify/{number}" in text
    (font,) = _embedded_fonts(pdf.content)
    assert re.fullmatch(r"/[A-Z]{6}\+NotoSansCJK.*", font), font  # embedded, as a subset

    # The community's leader prints it too; another community's leader and a member do not.
    await _as(client, runtime, "leader-a@example.cn", ("LEADER", a.id))
    assert (await client.get(f"/certificates/{number}.pdf")).status_code == 200
    await _as(client, runtime, "member-a@example.cn", ("MEMBER", a.id))
    assert (await client.get(f"/certificates/{number}.pdf")).status_code == 403
    await _as(client, runtime, "leader-b@example.cn", ("LEADER", b.id))
    refused = await client.get(f"/certificates/{number}.pdf")
    assert refused.status_code == 403 and f"/verify/{number}" in refused.text
    client.cookies.clear()
    anonymous = await client.get(f"/certificates/{number}.pdf")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next=/certificates/{number}.pdf"
    assert (await client.get(f"/certificates/GX-{THIS_YEAR}-9999.pdf")).status_code == 404


async def test_a_units_staff_print_its_certificate(client, runtime, seeded):
    _, _, _, sites = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    await _grant(client, kind="FEATURED_UNIT", unitId=encode("Unit", sites[0].id))
    number = f"GX-{THIS_YEAR}-0001"

    await _as(client, runtime, "staff@example.cn", unit_id=sites[0].id)
    mine = await client.get(f"/certificates/{number}.pdf")
    await _as(client, runtime, "staff2@example.cn", unit_id=sites[1].id)
    theirs = await client.get(f"/certificates/{number}.pdf")

    assert mine.status_code == 200 and sites[0].name in _plain(mine.content)
    assert theirs.status_code == 403


async def test_anyone_verifies_a_certificate_and_sees_when_it_was_revoked(client, runtime, seeded):
    a, _, _, _ = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    await _grant(client, kind="MODEL_COMMUNITY", community=a.slug)
    number = f"GX-{THIS_YEAR}-0001"
    client.cookies.clear()

    page = await client.get(f"/verify/{number}")

    assert page.status_code == 200
    assert "证书有效" in page.text and HOLDER in page.text and "示范共同体" in page.text
    assert f"{THIS_YEAR} 年" in page.text
    assert (await client.get("/verify/GX-1999-0001")).status_code == 404
    assert "页面不存在" in (await client.get("/verify/GX-1999-0001")).text

    await _as(client, runtime, "pg2@example.cn", ("PROJECT_GROUP", None))
    async with runtime.database.transaction(all_communities=True) as session:
        made = await session.scalar(select(Recognition.id))
    path = f"/admin/recognitions/{encode('Recognition', made)}/revoke"
    form = (await client.get(path)).text
    unconfirmed = await client.post(path, data={"csrf_token": csrf_of(form), "reason": "录入错误"})
    assert unconfirmed.status_code == 400 and _beside(unconfirmed.text, "confirm")
    done = await client.post(
        path, data={"csrf_token": csrf_of(form), "reason": "录入错误", "confirm": "yes"}
    )
    assert done.status_code == 303
    client.cookies.clear()

    revoked = await client.get(f"/verify/{number}")
    assert "该证书已撤销" in revoked.text
    assert f"{today().year}年{today().month}月{today().day}日" in revoked.text


async def test_a_sixth_national_brand_is_refused_beside_its_field(client, runtime, seeded):
    _, _, _, sites = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    for site in sites[:5]:
        assert (await _grant(client, kind="NATIONAL_BRAND", unitId=encode("Unit", site.id)))[
            0
        ] == 303
    before = await _count(runtime)

    status, html = await _grant(client, kind="NATIONAL_BRAND", unitId=encode("Unit", sites[5].id))

    assert status == 400
    assert "每年至多 5 个" in _beside(html, "kind")
    assert await _count(runtime) == before


async def test_a_holder_of_the_wrong_sort_is_refused_beside_its_field(client, runtime, seeded):
    a, _, _, _ = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))

    status, html = await _grant(client, kind="MODEL_UNIT", community=a.slug)

    assert status == 400
    assert _beside(html, "community") == "项目示范单位授予单位，不填共同体"
    assert await _count(runtime) == 0


async def test_only_the_project_group_opens_the_recognitions_workspace(client, runtime, seeded):
    a, _, _, _ = seeded
    assert (await client.get("/admin/recognitions/")).status_code == 303
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    assert (await client.get("/admin/recognitions/")).status_code == 403
    assert (await client.get("/admin/recognitions/export.xlsx")).status_code == 403


async def test_the_download_holds_the_list(client, runtime, seeded):
    a, _, _, sites = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    await _grant(client, kind="MODEL_COMMUNITY", community=a.slug)
    await _grant(
        client, kind="NATIONAL_BRAND", unitId=encode("Unit", sites[0].id), holderName="银龄学习团队"
    )

    answer = await client.get("/admin/recognitions/export.xlsx?kind=NATIONAL_BRAND")

    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["证书编号", "获得者", "所属单位或共同体", "荣誉类别"]
    assert [r[:4] for r in rows[1:]] == [
        [f"GX-{THIS_YEAR}-0002", "银龄学习团队", sites[0].name, "全国终身学习特色品牌"]
    ]


async def test_the_sub_platform_and_the_main_platform_show_the_honours(client, runtime, seeded):
    a, _, _, sites = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    await _grant(client, kind="MODEL_COMMUNITY", community=a.slug)
    await _grant(
        client, kind="NATIONAL_BRAND", unitId=encode("Unit", sites[0].id), holderName="银龄学习团队"
    )
    client.cookies.clear()

    community = (await client.get(f"/c/{a.slug}/")).text
    home = (await client.get("/")).text

    assert "荣誉" in community and "示范共同体" in community
    assert f'href="/verify/GX-{THIS_YEAR}-0001"' in community
    assert "银龄学习团队" in home and f'href="/verify/GX-{THIS_YEAR}-0002"' in home
