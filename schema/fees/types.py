import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

import strawberry
from sqlalchemy import Date, case, func
from sqlalchemy.sql.elements import ColumnElement

from schema.communities.types import Community
from schema.core import ids
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.projection import (
    ALL,
    Bind,
    Expression,
    GlobalId,
    Listed,
    Row,
    computed,
    label,
    per_row,
    projected,
    related,
)
from schema.units.types import Unit
from server.clock import today
from server.fees import models, queries, rules
from server.fees.readers import InvoiceReaders
from server.reads import Fixed
from server.runtime import Runtime
from server.vocabulary import FeeKind, InvoiceStatus, LedgerEntryKind

# `Any` here: a row is read by its columns' names (SQLAlchemy's mapped classes and `Row`s
# alike), which no type names; `ColumnElement[Any]` is SQL of whichever column type.


class _ByInvoice:
    """A loader source: per invoice (its community and id), the rows one statement over
    `:communities` and `:ids` reads. Read in the programme's scope: only invoices their
    reader was allowed to see are ever asked for."""

    def __init__(self, statement: Any) -> None:  # a statement over `:communities`, `:ids`
        self.statement = Fixed(statement)

    async def fetch(self, runtime: Runtime, keys: list[tuple[int, int]]) -> list[Any]:
        communities, ids = [key[0] for key in keys], [key[1] for key in keys]
        async with runtime.database.read(all_communities=True) as read:
            rows = await read.rows(self.statement, communities=communities, ids=ids)
        grouped: dict[tuple[int, int], list[Any]] = {key: [] for key in keys}
        for row in rows:
            grouped[row.community_id, row.invoice_id].append(row)
        return [grouped[key] for key in keys]


LINES = _ByInvoice(queries.lines_statement())
ENTRIES = _ByInvoice(queries.entries_statement())


@projected(models.FeeSchedule)
@strawberry.type(description="收费标准: the project group's amount for one fee kind and year.")
class FeeSchedule(Node):
    id: strawberry.ID
    year: int
    kind: FeeKind
    kind_label: str = label("kind", FeeKind, description=None)
    amount_fen: int = strawberry.field(description="in fen (CNY/100)")
    db_id: strawberry.Private[int]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.FeeSchedule], "FeeSchedule"]]


@projected(None, id=None)
@strawberry.type(description="One fee on an invoice.")
class InvoiceLine:
    kind: FeeKind
    kind_label: str = label("kind", FeeKind, description=None)
    amount_fen: int
    note: str | None


def _entry_id(row: Any) -> strawberry.ID:  # a fee_entries row
    return strawberry.ID(ids.encode("LedgerEntry", row.community_id, row.id))


@projected(None, id=("community_id", "id"))
@strawberry.type(
    description="An entry of an invoice's ledger (a charge, a payment, a refund, a "
    "cancellation); never edited. `amountFen` is what it adds to the balance."
)
class LedgerEntry:
    id: strawberry.ID
    kind: LedgerEntryKind
    kind_label: str = label("kind", LedgerEntryKind, description=None)
    amount_fen: int
    entered_on: dt.date
    method: str | None
    note: str | None

    @classmethod
    def of(cls, row: Any) -> "LedgerEntry":  # a fee_entries row
        return cls(
            id=_entry_id(row),
            kind=row.kind,
            amount_fen=row.amount_fen,
            entered_on=row.entered_on,
            method=row.method,
            note=row.note,
        )


