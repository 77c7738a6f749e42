"""Admission over HTTP (Art. 7, 8(1)): an applicant registers, answers an open call with the
seven conditions and their evidence files, and follows the application to its plaque; the
project group opens calls, reviews (a rejection says why), and publishes the list behind a
confirmation. Who may open which page, and a refusal shown beside its field with nothing
kept."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from schema.core.ids import encode
from server.admission.models import Application, ApplicationCall, ApplicationCondition
from server.clock import today
from server.uploads.models import Upload
from server.vocabulary import AdmissionCondition, ApplicationStatus
from tests.factories import PASSWORD, make_user
from tests.files import pdf
from tests.web.test_pages_over_http import csrf_of

pytestmark = pytest.mark.asyncio

CONDITIONS = list(AdmissionCondition)


async def _as(client, runtime, email, *grants):
    user, token = await make_user(runtime, email, *grants)
    client.cookies.set("gx_session", token)
    return user


async def _csrf(client, path="/login") -> str:
    return csrf_of((await client.get(path)).text)


async def _call(runtime, *, open_now: bool = True, title="2026年度项目实验点申报通知") -> str:
    """A call, open today (Beijing) or closed since yesterday; its global id."""
    day = today()
    opens, closes = (
        (day - dt.timedelta(days=1), day + dt.timedelta(days=30))
        if open_now
        else (day - dt.timedelta(days=30), day - dt.timedelta(days=1))
    )
    async with runtime.database.transaction() as session:
        call = ApplicationCall(title=title, year=2026, opens_on=opens, closes_on=closes)
        session.add(call)
        await session.flush()
        return encode("ApplicationCall", call.id)


def _application_form(csrf: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": csrf,
        "name": "杭州市西湖区社区学院",
        "level": "COUNTY",
        "divisionCode": "330106",
        "address": "杭州市西湖区文三路 100 号",
        "responsiblePerson": "陈老师",
        "projectTeam": "陈老师 组长\n李老师 联络员",
    }
    for c in CONDITIONS:
        form[f"evidence-{c.value}"] = f"本单位{c.zh}的情况说明"
    form.update(changes)
    return form


async def _applications(runtime) -> list[Application]:
    async with runtime.database.transaction() as session:
        return list(await session.scalars(select(Application).order_by(Application.id)))


async def _uploads(runtime) -> int:
    async with runtime.database.transaction(all_communities=True) as session:
        return int(await session.scalar(select(func.count()).select_from(Upload)) or 0)


async def _submitted(client, runtime, call_id: str, email="apply@xihu.example.cn") -> str:
    """An applicant's application to `call_id`, submitted through the form; its page."""
    await _as(client, runtime, email)
    csrf = await _csrf(client, f"/apply/calls/{call_id}/")
    answer = await client.post(f"/apply/calls/{call_id}/", data=_application_form(csrf))
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("?")[0]


# -- who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/apply/", "/admin/calls/"])
async def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(client, path):
    answer = await client.get(path)

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path}"


async def test_an_applicant_gets_403_on_the_project_groups_pages(client, runtime):
    call_id = await _call(runtime)
    await _as(client, runtime, "apply@xihu.example.cn")
    csrf = await _csrf(client, "/apply/")

    pages = [
        await client.get("/admin/calls/"),
        await client.get(f"/admin/calls/{call_id}/"),
        await client.get(f"/admin/calls/{call_id}/publish"),
    ]
    opened = await client.post(
        "/admin/calls/",
        data={
            "csrf_token": csrf,
            "title": "冒充的通知",
            "year": "2026",
            "opensOn": "2026-01-01",
            "closesOn": "2026-12-31",
        },
    )

    assert [p.status_code for p in pages] == [403, 403, 403]
    assert "您没有审核申报的权限" in pages[0].text
    assert opened.status_code == 403
    async with runtime.database.transaction() as session:
        titles = list(await session.scalars(select(ApplicationCall.title)))
    assert titles == ["2026年度项目实验点申报通知"]


