"""Fees (Art. 7(6), 18(6), 19(4), 20): amounts in integer fen, what a payment may be, when an
invoice is overdue. One definition for the mutations that refuse bad input, the arrears list
and the audit's `fees` rule (`server/compliance/checks.py`), which finds an invoice unpaid
more than `GRACE_DAYS` after its due date."""

import datetime as dt
from dataclasses import dataclass

from server.errors import ErrorCode, UserFacingError
from server.vocabulary import InvoiceStatus

# Art. 7(6), 19(4): an invoice unpaid this many days after its due date is a finding on the
# community it is charged through.
GRACE_DAYS = 30
# A year before any programme of this kind ran, or far ahead, is a typing slip.
FIRST_YEAR = 2000
YEARS_AHEAD = 5
# The most lines one invoice carries (six kinds of fee, each at most a few times).
MOST_LINES = 20
# The most one invoice may charge: 20,000,000.00 yuan, far beyond any fee of the programme,
# and within what the API's 32-bit `Int` carries (`totalFen`, `balanceFen`).
MOST_FEN = 2_000_000_000
# The longest a payment method or an idempotency key may be (their columns).
METHOD_CHARACTERS = 40
KEY_CHARACTERS = 100


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes an Owing)
class Owing:
    """An open invoice past its due date, as the audit reads it."""

    invoice_id: int
    unit_id: int | None
    number: str
    due_on: dt.date
    balance_fen: int


def _invalid(zh: str, en: str, field: str) -> UserFacingError:
    return UserFacingError(ErrorCode.INVALID_INPUT, zh, en, field)


def amount_error(amount_fen: int, field: str = "amountFen") -> UserFacingError | None:
    """Money is a positive whole number of fen: never zero, never negative."""
    if amount_fen <= 0:
        return _invalid(
            "金额须为正整数（单位：分）", "the amount must be a positive number of fen", field
        )
    return None


def year_error(year: int, this_year: int) -> UserFacingError | None:
    if not FIRST_YEAR <= year <= this_year + YEARS_AHEAD:
        return _invalid(
            f"年度须在 {FIRST_YEAR} 年至 {this_year + YEARS_AHEAD} 年之间",
            f"the year must be {FIRST_YEAR} to {this_year + YEARS_AHEAD}",
            "year",
        )
    return None


def lines_error(count: int) -> UserFacingError | None:
    if not 1 <= count <= MOST_LINES:
        return _invalid(
            f"应收单须有 1 至 {MOST_LINES} 项费用",
            f"an invoice needs 1 to {MOST_LINES} lines",
            "lines",
        )
    return None


def total_error(total_fen: int) -> UserFacingError | None:
    if total_fen > MOST_FEN:
        return _invalid(
            f"一张应收单合计不能超过 {yuan(MOST_FEN)} 元",
            f"an invoice may total at most {MOST_FEN} fen",
            "lines",
        )
    return None


def overpayment_error(amount_fen: int, balance_fen: int) -> UserFacingError | None:
    """A payment is at most what is still owed."""
    if amount_fen > balance_fen:
        return UserFacingError(
            ErrorCode.OVERPAYMENT,
            f"缴费金额 {yuan(amount_fen)} 元超过待缴余额 {yuan(balance_fen)} 元",
            f"the payment ({amount_fen} fen) is more than the balance ({balance_fen} fen)",
            "amountFen",
        )
    return None


def refund_error(amount_fen: int, paid_fen: int) -> UserFacingError | None:
    """A refund returns at most what was paid (payments less earlier refunds)."""
    if amount_fen > paid_fen:
        return _invalid(
            f"退款金额 {yuan(amount_fen)} 元超过已缴金额 {yuan(paid_fen)} 元",
            f"the refund ({amount_fen} fen) is more than was paid ({paid_fen} fen)",
            "amountFen",
        )
    return None


def payable_error(status: InvoiceStatus) -> UserFacingError | None:
    if status is InvoiceStatus.CANCELLED:
        return UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            "该应收单已作废，不能缴费",
            "the invoice is cancelled",
            "invoiceId",
        )
    return None


def cancellable_error(status: InvoiceStatus) -> UserFacingError | None:
    if status is not InvoiceStatus.OPEN:
        zh = "该应收单已作废" if status is InvoiceStatus.CANCELLED else "该应收单已缴清，不能作废"
        return UserFacingError(
            ErrorCode.INVALID_TRANSITION, zh, f"the invoice is {status.en.lower()}", "id"
        )
    return None


def schedule_locked_error(year: int, kind_zh: str) -> UserFacingError:
    return UserFacingError(
        ErrorCode.INVALID_TRANSITION,
        f"{year} 年{kind_zh}标准已用于开具应收单，不能再修改",
        "invoices were issued from this schedule: it can no longer change",
        "amountFen",
    )


def days_overdue(due_on: dt.date, today: dt.date) -> int:
    """How many days past its due date (0 on or before it: a payment on the due day is on
    time)."""
    return max((today - due_on).days, 0)


def in_arrears(status: InvoiceStatus, balance_fen: int, due_on: dt.date, today: dt.date) -> bool:
    """Owed and past its due date (欠费)."""
    return status is InvoiceStatus.OPEN and balance_fen > 0 and today > due_on


def overdue_finding(
    status: InvoiceStatus, balance_fen: int, due_on: dt.date, today: dt.date
) -> bool:
    """The `fees` rule (7(6), 19(4)): unpaid more than `GRACE_DAYS` after its due date."""
    return in_arrears(status, balance_fen, due_on, today) and (
        days_overdue(due_on, today) > GRACE_DAYS
    )


def status_after(balance_fen: int) -> InvoiceStatus:
    """An invoice's status once an entry moved its balance (a cancelled one stays so)."""
    return InvoiceStatus.PAID if balance_fen <= 0 else InvoiceStatus.OPEN


def invoice_number(year: int, sequence: int) -> str:
    """`FY-2026-000001`: the issue year and the invoice's place in it; never reused."""
    return f"FY-{year}-{sequence:06d}"


def yuan(fen: int) -> str:
    """Fen as yuan for people: 123456 -> "1,234.56"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"
