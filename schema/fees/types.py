import datetime as dt
from typing import Any

import strawberry
from sqlalchemy import ARRAY, BigInteger, bindparam

from schema.communities.types import Community
from schema.core import ids
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.units.types import Unit
from server.clock import today
from server.fees import models, queries, rules
from server.fees.readers import InvoiceReaders
from server.reads import Fixed
from server.runtime import Runtime
from server.vocabulary import FeeKind, InvoiceStatus, LedgerEntryKind

IDS = bindparam("ids", type_=ARRAY(BigInteger))


class _ByInvoice:
    """A loader source: per invoice id, what one statement over `:ids` reads. Read in the
    programme's scope: only invoices their reader was allowed to see are ever asked for."""

    def __init__(self, statement: Any, many: bool) -> None:  # a statement over `:ids`
        self.statement = Fixed(statement)
        self.many = many

    async def fetch(self, runtime: Runtime, keys: list[int]) -> list[Any]:
        async with runtime.database.read(all_communities=True) as read:
            rows = await read.rows(self.statement, ids=list(keys))
        if self.many:
            grouped: dict[int, list[Any]] = {key: [] for key in keys}
            for row in rows:
                grouped[row.invoice_id].append(row)
            return [grouped[key] for key in keys]
        found = {row[0]: row for row in rows}
        return [found.get(key) for key in keys]


SUMS = _ByInvoice(queries.sums_statement(), many=False)
LINES = _ByInvoice(queries.lines_statement(), many=True)
ENTRIES = _ByInvoice(queries.entries_statement(), many=True)


@strawberry.type(description="收费标准: the project group's amount for one fee kind and year.")
class FeeSchedule(Node):
    id: strawberry.ID
    year: int
    kind: FeeKind
    kind_label: str
    amount_fen: int = strawberry.field(description="in fen (CNY/100)")

    @classmethod
    def of(cls, row: Any, language: str) -> "FeeSchedule":  # a fee_schedules row
        return cls(
            id=strawberry.ID(ids.encode("FeeSchedule", row.id)),
            year=row.year,
            kind=row.kind,
            kind_label=FeeKind(row.kind).label(language),
            amount_fen=row.amount_fen,
        )


@strawberry.type(description="One fee on an invoice.")
class InvoiceLine:
    kind: FeeKind
    kind_label: str
    amount_fen: int
    note: str | None


@strawberry.type(
    description="An entry of an invoice's ledger (a charge, a payment, a refund, a "
    "cancellation); never edited. `amountFen` is what it adds to the balance."
)
class LedgerEntry:
    id: strawberry.ID
    kind: LedgerEntryKind
    kind_label: str
    amount_fen: int
    entered_on: dt.date
    method: str | None
    note: str | None


@strawberry.type(description="A payment recorded against an invoice.")
class Payment:
    id: strawberry.ID
    amount_fen: int = strawberry.field(description="what was paid, in fen (positive)")
    paid_on: dt.date
    method: str
    idempotency_key: str
    recorded_at: dt.datetime


def _entry_id(row: Any) -> strawberry.ID:
    return strawberry.ID(ids.encode("LedgerEntry", row.community_id, row.id))


def entry_of(row: Any, language: str) -> LedgerEntry:  # a fee_entries row
    return LedgerEntry(
        id=_entry_id(row),
        kind=row.kind,
        kind_label=LedgerEntryKind(row.kind).label(language),
        amount_fen=row.amount_fen,
        entered_on=row.entered_on,
        method=row.method,
        note=row.note,
    )


def payment_of(row: Any) -> Payment:  # a fee_entries row of kind PAYMENT
    return Payment(
        id=_entry_id(row),
        amount_fen=-row.amount_fen,
        paid_on=row.entered_on,
        method=row.method or "",
        idempotency_key=row.idempotency_key or "",
        recorded_at=row.created_at,
    )


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
    status_label: str
    cancelled_reason: str | None
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    unit_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: Any, language: str = "zh") -> "Invoice":  # an invoices row
        return cls(
            id=strawberry.ID(ids.encode("Invoice", row.community_id, row.id)),
            number=row.number,
            year=row.year,
            total_fen=row.total_fen,
            issued_on=row.issued_on,
            due_on=row.due_on,
            status=row.status,
            status_label=InvoiceStatus(row.status).label(language),
            cancelled_reason=row.cancelled_reason,
            db_id=row.id,
            community_id=row.community_id,
            unit_id=row.unit_id,
        )

    @strawberry.field(description="what was paid (payments less refunds), in fen")
    async def paid_fen(self, info: Info) -> int:
        sums = await info.context.loaders.of(SUMS).load(self.db_id)
        return int(sums[1]) if sums else 0

    @strawberry.field(description="what is still owed: the sum of the ledger's entries, in fen")
    async def balance_fen(self, info: Info) -> int:
        sums = await info.context.loaders.of(SUMS).load(self.db_id)
        return int(sums[2]) if sums else 0

    @strawberry.field(
        description="days past the due date while open (0 otherwise); more than 30 is a "
        "finding of the `fees` rule (7(6), 19(4))"
    )
    def days_overdue(self) -> int:
        if self.status is not InvoiceStatus.OPEN:
            return 0
        return rules.days_overdue(self.due_on, today())

    @strawberry.field(description="the unit charged; null for a community's own invoice")
    async def unit(self, info: Info) -> Unit | None:
        if self.unit_id is None:
            return None
        row = await info.context.loaders.unit.load(self.unit_id)
        return Unit.of(row) if row else None

    @strawberry.field(description="the community the invoice is charged through")
    async def community(self, info: Info) -> Community:
        row = await info.context.loaders.community.load(self.community_id)
        return Community.of(row)

    @strawberry.field
    async def lines(self, info: Info) -> list[InvoiceLine]:
        rows = await info.context.loaders.of(LINES).load(self.db_id)
        language = info.context.language
        return [
            InvoiceLine(
                kind=row.kind,
                kind_label=FeeKind(row.kind).label(language),
                amount_fen=row.amount_fen,
                note=row.note,
            )
            for row in rows
        ]

    @strawberry.field(description="the payments recorded against it, oldest first")
    async def payments(self, info: Info) -> list[Payment]:
        rows = await info.context.loaders.of(ENTRIES).load(self.db_id)
        return [payment_of(row) for row in rows if row.kind == LedgerEntryKind.PAYMENT]

    @strawberry.field(description="every entry of its ledger, oldest first")
    async def ledger(self, info: Info) -> list[LedgerEntry]:
        rows = await info.context.loaders.of(ENTRIES).load(self.db_id)
        return [entry_of(row, info.context.language) for row in rows]


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
    return Invoice.of(row, context.language) if row else None