async def test_an_applicant_cannot_open_another_applicants_application(client, runtime):
    call_id = await _call(runtime)
    page = await _submitted(client, runtime, call_id)

    await _as(client, runtime, "other@example.cn")
    answer = await client.get(page)

    assert answer.status_code == 404
    assert "杭州市西湖区社区学院" not in answer.text


# -- the applicant ----------------------------------------------------------------------------


async def test_registering_refuses_a_weak_password_beside_it_then_signs_in_to_apply(
    client, runtime
):
    csrf = await _csrf(client, "/apply/register")
    form = {"csrf_token": csrf, "email": "new@xihu.example.cn", "displayName": "陈老师"}

    weak = await client.post(
        "/apply/register", data=form | {"password": "123", "passwordAgain": "123"}
    )
    mismatched = await client.post(
        "/apply/register", data=form | {"password": PASSWORD, "passwordAgain": PASSWORD + "x"}
    )
    done = await client.post(
        "/apply/register", data=form | {"password": PASSWORD, "passwordAgain": PASSWORD}
    )

    assert weak.status_code == 400
    assert re.search(r'id="password-error">密码至少需要 10 个字符<', weak.text)
    assert 'value="new@xihu.example.cn"' in weak.text  # kept, the password not
    assert mismatched.status_code == 400
    assert 'id="passwordAgain-error">两次输入的密码不一致<' in mismatched.text
    assert done.status_code == 303 and done.headers["location"] == "/apply/registered"
    registered = await client.get("/apply/registered")
    assert "注册已完成" in registered.text
    signed_in = await client.post(
        "/login",
        data={
            "csrf_token": csrf_of(registered.text),
            "next": "/apply/",
            "email": "new@xihu.example.cn",
            "password": PASSWORD,
        },
    )
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/apply/"
    home = await client.get("/apply/")
    assert home.status_code == 200 and "陈老师" in home.text


async def test_the_home_lists_the_open_calls_only(client, runtime):
    open_id = await _call(runtime, title="2026年度申报通知")
    closed_id = await _call(runtime, open_now=False, title="2025年度申报通知")
    await _as(client, runtime, "apply@xihu.example.cn")

    home = await client.get("/apply/")

    assert f'href="/apply/calls/{open_id}/"' in home.text
    assert f'href="/apply/calls/{closed_id}/"' not in home.text
    assert "还没有提交申报" in home.text
    closed = await client.get(f"/apply/calls/{closed_id}/")
    assert "本通知现不在申报期内" in closed.text and "提交申报</button>" not in closed.text


async def test_an_application_with_an_evidence_file_is_kept_with_all_seven_conditions(
    client, runtime
):
    call_id = await _call(runtime)
    applicant = await _as(client, runtime, "apply@xihu.example.cn")
    csrf = await _csrf(client, f"/apply/calls/{call_id}/")
    form = await client.get(f"/apply/calls/{call_id}/")
    assert all(f'id="evidence-{c.value}"' in form.text for c in CONDITIONS)

    answer = await client.post(
        f"/apply/calls/{call_id}/",
        data=_application_form(csrf),
        files={"file-AUTHORITY_CONSENT": ("教育局同意函.pdf", pdf(), "application/pdf")},
    )

    assert answer.status_code == 303
    assert re.fullmatch(r"/apply/applications/[\w-]+/\?done=submitted", answer.headers["location"])
    (application,) = await _applications(runtime)
    assert application.applicant_user_id == applicant.id
    assert application.unit_name == "杭州市西湖区社区学院"
    assert application.province == "33"
    async with runtime.database.transaction() as session:
        answers = list(
            await session.scalars(
                select(ApplicationCondition).where(
                    ApplicationCondition.application_id == application.id
                )
            )
        )
    assert sorted(a.condition for a in answers) == sorted(CONDITIONS)
    with_file = [a.condition for a in answers if a.upload_id is not None]
    assert with_file == [AdmissionCondition.AUTHORITY_CONSENT]
    page = await client.get(answer.headers["location"])
    assert "申报已提交" in page.text and "已提交" in page.text
    assert "教育局同意函.pdf" in page.text and "浙江省" in page.text
    download = re.search(r'href="(/uploads/[^"]+)">教育局同意函\.pdf', page.text)
    assert download is not None
    assert (await client.get(download.group(1))).content == pdf()
    home = await client.get("/apply/")
    assert "杭州市西湖区社区学院" in home.text and "名单公布后授予" in home.text


