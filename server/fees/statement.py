"""A statement of fees (缴费对账单) for a unit or a community, as printed (PDF, Chinese, the CJK
font embedded) and as a workbook: each invoice with its fees, what was paid and when, and
what is still owed. The page is `server/printing`'s; the rows come from the API's answer, as
the page that offers the download shows them."""

import datetime as dt
from dataclasses import dataclass

from server.clock import chinese_date
from server.fees.rules import yuan
from server.printing.pdf import Printed
from server.settings import Settings
from server.workbooks import Value, Yuan, workbook

PROGRAMME = "区域终身学习发展共同体项目组"
HEADERS = (
    "应收单号",
    "缴费单位",
    "费用",
    "开具日期",
    "缴费截止",
    "应收（元）",
    "已缴（元）",
    "待缴（元）",
    "状态",
    "缴费记录",
)


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a Stated)
class Stated:
    """One invoice as the statement shows it; amounts in fen."""

    number: str
    payer: str
    fees: str
    issued_on: dt.date
    due_on: dt.date
    total_fen: int
    paid_fen: int
    balance_fen: int
    status: str
    payments: str


def statement_pdf(
    settings: Settings, whose: str, period: str, on: dt.date, invoices: list[Stated]
) -> bytes:
    """`period`: which invoices it states (a cooperation cycle, or all of them)."""
    page = Printed(settings.print_font, settings.print_font_number, title="缴费对账单")
    page.heading("缴费对账单", size=24)
    owed = sum(i.balance_fen for i in invoices)
    page.labelled(
        [
            ("缴费方", whose),
            ("对账期间", period),
            ("对账日期", chinese_date(on)),
            ("应收合计", f"{yuan(sum(i.total_fen for i in invoices))} 元"),
            ("已缴合计", f"{yuan(sum(i.paid_fen for i in invoices))} 元"),
            ("待缴合计", f"{yuan(owed)} 元"),
        ]
    )
    page.gap(6)
    for invoice in invoices:
        page.line(f"{invoice.number}　{invoice.payer}　{invoice.status}", size=12)
        page.line(
            f"{invoice.fees}；开具 {chinese_date(invoice.issued_on)}，"
            f"截止 {chinese_date(invoice.due_on)}；应收 {yuan(invoice.total_fen)} 元，"
            f"已缴 {yuan(invoice.paid_fen)} 元，待缴 {yuan(invoice.balance_fen)} 元",
            size=10,
            muted=True,
        )
        if invoice.payments:
            page.line(f"缴费记录：{invoice.payments}", size=10, muted=True)
        page.gap(3)
    if not invoices:
        page.line("没有应收单。", size=12)
    page.gap(8)
    page.line(f"{PROGRAMME}（依据《管理办法》第二十条）", size=11, centred=True, muted=True)
    return page.bytes()


def statement_workbook(invoices: list[Stated]) -> bytes:
    """Amounts in yuan as numbers, with two decimals."""
    rows: list[list[Value]] = [
        [
            i.number,
            i.payer,
            i.fees,
            i.issued_on,
            i.due_on,
            Yuan(i.total_fen),
            Yuan(i.paid_fen),
            Yuan(i.balance_fen),
            i.status,
            i.payments,
        ]
        for i in invoices
    ]
    return workbook("缴费对账单", HEADERS, rows)