def _entry_id_sql(row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
    return GlobalId("LedgerEntry", ("community_id", "id")).sql(row, language, bind)


def _payment_id(root: "Payment") -> strawberry.ID:
    return root.entry_id


@projected(None, id=None)
@strawberry.type(description="A payment recorded against an invoice.")
class Payment:
    # A ledger entry's id: a payment is one.
    id: strawberry.ID = computed(Expression(_entry_id_sql), _payment_id)
    entry_id: strawberry.Private[strawberry.ID]
    amount_fen: int = strawberry.field(description="what was paid, in fen (positive)")
    paid_on: dt.date
    method: str
    idempotency_key: str
    recorded_at: dt.datetime

    @classmethod
    def of(cls, row: Any) -> "Payment":  # a fee_entries row of kind PAYMENT
        return cls(
            entry_id=_entry_id(row),
            amount_fen=-row.amount_fen,
            paid_on=row.entered_on,
            method=row.method or "",
            idempotency_key=row.idempotency_key or "",
            recorded_at=row.created_at,
        )


def _days_overdue_sql(row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
    """`rules.days_overdue` of an open invoice, today bound at each run."""
    overdue = func.greatest(bind(lambda run: today(), Date) - row.c.due_on, 0)
    return case((row.c.status == InvoiceStatus.OPEN.value, overdue), else_=0)


def _days_overdue(root: "Invoice") -> int:
    if root.status is not InvoiceStatus.OPEN:
        return 0
    return rules.days_overdue(root.due_on, today())


async def _lines(root: "Invoice", info: Info) -> list[InvoiceLine]:
    rows = await info.context.loaders.of(LINES).load((root.community_id, root.db_id))
    return [InvoiceLine(kind=row.kind, amount_fen=row.amount_fen, note=row.note) for row in rows]


async def _payments(root: "Invoice", info: Info) -> list[Payment]:
    rows = await info.context.loaders.of(ENTRIES).load((root.community_id, root.db_id))
    return [Payment.of(row) for row in rows if row.kind == LedgerEntryKind.PAYMENT]


async def _ledger(root: "Invoice", info: Info) -> list[LedgerEntry]:
    rows = await info.context.loaders.of(ENTRIES).load((root.community_id, root.db_id))
    return [LedgerEntry.of(row) for row in rows]


def _by_id(rows: Row) -> list[ColumnElement[Any]]:
    return [rows.c.id]


def _lines_of(row: Row) -> Any:  # `Any`: a statement of the lines' columns
    return queries.invoice_lines(row.c.community_id, row.c.id)


def _payments_of(row: Row) -> Any:  # `Any`: a statement of the payments' columns
    return queries.invoice_payments(row.c.community_id, row.c.id)


def _entries_of(row: Row) -> Any:  # `Any`: a statement of the entries' columns
    return queries.invoice_entries(row.c.community_id, row.c.id)


@projected(models.Invoice, id=("community_id", "id"), community="community_id")
@strawberry.type(
    description="应收: what a unit (or a community itself) owes, with its number, due date, "
    "lines and ledger. Its balance is the sum of its ledger entries. Read by the project "
    "group, the leader of the community it is charged through, and the unit's own staff."
)
class Invoice(Node):
    id: strawberry.ID
    number: str = strawberry.field(description="`FY-<year>-<sequence>`, never reused")
    year: int = strawberry.field(description="the fee year (the due date's)")
    total_fen: int = strawberry.field(description="the sum of its lines, in fen")
    issued_on: dt.date
    due_on: dt.date
    status: InvoiceStatus
    status_label: str = label("status", InvoiceStatus, description=None)
    cancelled_reason: str | None
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    unit_id: strawberry.Private[int | None]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.Invoice], "Invoice"]]

    paid_fen: int = per_row(
        queries.invoice_paid,
        key=("community_id", "id"),
        scope=ALL,
        description="what was paid (payments less refunds), in fen",
    )
    balance_fen: int = per_row(
        queries.invoice_balance,
        key=("community_id", "id"),
        scope=ALL,
        description="what is still owed: the sum of the ledger's entries, in fen",
    )
    days_overdue: int = computed(
        Expression(_days_overdue_sql),
        _days_overdue,
        description="days past the due date while open (0 otherwise); more than 30 is a "
        "finding of the `fees` rule (7(6), 19(4))",
    )
    unit: Unit | None = related(
        "Unit", "unit_id", description="the unit charged; null for a community's own invoice"
    )
    community: Community = related(
        "Community",
        "community_id",
        same_community=True,
        description="the community the invoice is charged through",
    )
    lines: list[InvoiceLine] = computed(Listed("InvoiceLine", _lines_of, _by_id, scope=ALL), _lines)
    payments: list[Payment] = computed(
        Listed("Payment", _payments_of, _by_id, scope=ALL),
        _payments,
        description="the payments recorded against it, oldest first",
    )
    ledger: list[LedgerEntry] = computed(
        Listed("LedgerEntry", _entries_of, _by_id, scope=ALL),
        _ledger,
        description="every entry of its ledger, oldest first",
    )


async def invoice_readers(context: Context) -> InvoiceReaders:
    guard = await context.guard()
    staff_unit = (await context.reason_readers()).staff_unit
    return InvoiceReaders.of(guard, staff_unit)


@fetches("Invoice", arity=2)
async def fetch_invoice(context: Context, keys: tuple[int, ...]) -> Invoice | None:
    readers = await invoice_readers(context)
    community_id, invoice_id = keys
    async with context.read(community_id) as read:
        row = await read.one_or_none(
            queries.invoices_statement(readers, community_id).where(models.Invoice.id == invoice_id)
        )
    return Invoice.of(row) if row else None