async def test_a_condition_without_evidence_is_refused_beside_it_and_nothing_is_kept(
    client, runtime
):
    call_id = await _call(runtime)
    await _as(client, runtime, "apply@xihu.example.cn")
    csrf = await _csrf(client, f"/apply/calls/{call_id}/")

    answer = await client.post(
        f"/apply/calls/{call_id}/",
        data=_application_form(csrf, **{"evidence-AREA_MOBILISATION": "  "}),
        files={"file-WILLINGNESS": ("合作意向书.pdf", pdf(), "application/pdf")},
    )

    assert answer.status_code == 400
    assert re.search(
        r'id="evidence-AREA_MOBILISATION-error">“发动全域参与”须附证明材料说明<', answer.text
    )
    assert 'href="#evidence-AREA_MOBILISATION"' in answer.text  # the summary links to it
    assert "杭州市西湖区社区学院" in answer.text  # what was typed is kept on the page
    assert await _applications(runtime) == []
    # The file already kept is offered again, not chosen again: the corrected form names it.
    assert "已上传：合作意向书.pdf" in answer.text
    kept = re.search(r'name="kept-file-WILLINGNESS" value="([^"]+)"', answer.text)
    assert kept is not None
    fixed = _application_form(csrf) | {
        "kept-file-WILLINGNESS": kept.group(1),
        "kept-name-file-WILLINGNESS": "合作意向书.pdf",
    }
    again = await client.post(f"/apply/calls/{call_id}/", data=fixed)
    assert again.status_code == 303
    assert await _uploads(runtime) == 1
    page = await client.get(again.headers["location"])
    assert "合作意向书.pdf" in page.text


async def test_a_file_kept_for_another_user_is_not_named_by_a_form(client, runtime):
    call_id = await _call(runtime)
    await _as(client, runtime, "apply@xihu.example.cn")
    csrf = await _csrf(client, f"/apply/calls/{call_id}/")
    refused = await client.post(
        f"/apply/calls/{call_id}/",
        data=_application_form(csrf, name=""),
        files={"file-WILLINGNESS": ("合作意向书.pdf", pdf(), "application/pdf")},
    )
    kept = re.search(r'name="kept-file-WILLINGNESS" value="([^"]+)"', refused.text)
    assert kept is not None

    await _as(client, runtime, "intruder@example.cn")
    csrf = await _csrf(client, f"/apply/calls/{call_id}/")
    answer = await client.post(
        f"/apply/calls/{call_id}/",
        data=_application_form(csrf, **{"kept-file-WILLINGNESS": kept.group(1)}),
    )

    assert answer.status_code == 400
    assert 'id="file-WILLINGNESS-error">附件不存在<' in answer.text
    assert await _applications(runtime) == []


async def test_a_file_that_is_not_a_document_is_refused_beside_its_field(client, runtime):
    call_id = await _call(runtime)
    await _as(client, runtime, "apply@xihu.example.cn")
    csrf = await _csrf(client, f"/apply/calls/{call_id}/")

    answer = await client.post(
        f"/apply/calls/{call_id}/",
        data=_application_form(csrf),
        files={
            "file-WILLINGNESS": ("合作意向书.pdf", pdf(), "application/pdf"),
            "file-ACCEPTS_RULES": ("规章.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"),
        },
    )

    assert answer.status_code == 400
    assert 'id="file-ACCEPTS_RULES-error"' in answer.text
    assert 'id="file-WILLINGNESS-error"' not in answer.text
    assert await _applications(runtime) == []
    assert await _uploads(runtime) == 0


