"""Excel workbooks the platform publishes (`/exports/*.xlsx`), written one way so that text
from users can never become a formula.

openpyxl turns any string starting with `=` into a formula cell, so a unit named
`=HYPERLINK(...)` would be a live link in every downloaded list; spreadsheet programs also
treat `+`, `-`, `@`, tab and carriage return at the start as the start of a formula when a
cell is edited. Here every string is written as an explicit string cell, whatever it starts
with, dates (and moments, as a clock in China read them) as real date cells, and money as
numbers in yuan with two decimals. A control
character XML cannot hold is shown as U+FFFD rather than failing the whole download."""

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Font

DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
# What stands for a control character XML cannot hold (openpyxl refuses the whole file).
UNWRITABLE = "\ufffd"


@dataclass(frozen=True)
class Yuan:
    """An amount held in fen, written as a number of yuan shown with its two decimals
    (1,234.50), as the pages show money; exact, never a float."""

    fen: int


Value = str | int | float | dt.date | Yuan | None


def workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    """One sheet: bold headers, frozen under them, then the rows; strings as text, dates as
    dates."""
    book = Workbook()
    sheet = book.worksheets[0]  # a new workbook's one sheet
    sheet.title = title
    for number, row in enumerate([headers, *rows], start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub(UNWRITABLE, value)
                cell.data_type = TYPE_STRING  # never a formula, whatever the text starts with
            elif isinstance(value, Yuan):
                cell.value = Decimal(value.fen).scaleb(-2)
                cell.number_format = MONEY_FORMAT
            else:
                cell.value = value
                if isinstance(value, dt.datetime):  # a moment, without its time zone
                    cell.number_format = MOMENT_FORMAT
                elif isinstance(value, dt.date):
                    cell.number_format = DATE_FORMAT
            if number == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
