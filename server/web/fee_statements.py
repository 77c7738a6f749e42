"""The statements of fees the workspaces offer (`/me/fees/statement.pdf|.xlsx` for a unit's
staff, `/c/{slug}/manage/fees/statement.pdf|.xlsx` for a leader), made from the same answer as
the page that links them: what the API shows that reader, nothing more."""

import datetime as dt
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from server.clock import chinese_date, today
from server.fees.rules import yuan
from server.fees.statement import Stated, statement_pdf, statement_workbook
from server.settings import Settings
from server.units.http import XLSX


def stated(invoices: dict[str, Any], payer: str) -> list[Stated]:
    """The invoices of an answer's `invoices` connection; `payer` for those of no unit."""
    found = []
    for edge in invoices["edges"]:
        i = edge["node"]
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


def statement(settings: Settings, whose: str, invoices: list[Stated], kind: str) -> Response:
    """`kind` "pdf" or "xlsx"; the file named after the day it was made."""
    on = today()
    if kind == "pdf":
        body, media = statement_pdf(settings, whose, on, invoices), "application/pdf"
    else:
        body, media = statement_workbook(invoices), XLSX
    filename = quote(f"缴费对账单-{on.isoformat()}.{kind}")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )
