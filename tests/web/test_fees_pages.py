"""Fees on the web (Art. 7(6), 18(6), 19(4), 20): the project group's `/admin/fees/` sets a
schedule, issues invoices (one unit, every member), records a payment in yuan (recorded once
when the form is sent twice) and cancels; the arrears download; what a unit's staff and a
leader see of what they owe."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from schema.core import ids
from server.clock import today
from server.fees.models import FeeEntry
from tests.factories import bearer, make_community, make_user
from tests.graphql import mutate
from tests.web.test_pages_over_http import csrf_of
from tests.web.test_recognition_pages import _embedded_fonts, _plain

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def seeded(runtime):
    a, a_units = await make_community(runtime, "yrd-fees", name="长三角社区老年教育共同体")
    b, b_units = await make_community(runtime, "cy-fees", name="成渝社区治理共同体")
    return a, b, a_units, b_units


async def _as(client, runtime, email, *grants, unit_id=None):
    _, token = await make_user(runtime, email, *grants, unit_id=unit_id)
    client.cookies.set("gx_session", token)


async def _post(client, path: str, **fields) -> tuple[int, str]:
    form = (await client.get("/admin/fees/")).text
    answer = await client.post(path, data={"csrf_token": csrf_of(form), **fields})
    return answer.status_code, answer.text


async def _payments(runtime) -> int:
    async with runtime.database.transaction(all_communities=True) as session:
        counted = select(func.count()).select_from(FeeEntry).where(FeeEntry.kind == "PAYMENT")
        return int(await session.scalar(counted) or 0)


async def test_the_project_group_runs_the_fees_from_its_workspace(client, runtime, seeded):
    a, b, _, _ = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    year = str(today().year)

    status, _ = await _post(
        client, "/admin/fees/", action="schedule", year=year, kind="CONFERENCE", amount="800"
    )
    assert status == 303
    due = today().isoformat()
    status, _ = await _post(
        client,
        "/admin/fees/",
        action="issue",
        community=b.slug,
        every="yes",
        kind="CONFERENCE",
        amount="800",
        note="年度研讨会",
        dueOn=due,
    )
    assert status == 303
    status, page = await _post(
        client,
        "/admin/fees/",
        action="issue",
        community=a.slug,
        kind="SUB_SITE",
        amount="12,000.5",
        dueOn=due,
    )
    assert status == 303
    page = (await client.get("/admin/fees/")).text
    assert "共 4 张" in page and "会务费 800.00（年度研讨会）" in page
    assert "分站建设费 12,000.50" in page and "会务费 800.00" in page

    # A payment form sent twice (a double click) records one payment.
    invoice_id = re.search(r'action="/admin/fees/([^/"]+)/pay"', page).group(1)
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    fields = {"amount": "300", "paidOn": today().isoformat(), "method": "银行转账", "key": key}
    first, _ = await _post(client, f"/admin/fees/{invoice_id}/pay", **fields)
    again, _ = await _post(client, f"/admin/fees/{invoice_id}/pay", **fields)
    assert (first, again) == (303, 303)
    assert await _payments(runtime) == 1
    page = (await client.get("/admin/fees/?done=paid")).text
    assert "800.00 / 300.00 / 500.00" in page

    # More than what is owed is refused, with the reason on the page; nothing is recorded.
    status, refused = await _post(
        client, f"/admin/fees/{invoice_id}/pay", **{**fields, "amount": "900", "key": "other"}
    )
    assert status == 400 and "超过待缴余额" in refused
    assert await _payments(runtime) == 1

    # Cancelling is confirmed first: without the box ticked, refused and nothing cancelled.
    status, unconfirmed = await _post(client, f"/admin/fees/{invoice_id}/cancel", reason="重复开具")
    assert status == 400 and "请勾选确认后再作废" in unconfirmed
    assert "共 0 张" in (await client.get("/admin/fees/?status=CANCELLED")).text
    status, _ = await _post(
        client, f"/admin/fees/{invoice_id}/cancel", reason="重复开具", confirm="yes"
    )
    assert status == 303
    assert "已作废" in (await client.get("/admin/fees/?status=CANCELLED")).text
    again = (await client.get(f"/admin/fees/{invoice_id}/cancel")).text
    assert "该应收单已作废。" in again and 'name="confirm"' not in again


async def test_the_arrears_download_lists_what_is_owed_past_due(client, runtime, seeded):
    a, _, _, _ = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    await _post(
        client,
        "/admin/fees/",
        action="issue",
        community=a.slug,
        kind="SUB_SITE",
        amount="5000",
        dueOn="2026-01-15",
    )

    answer = await client.get("/exports/arrears.xlsx")

    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("应收单号", "共同体", "片区", "缴费单位")
    assert rows[1][1:5] == ("长三角社区老年教育共同体", "长三角", "共同体本身", "分站建设费")
    assert rows[1][7] == 5000
    page = (await client.get("/admin/fees/")).text
    assert "长三角" in page and "5,000.00" in page  # the chart by region

    # Anyone else gets the 403 page, not the list.
    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    assert (await client.get("/exports/arrears.xlsx")).status_code == 403


async def test_a_unit_sees_what_it_owes_and_its_leader_what_the_community_owes(
    client, runtime, seeded
):
    a, b, a_units, _ = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    for community in (a, b):
        await _post(
            client,
            "/admin/fees/",
            action="issue",
            community=community.slug,
            every="yes",
            kind="TRAINING",
            amount="1500",
            note=f"{community.name}培训",
            dueOn="2026-01-15",
        )
    page = (await client.get("/admin/fees/")).text
    invoice_id = re.search(r'action="/admin/fees/([^/"]+)/pay"', page).group(1)
    await _post(
        client,
        f"/admin/fees/{invoice_id}/pay",
        amount="500",
        paidOn=today().isoformat(),
        method="银行转账",
        key="first-payment",
    )

    await _as(client, runtime, "staff@example.cn", unit_id=a_units[0].id)
    mine = (await client.get("/me/")).text
    assert "应缴费用" in mine and "本单位待缴合计 <strong>1,000.00 元</strong>" in mine
    assert "银行转账 500.00" in mine and "已逾期" in mine
    assert "成渝社区治理共同体培训" not in mine  # another unit's: never shown

    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    led = await client.get(f"/c/{a.slug}/manage/fees/")
    assert led.status_code == 200
    assert "本共同体及成员单位待缴合计 <strong>4,000.00 元</strong>" in led.text
    assert led.text.count("长三角社区老年教育共同体培训") == 3
    assert (await client.get(f"/c/{b.slug}/manage/fees/")).status_code == 403

    await _as(client, runtime, "deputy@example.cn", ("DEPUTY", a.id))
    assert (await client.get(f"/c/{a.slug}/manage/fees/")).status_code == 403


async def test_statements_print_what_the_reader_may_see_in_chinese(client, runtime, seeded):
    a, b, a_units, _ = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    for community in (a, b):
        await _post(
            client,
            "/admin/fees/",
            action="issue",
            community=community.slug,
            every="yes",
            kind="EVALUATION",
            amount="2000",
            dueOn="2026-06-30",
        )

    await _as(client, runtime, "staff@example.cn", unit_id=a_units[1].id)
    printed = await client.get("/me/fees/statement.pdf")
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    text = _plain(printed.content)
    assert (
        "缴费对账单" in text and "项目评估费2,000.00元" in text and "待缴合计：2,000.00元" in text
    )
    assert _embedded_fonts(printed.content)  # the CJK font travels with the file
    assert text.count("FY-") == 1  # its own invoice only

    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    sheet = await client.get(f"/c/{a.slug}/manage/fees/statement.xlsx")
    book = load_workbook(io.BytesIO(sheet.content)).active
    rows = list(book.iter_rows(values_only=True))
    assert rows[0][:3] == ("应收单号", "缴费单位", "费用") and len(rows) == 4
    assert {r[7] for r in rows[1:]} == {2000}
    # Money as the page shows it: 2,000.00, two decimals, a number still.
    assert {book.cell(row=2, column=c).number_format for c in (6, 7, 8)} == {"#,##0.00"}
    assert (await client.get(f"/c/{b.slug}/manage/fees/statement.pdf")).status_code == 403
    assert (await client.get(f"/c/{a.slug}/manage/fees/statement.doc")).status_code == 404


async def test_a_statement_states_one_cooperation_cycle_and_every_page_of_it(
    client, runtime, seeded
):
    a, _, a_units, _ = seeded  # a's cycle: 1 January 2026 to 31 December 2028 (Art. 15)
    _, admin = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    issue = "mutation ($i: IssueInvoiceInput!) { issueInvoice(input: $i) { errors { code } } }"
    unit = ids.encode("Unit", a_units[1].id)
    # 100 invoices due in this cycle (two pages for the leader's, three for the unit's) and
    # one due in the cycle before (which ended on 31 December 2025).
    for due_on in ["2026-06-30"] * 100 + ["2025-06-30"]:
        given = {
            "unitId": unit,
            "dueOn": due_on,
            "lines": [{"kind": "TRAINING", "amountFen": 1000}],
        }
        await mutate(client, issue, {"i": given}, headers=bearer(admin))

    async def rows(path: str) -> list[tuple]:
        sheet = await client.get(path)
        assert sheet.status_code == 200, sheet.text[:300]
        return list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))[1:]

    await _as(client, runtime, "staff@example.cn", unit_id=a_units[1].id)
    assert len(await rows("/me/fees/statement.xlsx?cycle=current")) == 100
    (before,) = await rows("/me/fees/statement.xlsx?cycle=previous")
    assert before[4] == dt.datetime(2025, 6, 30)
    assert len(await rows("/me/fees/statement.xlsx")) == 101
    assert len(await rows("/me/fees/statement.xlsx?cycle=all")) == 101
    assert (await client.get("/me/fees/statement.pdf?cycle=next")).status_code == 404
    printed = _plain((await client.get("/me/fees/statement.pdf?cycle=current")).content)
    assert "对账期间：本合作周期（2026年1月1日至2028年12月31日）" in printed
    assert "待缴合计：1,000.00元" in printed  # 100 invoices of 10.00 yuan
    page = (await client.get("/me/")).text
    assert 'href="/me/fees/statement.pdf?cycle=previous"' in page

    await _as(client, runtime, "leader@example.cn", ("LEADER", a.id))
    assert len(await rows(f"/c/{a.slug}/manage/fees/statement.xlsx?cycle=current")) == 100
    assert len(await rows(f"/c/{a.slug}/manage/fees/statement.xlsx?cycle=previous")) == 1
    assert len(await rows(f"/c/{a.slug}/manage/fees/statement.xlsx")) == 101
    led = (await client.get(f"/c/{a.slug}/manage/fees/")).text
    assert "本合作周期（2026年1月1日至2028年12月31日）" in led
    # The total owed is every invoice's, not only the first page's 100.
    assert "本共同体及成员单位待缴合计 <strong>1,010.00 元</strong>" in led


async def _refunds(runtime) -> list[int]:
    async with runtime.database.transaction(all_communities=True) as session:
        found = select(FeeEntry.amount_fen).where(FeeEntry.kind == "REFUND")
        return list((await session.scalars(found)).all())


async def test_a_refund_is_confirmed_beside_its_fields_and_recorded_once(client, runtime, seeded):
    a, _, _, _ = seeded
    await _as(client, runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    await _post(
        client,
        "/admin/fees/",
        action="issue",
        community=a.slug,
        kind="CONFERENCE",
        amount="800",
        dueOn=today().isoformat(),
    )
    page = (await client.get("/admin/fees/")).text
    invoice_id = re.search(r'action="/admin/fees/([^/"]+)/pay"', page).group(1)
    refund = f"/admin/fees/{invoice_id}/refund"
    assert refund not in page  # nothing paid, nothing to refund
    assert "没有已缴金额" in (await client.get(refund)).text
    await _post(
        client,
        f"/admin/fees/{invoice_id}/pay",
        amount="800",
        paidOn=today().isoformat(),
        method="银行转账",
        key="paid-in-full",
    )
    assert refund in (await client.get("/admin/fees/")).text

    form = (await client.get(refund)).text
    key = re.search(r'name="key" value="([^"]+)"', form).group(1)
    assert 'value="800.00"' in form  # what was paid, offered back
    fields = {
        "amount": "300",
        "refundedOn": today().isoformat(),
        "method": "银行转账",
        "reason": "研讨会改为线上，退还部分会务费",
        "key": key,
    }
    # Unconfirmed, and more than was paid: each refused beside its field, nothing recorded.
    status, unconfirmed = await _post(client, refund, **fields)
    assert status == 400 and "请勾选确认后再退款" in unconfirmed
    status, over = await _post(client, refund, **{**fields, "amount": "800.01"}, confirm="yes")
    assert status == 400 and 'id="amount-error"' in over
    assert "退款金额 800.01 元超过已缴金额 800.00 元" in over
    assert await _refunds(runtime) == []

    first, _ = await _post(client, refund, **fields, confirm="yes")
    again, _ = await _post(client, refund, **fields, confirm="yes")

    assert (first, again) == (303, 303)
    assert await _refunds(runtime) == [30000]
    page = (await client.get("/admin/fees/?done=refunded")).text
    assert "退款已登记" in page and "800.00 / 500.00 / 300.00" in page