async def test_a_division_code_that_does_not_fit_the_level_is_refused_beside_it(client, runtime):
    call_id = await _call(runtime)
    await _as(client, runtime, "apply@xihu.example.cn")
    csrf = await _csrf(client, f"/apply/calls/{call_id}/")

    answer = await client.post(
        f"/apply/calls/{call_id}/", data=_application_form(csrf, level="TOWNSHIP")
    )

    assert answer.status_code == 400
    assert re.search(r'id="divisionCode-error">行政区划代码 330106 与街镇级单位不符', answer.text)
    assert '<option value="TOWNSHIP" selected>' in answer.text
    assert await _applications(runtime) == []


async def test_a_closed_call_refuses_an_application(client, runtime):
    call_id = await _call(runtime, open_now=False)
    await _as(client, runtime, "apply@xihu.example.cn")
    csrf = await _csrf(client, "/apply/")

    answer = await client.post(f"/apply/calls/{call_id}/", data=_application_form(csrf))

    assert answer.status_code == 400
    assert "现不在申报期内" in answer.text
    assert await _applications(runtime) == []


async def test_an_application_form_without_the_csrf_value_is_refused(client, runtime):
    call_id = await _call(runtime)
    await _as(client, runtime, "apply@xihu.example.cn")

    answer = await client.post(f"/apply/calls/{call_id}/", data=_application_form("forged"))

    assert answer.status_code == 403
    assert await _applications(runtime) == []


# -- the project group ------------------------------------------------------------------------


async def test_the_project_group_opens_a_call_and_a_misdated_one_is_refused_beside_its_field(
    client, runtime
):
    await _as(client, runtime, "pg@caea.example.cn", ("PROJECT_GROUP", None))
    csrf = await _csrf(client, "/admin/calls/")
    form = {"csrf_token": csrf, "title": "2027年度项目实验点申报通知", "year": "2027"}

    misdated = await client.post(
        "/admin/calls/", data=form | {"opensOn": "2027-03-01", "closesOn": "2027-02-01"}
    )
    no_date = await client.post("/admin/calls/", data=form | {"opensOn": "", "closesOn": ""})
    opened = await client.post(
        "/admin/calls/", data=form | {"opensOn": "2027-03-01", "closesOn": "2027-04-30"}
    )

    assert misdated.status_code == 400
    assert 'id="closesOn-error">截止日期不能早于开始日期<' in misdated.text
    assert 'value="2027年度项目实验点申报通知"' in misdated.text
    assert no_date.status_code == 400 and 'id="opensOn-error"' in no_date.text
    assert opened.status_code == 303
    assert opened.headers["location"].endswith("/?done=opened")
    page = await client.get(opened.headers["location"])
    assert "申报通知已发布" in page.text and "2027年3月1日 至 2027年4月30日" in page.text
    listing = await client.get("/admin/calls/")
    assert listing.text.count("2027年度项目实验点申报通知") == 1


async def test_a_rejection_without_a_reason_is_refused_beside_the_reason(client, runtime):
    call_id = await _call(runtime)
    page = await _submitted(client, runtime, call_id)
    application_id = page.split("/")[-2]
    await _as(client, runtime, "pg@caea.example.cn", ("PROJECT_GROUP", None))
    review = f"/admin/calls/{call_id}/applications/{application_id}/"
    csrf = await _csrf(client, review)
    listed = await client.get(f"/admin/calls/{call_id}/")
    assert f'href="{review}"' in listed.text

    refused = await client.post(
        review + "review", data={"csrf_token": csrf, "decision": "REJECT", "reason": " "}
    )
    undecided = await client.post(review + "review", data={"csrf_token": csrf, "reason": ""})

    assert refused.status_code == 400
    assert 'id="reason-error">不通过须写明理由<' in refused.text
    assert 'value="REJECT" checked' in refused.text
    assert undecided.status_code == 400 and 'id="decision-error">请选择审核结论<' in undecided.text
    (application,) = await _applications(runtime)
    assert application.status is ApplicationStatus.SUBMITTED

    rejected = await client.post(
        review + "review",
        data={"csrf_token": csrf, "decision": "REJECT", "reason": "未附教育主管部门同意函"},
    )
    assert rejected.status_code == 303 and rejected.headers["location"].endswith("?done=rejected")
    (application,) = await _applications(runtime)
    assert application.status is ApplicationStatus.REJECTED


