"""The statements of fees the workspaces offer (`/me/fees/statement.pdf|.xlsx` for a unit's
staff, `/c/{slug}/manage/fees/statement.pdf|.xlsx` for a leader), made from the same answer as
the page that links them: what the API shows that reader, nothing more, every page of it.
`?cycle=` chooses the invoices due within the cooperation cycle of the community each is
charged through: this one (`current`), the one before (`previous`), or `all`."""

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from server.clock import chinese_date, today
from server.communities.rules import cycle_before
from server.fees.rules import yuan
from server.fees.statement import Stated, statement_pdf, statement_workbook
from server.settings import Settings
from server.units.http import XLSX

CYCLES = {"current": "本合作周期", "previous": "上一合作周期", "all": "全部应收单"}


def cycle_chosen(query: dict[str, str] | Any) -> str | None:
    """The `?cycle=` asked for (all, unless one is named); None for one there is not."""
    cycle = query.get("cycle", "all")
    return cycle if cycle in CYCLES else None


def cycle_span(cycle: str, community: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the community's cycle chosen; None for every cycle."""
    start = dt.date.fromisoformat(community["cycleStart"])
    if cycle == "current":
        return start, dt.date.fromisoformat(community["cycleEnd"])
    if cycle == "previous":
        return cycle_before(start)
    return None


def of_cycle(invoices: list[dict[str, Any]], cycle: str) -> list[dict[str, Any]]:
    """The invoices due within the chosen cycle of the community each is charged through."""
    kept = []
    for invoice in invoices:
        span = cycle_span(cycle, invoice["community"])
        if span is None or span[0] <= dt.date.fromisoformat(invoice["dueOn"]) <= span[1]:
            kept.append(invoice)
    return kept


def period(cycle: str, invoices: list[dict[str, Any]], community: dict[str, Any] | None) -> str:
    """The span a statement covers, in words: the cycle's days when it is one community's
    (`community`, or the one cycle all the invoices' communities share)."""
    if community is None and cycle != "all":
        cycles = {i["community"]["cycleStart"]: i["community"] for i in invoices}
        if len(cycles) == 1:
            (community,) = cycles.values()
    span = None if community is None else cycle_span(cycle, community)
    if span is None:
        return CYCLES[cycle]
    return f"{CYCLES[cycle]}（{chinese_date(span[0])}至{chinese_date(span[1])}）"


async def every_invoice(
    first: dict[str, Any], more: Callable[[str], Awaitable[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The invoices of an answer's `invoices` connection, with those of each later page
    `more(cursor)` answers: a statement leaves none out."""
    page = first["invoices"]
    nodes = [edge["node"] for edge in page["edges"]]
    while page["pageInfo"]["hasNextPage"]:
        page = (await more(page["pageInfo"]["endCursor"]))["invoices"]
        nodes += [edge["node"] for edge in page["edges"]]
    return nodes


def stated(invoices: list[dict[str, Any]], payer: str) -> list[Stated]:
    """The invoices (nodes of an `invoices` connection); `payer` for those of no unit."""
    found = []
    for i in invoices:
        fees = "、".join(f"{line['kindLabel']} {yuan(line['amountFen'])} 元" for line in i["lines"])
        payments = "；".join(
            f"{chinese_date(dt.date.fromisoformat(p['paidOn']))} {p['method']} "
            f"{yuan(p['amountFen'])} 元"
            for p in i["payments"]
        )
        unit = i.get("unit")
        found.append(
            Stated(
                number=i["number"],
                payer=unit["name"] if unit else payer,
                fees=fees,
                issued_on=dt.date.fromisoformat(i["issuedOn"]),
                due_on=dt.date.fromisoformat(i["dueOn"]),
                total_fen=i["totalFen"],
                paid_fen=i["paidFen"],
                balance_fen=i["balanceFen"],
                status=i["statusLabel"],
                payments=payments,
            )
        )
    return found


def statement(
    settings: Settings, whose: str, period: str, invoices: list[Stated], kind: str
) -> Response:
    """`kind` "pdf" or "xlsx"; the file named after the day it was made."""
    on = today()
    if kind == "pdf":
        body, media = statement_pdf(settings, whose, period, on, invoices), "application/pdf"
    else:
        body, media = statement_workbook(invoices), XLSX
    filename = quote(f"缴费对账单-{period.split('（')[0]}-{on.isoformat()}.{kind}")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )
