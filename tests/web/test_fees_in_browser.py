"""Fees (Art. 7(6), 18(6), 19(4), 20) in Debian's chromium, the whole story: the project group
sets a schedule, issues a training fee to every member unit of a community and an evaluation
fee to one unit, is refused beside the amount (zero, more than the balance) with nothing
changed, records a payment in two parts until the invoice is paid, cancels an invoice issued
in error once confirmed, and reads the arrears with their chart; the unit's staff read what
they owe and paid on `/me/` and download the statement; the community's leader reads its
units' invoices; another community's fees and another unit's statement stay closed. The pages
fit a 375 px phone and pass axe-core's check."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from server.clock import today
from server.vocabulary import Region
from tests.factories import make_community
from tests.web.conftest import PHONE
from tests.web.test_admin_in_browser import _serious_violations
from tests.web.test_evaluation_in_browser import _signed_in, _user

pytestmark = pytest.mark.asyncio

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
COMMUNITY = "长三角社区老年教育共同体"
OTHER = "成渝社区治理共同体"
# The amounts as typed in yuan and as the pages print them; the fen they are kept in.
TRAINING = "500"  # 50000 fen, a training fee per member unit
EVALUATION = "1,234.56"  # 123456 fen, one unit's evaluation fee
SUB_SITE = "3000"  # 300000 fen, the community's own, issued in error and cancelled
OTHERS_FEE = "800"  # 80000 fen per member unit of the other community


def _row(tab, number: str):
    return tab.page.locator(f"#invoice-{number}")


async def _numbers(tab, text: str) -> list[str]:
    """The invoice numbers of the rows of the invoices table naming `text`."""
    rows = tab.page.locator("#invoices tbody tr", has_text=text)
    return [
        (await rows.nth(i).get_attribute("id") or "").removeprefix("invoice-")
        for i in range(await rows.count())
    ]


async def _issue(tab, *, kind: str, amount: str, due: str, note: str = "", **whom) -> None:
    if "community" in whom:
        await tab.page.select_option("#community", label=whom["community"])
    if "unit" in whom:
        await tab.page.select_option("#unitId", label=whom["unit"])
    if whom.get("every"):
        await tab.page.check("input[name=every]")
    await tab.page.select_option("#issue-kind", kind)
    await tab.page.fill("#issue-amount", amount)
    await tab.page.fill("#dueOn", due)
    await tab.page.fill("#note", note)
    await tab.page.click("button:has-text('开具')")


async def test_the_fees_from_the_schedule_to_the_units_statement(runtime, server, visit):
    year = today().year
    overdue = (today() - dt.timedelta(days=45)).isoformat()
    later = (today() + dt.timedelta(days=30)).isoformat()
    a, a_units = await make_community(runtime, "yrd-fees-journey", name=COMMUNITY)
    b, b_units = await make_community(
        runtime, "cy-fees-journey", name=OTHER, region=Region.SOUTHWEST, province="51"
    )
    payer, neighbour = a_units[1], a_units[2]
    await _user(
        runtime, server, "pg@fees.example.cn", ("PROJECT_GROUP", None), check="/admin/fees/"
    )
    manage = f"/c/{a.slug}/manage/fees/"
    await _user(runtime, server, "leader@fees.example.cn", ("LEADER", a.id), check=manage)
    await _user(runtime, server, "staff@fees.example.cn", check="/me/", unit_id=payer.id)

    admin = await _signed_in(visit, "/admin/fees/", "pg@fees.example.cn")

    # The training fee's schedule for the year.
    await admin.page.fill("#schedule-year", str(year))
    await admin.page.select_option("#schedule-kind", "TRAINING")
    await admin.page.fill("#schedule-amount", TRAINING)
    await admin.page.click("button:has-text('保存收费标准')")
    await admin.page.wait_for_url(re.compile(r".*/admin/fees/\?done=schedule"))
    schedules = await admin.page.inner_text("section:has(#schedules-title) table")
    assert f"{year}\t培训费\t500.00" in schedules

    # A fee of nothing, and one below nothing: refused beside the amount, nothing issued.
    for typed, refusal in (("0", "金额须为正整数"), ("-500", "请填写金额")):
        await _issue(
            admin, community=COMMUNITY, every=True, kind="TRAINING", amount=typed, due=overdue
        )
        assert refusal in await admin.page.inner_text("#issue-amount-error")
        assert await admin.page.get_attribute("#issue-amount", "aria-invalid") == "true"
        assert await admin.page.input_value("#issue-amount") == typed
        assert "共 0 张" in await admin.page.inner_text("#invoices-title")

    # The training fee to every member unit of both communities, overdue; the evaluation fee
    # to one unit; the sub-site fee to the community itself.
    await admin.page.goto(admin.base + "/admin/fees/")
    await _issue(
        admin,
        community=COMMUNITY,
        every=True,
        kind="TRAINING",
        amount=TRAINING,
        due=overdue,
        note=f"{year}年度骨干教师培训",
    )
    await admin.page.wait_for_url(re.compile(r".*\?done=issued"))
    await _issue(
        admin,
        community=OTHER,
        every=True,
        kind="TRAINING",
        amount=OTHERS_FEE,
        due=overdue,
        note="成渝培训",
    )
    await admin.page.wait_for_url(re.compile(r".*\?done=issued"))
    await _issue(
        admin, community=COMMUNITY, unit=payer.name, kind="EVALUATION", amount=EVALUATION, due=later
    )
    await admin.page.wait_for_url(re.compile(r".*\?done=issued"))
    await _issue(admin, community=COMMUNITY, kind="SUB_SITE", amount=SUB_SITE, due=later)
    await admin.page.wait_for_url(re.compile(r".*\?done=issued"))
    assert "共 8 张" in await admin.page.inner_text("#invoices-title")
    (training,) = [
        n
        for n in await _numbers(admin, payer.name)
        if "培训费" in await _row(admin, n).inner_text()
    ]
    (evaluation,) = await _numbers(admin, "项目评估费")
    (sub_site,) = await _numbers(admin, "分站建设费")
    (neighbours,) = await _numbers(admin, neighbour.name)
    assert "500.00 / 0.00 / 500.00" in await _row(admin, training).inner_text()
    assert "1,234.56 / 0.00 / 1,234.56" in await _row(admin, evaluation).inner_text()

    # More than the balance: refused beside that invoice's amount, what was typed kept, nothing
    # recorded.
    amount = f"#pay-{training}-amount"
    await admin.page.fill(amount, "600")
    await _row(admin, training).locator("button:has-text('登记缴费')").click()
    refusal = await admin.page.inner_text(f"#pay-{training}-amount-error")
    assert "缴费金额 600.00 元超过待缴余额 500.00 元" in refusal
    assert await admin.page.get_attribute(amount, "aria-invalid") == "true"
    assert await admin.page.input_value(amount) == "600"
    assert "500.00 / 0.00 / 500.00" in await _row(admin, training).inner_text()
    await admin.page.screenshot(path="/tmp/fees-overpayment.png", full_page=True)

    # 200.00 now, the 300.00 left later: paid.
    for part, after in (("200", "500.00 / 200.00 / 300.00"), ("300.00", "500.00 / 500.00 / 0.00")):
        await admin.page.fill(amount, part)
        await _row(admin, training).locator("button:has-text('登记缴费')").click()
        await admin.page.wait_for_url(re.compile(r".*\?done=paid"))
        assert after in await _row(admin, training).inner_text()
    assert "已缴清" in await _row(admin, training).inner_text()
    await admin.page.select_option("#filter-status", "PAID")
    await admin.page.click("#invoices button:has-text('筛选')")
    assert await _numbers(admin, "已缴清") == [training]

    # The sub-site fee issued in error: cancelled with its reason, once confirmed.
    await admin.page.goto(admin.base + "/admin/fees/")
    await _row(admin, sub_site).locator("a:has-text('作废')").click()
    await admin.page.wait_for_url(re.compile(r".*/admin/fees/[^/]+/cancel$"))
    assert "3,000.00 元" in await admin.page.inner_text(".aside-box")
    await admin.page.fill("#reason", "重复开具，已并入年度培训费")
    await admin.page.click("main button:has-text('作废应收单')")
    assert "请勾选确认后再作废" in await admin.page.inner_text("#confirm-error")
    await admin.page.screenshot(path="/tmp/fees-cancel-confirm.png", full_page=True)
    await admin.page.check("#confirm")
    await admin.page.click("main button:has-text('作废应收单')")
    await admin.page.wait_for_url(re.compile(r".*/admin/fees/\?done=cancelled"))
    cancelled = await _row(admin, sub_site).inner_text()
    assert "已作废" in cancelled and "重复开具" in cancelled and "作废…" not in cancelled

    # The arrears: the two unpaid training fees of the community, the three of the other one.
    arrears = await admin.page.inner_text("#arrears table.stack")
    assert neighbour.name in arrears and payer.name not in arrears
    assert arrears.count("500.00") == 2 and arrears.count("800.00") == 3
    chart = await admin.page.inner_text(".bar-chart table")
    assert re.search(r"长三角\s+2\s+1,000.00", chart), chart
    assert re.search(r"西南\s+3\s+2,400.00", chart), chart
    await admin.page.screenshot(path="/tmp/fees-admin.png", full_page=True)
    cancel_evaluation = (
        await _row(admin, evaluation).locator("a:has-text('作废')").get_attribute("href")
    )
    assert cancel_evaluation is not None
    assert await _serious_violations(admin) == []

    # 100.00 of the paid training fee refunded: more than was paid refused beside the amount,
    # then, confirmed, the invoice owes the 100.00 again.
    await _row(admin, training).locator("a:has-text('退款')").click()
    await admin.page.wait_for_url(re.compile(r".*/admin/fees/[^/]+/refund$"))
    refund = admin.page.url.removeprefix(admin.base)
    assert await admin.page.input_value("#amount") == "500.00"
    await admin.page.fill("#amount", "500.01")
    await admin.page.fill("#reason", "培训改为线上，退还部分培训费")
    await admin.page.check("#confirm")
    await admin.page.click("main button:has-text('登记退款')")
    refused = await admin.page.inner_text("#amount-error")
    assert "退款金额 500.01 元超过已缴金额 500.00 元" in refused
    await admin.page.fill("#amount", "100")
    await admin.page.check("#confirm")
    await admin.page.click("main button:has-text('登记退款')")
    await admin.page.wait_for_url(re.compile(r".*/admin/fees/\?done=refunded"))
    assert "500.00 / 400.00 / 100.00" in await _row(admin, training).inner_text()

    # The unit's staff: what it owes, what it paid, and its statement.
    staff = await _signed_in(visit, "/me/", "staff@fees.example.cn")
    fees = await staff.page.inner_text("#fees")
    assert "本单位待缴合计 1,334.56 元" in fees
    assert "银行转账 200.00" in fees and "银行转账 300.00" in fees
    assert "成渝培训" not in fees and "分站建设费" not in fees
    async with staff.page.expect_download() as downloading:
        await staff.page.click("#fees a[href='/me/fees/statement.xlsx?cycle=all']")
    download = await downloading.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO((await download.path()).read_bytes())).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {training, evaluation}
    assert rows[training][5:8] == (500, 400, 100) and rows[training][8] == "待缴"
    assert rows[evaluation][5:8] == (1234.56, 0, 1234.56)
    async with staff.page.expect_download() as downloading:
        await staff.page.click("#fees a[href='/me/fees/statement.pdf?cycle=all']")
    printed = await (await downloading.value).path()
    assert printed.read_bytes()[:5] == b"%PDF-"
    await staff.page.screenshot(path="/tmp/fees-me.png", full_page=True)
    assert await _serious_violations(staff) == []

    # Another unit's statement is not the staff's: the address names no unit, and what it is
    # asked for is ignored; neither are the community's statement or the project group's page.
    asked = await staff.page.request.get(
        f"{server}/me/fees/statement.xlsx?unitId={neighbour.id}&unit={neighbour.id}"
    )
    assert asked.ok
    rows = load_workbook(io.BytesIO(await asked.body())).active.iter_rows(values_only=True)
    assert {r[0] for r in rows} == {"应收单号", training, evaluation}
    for path in (f"/c/{a.slug}/manage/fees/statement.xlsx", "/admin/fees/"):
        refused = await staff.page.request.get(server + path)
        assert refused.status == 403, path
        assert neighbour.name not in await refused.text()

    # The leader: the community's and its units' invoices, not the other community's.
    lead = await _signed_in(visit, manage, "leader@fees.example.cn")
    owed = await lead.page.inner_text("main")
    assert "本共同体及成员单位待缴合计 2,334.56 元" in owed
    for number in (training, evaluation, sub_site, neighbours):
        assert number in owed
    assert neighbour.name in owed and b_units[1].name not in owed and "成渝培训" not in owed
    await lead.page.screenshot(path="/tmp/fees-manage.png", full_page=True)
    assert await _serious_violations(lead) == []
    closed = await lead.page.goto(f"{server}/c/{b.slug}/manage/fees/")
    assert closed is not None and closed.status == 403
    assert "成渝培训" not in await lead.page.inner_text("main")

    for tab in (admin, staff, lead):
        assert tab.foreign() == []

    # On a phone.
    for email, paths in (
        ("pg@fees.example.cn", ["/admin/fees/", cancel_evaluation, refund]),
        ("staff@fees.example.cn", ["/me/"]),
        ("leader@fees.example.cn", [manage]),
    ):
        phone = await _signed_in(visit, paths[0], email, PHONE)
        for path in paths:
            await phone.page.goto(phone.base + path)
            assert await phone.page.evaluate(NO_HORIZONTAL_SCROLL), path
            assert await _serious_violations(phone) == [], path
            name = "-".join(path.strip("/").split("/")[:3])
            await phone.page.screenshot(path=f"/tmp/fees-phone-{name}.png", full_page=True)