async def test_the_applicant_reads_the_reason_of_a_rejection(client, runtime):
    call_id = await _call(runtime)
    page = await _submitted(client, runtime, call_id)
    applicant_cookie = client.cookies.get("gx_session")
    application_id = page.split("/")[-2]
    await _as(client, runtime, "pg@caea.example.cn", ("PROJECT_GROUP", None))
    review = f"/admin/calls/{call_id}/applications/{application_id}/review"
    csrf = await _csrf(client, "/admin/calls/")
    await client.post(
        review, data={"csrf_token": csrf, "decision": "REJECT", "reason": "未附教育主管部门同意函"}
    )

    client.cookies.set("gx_session", applicant_cookie)
    mine = await client.get(page)

    assert "申报未通过" in mine.text and "未附教育主管部门同意函" in mine.text


async def test_approved_then_published_behind_a_confirmation_the_plaque_shows(client, runtime):
    call_id = await _call(runtime)
    page = await _submitted(client, runtime, call_id)
    applicant_cookie = client.cookies.get("gx_session")
    application_id = page.split("/")[-2]
    await _as(client, runtime, "pg@caea.example.cn", ("PROJECT_GROUP", None))
    base = f"/admin/calls/{call_id}/"
    csrf = await _csrf(client, base)
    approved = await client.post(
        f"{base}applications/{application_id}/review",
        data={"csrf_token": csrf, "decision": "APPROVE", "reason": ""},
    )
    assert approved.status_code == 303
    assert "该申报已审核通过" in (await client.get(approved.headers["location"])).text

    confirm = await client.get(f"{base}publish")
    unconfirmed = await client.post(f"{base}publish", data={"csrf_token": csrf})

    assert "杭州市西湖区社区学院" in confirm.text and "不能撤回" in confirm.text
    assert unconfirmed.status_code == 400
    assert 'id="confirm-error">请勾选确认后再公布' in unconfirmed.text
    (application,) = await _applications(runtime)
    assert application.status is ApplicationStatus.APPROVED

    published = await client.post(f"{base}publish", data={"csrf_token": csrf, "confirm": "yes"})

    assert published.status_code == 303
    assert published.headers["location"] == f"{base}?done=published#applications"
    listing = await client.get(f"{base}")
    assert "实验点名单已公布" not in listing.text  # the sentence is the redirect's only
    assert re.search(r'class="mono plaque">LLC-2026-\d{4}<', listing.text)
    plaque = re.search(r"LLC-2026-\d{4}", listing.text)
    assert plaque is not None
    (application,) = await _applications(runtime)
    assert application.status is ApplicationStatus.PUBLISHED

    client.cookies.set("gx_session", applicant_cookie)
    home = await client.get("/apply/")
    mine = await client.get(page)
    assert plaque.group(0) in home.text
    assert "本单位已列入项目实验点名单" in mine.text and plaque.group(0) in mine.text


async def test_an_application_is_not_reviewed_under_another_calls_address(client, runtime):
    call_id = await _call(runtime)
    other_call = await _call(runtime, title="另一批次")
    page = await _submitted(client, runtime, call_id)
    application_id = page.split("/")[-2]
    await _as(client, runtime, "pg@caea.example.cn", ("PROJECT_GROUP", None))

    answer = await client.get(f"/admin/calls/{other_call}/applications/{application_id}/")

    assert answer.status_code == 404


async def test_an_address_naming_no_call_or_application_is_not_found(client, runtime):
    call_id = await _call(runtime)
    page = await _submitted(client, runtime, call_id)
    application_id = page.split("/")[-2]
    await _as(client, runtime, "pg@caea.example.cn", ("PROJECT_GROUP", None))

    answers = [
        await client.get("/apply/calls/not-an-id/"),
        await client.get(f"/apply/calls/{application_id}/"),  # an application is no call
        await client.get(f"/apply/applications/{call_id}/"),
        await client.get(f"/admin/calls/{application_id}/"),
        await client.get(f"/admin/calls/{call_id}/applications/{call_id}/"),
    ]

    assert [a.status_code for a in answers] == [404] * 5


async def test_a_refused_file_keeps_offering_the_files_an_earlier_try_kept(client, runtime):
    call_id = await _call(runtime)
    await _as(client, runtime, "apply@xihu.example.cn")
    csrf = await _csrf(client, f"/apply/calls/{call_id}/")
    first = await client.post(
        f"/apply/calls/{call_id}/",
        data=_application_form(csrf, address=""),
        files={"file-WILLINGNESS": ("合作意向书.pdf", pdf(), "application/pdf")},
    )
    kept = re.search(r'name="kept-file-WILLINGNESS" value="([^"]+)"', first.text)
    assert first.status_code == 400 and kept is not None
    assert 'id="address-error">申报单位信息不完整<' in first.text

    second = await client.post(
        f"/apply/calls/{call_id}/",
        data=_application_form(csrf)
        | {"kept-file-WILLINGNESS": kept.group(1), "kept-name-file-WILLINGNESS": "合作意向书.pdf"},
        files={"file-ACCEPTS_RULES": ("规章.exe", b"MZ\x90\x00" + b"\x00" * 200, "text/plain")},
    )

    assert second.status_code == 400 and 'id="file-ACCEPTS_RULES-error"' in second.text
    assert f'name="kept-file-WILLINGNESS" value="{kept.group(1)}"' in second.text
    assert "已上传：合作意向书.pdf" in second.text
    assert await _uploads(runtime) == 1


async def test_an_application_with_evidence_over_the_usual_body_limit_is_kept(client, runtime):
    # Seven conditions may each carry a file: the form is allowed seven uploads' size.
    call_id = await _call(runtime)
    await _as(client, runtime, "apply@xihu.example.cn")
    csrf = await _csrf(client, f"/apply/calls/{call_id}/")
    large = pdf() + b"\n%" + b"0" * 700_000 + b"\n"
    assert 2 * len(large) > runtime.settings.max_body_bytes

    answer = await client.post(
        f"/apply/calls/{call_id}/",
        data=_application_form(csrf),
        files={
            "file-AUTHORITY_CONSENT": ("教育局同意函.pdf", large, "application/pdf"),
            "file-WILLINGNESS": ("合作意向书.pdf", large, "application/pdf"),
        },
    )

    assert answer.status_code == 303, answer.text[:300]
    (application,) = await _applications(runtime)
    assert application.unit_name == "杭州市西湖区社区学院"


async def test_the_sign_in_page_leads_an_applicant_to_registering(client):
    page = await client.get("/login")

    assert '<a href="/apply/register">申报单位注册</a>' in page.text
    assert (await client.get("/apply/register")).status_code == 200


async def test_the_calls_are_listed_in_the_order_chosen(client, runtime):
    for year in (2024, 2025, 2026):
        await _call(runtime, title=f"{year}年度项目实验点申报通知")
    await _as(client, runtime, "pg@caea.example.cn", ("PROJECT_GROUP", None))

    def listed(html: str) -> list[str]:
        return re.findall(r'<a href="/admin/calls/[^/]+/">(\d{4})年度项目实验点申报通知</a>', html)

    default = await client.get("/admin/calls/")
    newest = await client.get("/admin/calls/?order=newest")
    unknown = await client.get("/admin/calls/?order=2026")

    assert listed(default.text) == ["2024", "2025", "2026"]  # in the order they were opened
    assert listed(newest.text) == ["2026", "2025", "2024"]
    assert '<option value="newest" selected>最新在前</option>' in newest.text
    assert listed(unknown.text) == listed(default.text)
