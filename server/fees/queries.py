"""Statements that read fees. Invoices, their lines and their ledger entries are their
community's (row-level security); every list here also says, in its own SQL, whose invoices
its reader may see (`server/fees/readers.py`). Schedules are programme information."""

import datetime as dt
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Select,
    SQLColumnExpression,
    any_,
    bindparam,
    case,
    func,
    select,
)

from server.communities.models import Community
from server.fees.models import FeeEntry, FeeSchedule, Invoice, InvoiceLine
from server.fees.readers import InvoiceReaders, walls
from server.vocabulary import InvoiceStatus, LedgerEntryKind, Region

IDS = bindparam("ids", type_=ARRAY(BigInteger))
COMMUNITIES = bindparam("communities", type_=ARRAY(BigInteger))

# The builders of pages and listings (`schedules_page`, `invoices_page`, `arrears_page`,
# `arrears_by_region_page`) take their values as parameters, or None for those not given
# (`schema/core/pagination.Template`, the compiled reads): SQL expressions, typed so where a
# value alone says nothing of its type.
Value = Any


def schedules_page(year: Value = None, kind: Value = None) -> Select[FeeSchedule]:
    """The schedules of one year, of one kind (parameters, as the other page builders)."""
    statement = select(FeeSchedule)
    if year is not None:
        statement = statement.where(FeeSchedule.year == year)
    if kind is not None:
        statement = statement.where(FeeSchedule.kind == kind)
    return statement


def invoices_statement(
    readers: InvoiceReaders,
    community_id: int | None = None,
    unit_id: int | None = None,
    status: InvoiceStatus | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> Select[Invoice]:
    """The invoices `readers` may see, of one community, of one unit, of one status, due
    from `due_from` to `due_to` (both days included: a cycle's statement)."""
    statement = select(Invoice).where(readers.readable(Invoice.community_id, Invoice.unit_id))
    return _filtered(statement, community_id, unit_id, status, due_from, due_to)


def invoices_page(
    everywhere: Value,
    communities: Value,
    staff_user: Value,
    community_id: Value = None,
    unit_id: Value = None,
    status: Value = None,
    due_from: Value = None,
    due_to: Value = None,
) -> Select[Invoice]:
    """`invoices_statement` with the reader's walls as parameters (`readers.walls`)."""
    readable = walls(Invoice.community_id, Invoice.unit_id, everywhere, communities, staff_user)
    return _filtered(
        select(Invoice).where(readable), community_id, unit_id, status, due_from, due_to
    )


def arrears_page(
    everywhere: Value,
    communities: Value,
    staff_user: Value,
    today: Value,
    community_id: Value = None,
    region: Value = None,
) -> Select[Invoice]:
    """`arrears_statement` with the reader's walls as parameters, of one community (the
    request's) if any."""
    statement = invoices_page(
        everywhere, communities, staff_user, community_id, status=InvoiceStatus.OPEN
    ).where(Invoice.due_on < today)
    return _in_region(statement, region)


def _in_region(statement: Select[Invoice], region: Value) -> Select[Invoice]:
    if region is None:
        return statement
    in_region = select(Community.id).where(Community.region == region)
    return statement.where(Invoice.community_id.in_(in_region.scalar_subquery()))


def _filtered(
    statement: Select[Invoice],
    community_id: Value,
    unit_id: Value,
    status: Value,
    due_from: Value,
    due_to: Value,
) -> Select[Invoice]:
    if due_from is not None:
        statement = statement.where(Invoice.due_on >= due_from)
    if due_to is not None:
        statement = statement.where(Invoice.due_on <= due_to)
    if community_id is not None:
        statement = statement.where(Invoice.community_id == community_id)
    if unit_id is not None:
        statement = statement.where(Invoice.unit_id == unit_id)
    if status is not None:
        statement = statement.where(Invoice.status == status)
    return statement


def arrears_statement(
    readers: InvoiceReaders, today: dt.date, region: Region | None = None
) -> Select[Invoice]:
    """欠费: the open invoices `readers` may see that are past their due date, of the
    communities of one region; an open invoice always owes something (a payment that clears
    it makes it PAID)."""
    statement = invoices_statement(readers, status=InvoiceStatus.OPEN).where(Invoice.due_on < today)
    return _in_region(statement, None if region is None else region.value)


def paid(amount: SQLColumnExpression[int], kind: SQLColumnExpression[Any]) -> ColumnElement[int]:
    """What a ledger entry paid: a payment's amount, less a refund's."""
    return case(
        (kind.in_([LedgerEntryKind.PAYMENT.value, LedgerEntryKind.REFUND.value]), -amount),
        else_=0,
    )


def _invoices_asked() -> Any:  # `Any`: a table-valued function's alias
    """The invoices a batch asks for, `:communities` and `:ids` in step: an invoice is named
    by its community and its id, the order of its lines' and entries' index."""
    return (
        func.unnest(COMMUNITIES, IDS)
        .table_valued("community_id", "invoice_id")
        .render_derived(name="asked")
    )


def lines_statement() -> Select[InvoiceLine]:
    """The lines of the invoices asked (`_invoices_asked`), in the order they were written."""
    asked = _invoices_asked()
    return (
        select(InvoiceLine)
        .join(asked, _of_invoice(InvoiceLine, asked.c.community_id, asked.c.invoice_id))
        .order_by(InvoiceLine.id)
    )


def entries_statement() -> Select[FeeEntry]:
    """The ledger entries of the invoices asked (`_invoices_asked`), oldest first."""
    asked = _invoices_asked()
    return (
        select(FeeEntry)
        .join(asked, _of_invoice(FeeEntry, asked.c.community_id, asked.c.invoice_id))
        .order_by(FeeEntry.id)
    )


def _of_invoice(
    table: type[InvoiceLine] | type[FeeEntry],
    community_id: SQLColumnExpression[int] | int,
    invoice_id: SQLColumnExpression[int] | int,
) -> ColumnElement[bool]:
    """The rows of `table` (lines or ledger entries) of one invoice."""
    return (table.community_id == community_id) & (table.invoice_id == invoice_id)


def unit_balances_statement() -> Select[int | None, int, int]:
    """What each unit of `:ids` owes through each community (unit, community, the sum of its
    entries there): one row per community, so that a reader's walls
    (`InvoiceReaders.may_read`) keep only the communities it may see."""
    return (
        select(
            FeeEntry.unit_id,
            FeeEntry.community_id,
            func.coalesce(func.sum(FeeEntry.amount_fen), 0).cast(BigInteger),
        )
        .where(FeeEntry.unit_id == any_(IDS))
        .group_by(FeeEntry.unit_id, FeeEntry.community_id)
    )


def community_balances_statement() -> Select[int, int]:
    """What is owed through each community of `:ids` (community, the sum of its entries:
    its member units' invoices and its own)."""
    return (
        select(
            FeeEntry.community_id,
            func.coalesce(func.sum(FeeEntry.amount_fen), 0).cast(BigInteger),
        )
        .where(FeeEntry.community_id == any_(IDS))
        .group_by(FeeEntry.community_id)
    )


def balance_statement(community_id: int, invoice_id: int) -> Select[int]:
    """One invoice's balance: the sum of its entries."""
    return select(func.coalesce(func.sum(FeeEntry.amount_fen), 0).cast(BigInteger)).where(
        _of_invoice(FeeEntry, community_id, invoice_id)
    )


def open_invoices_statement(community_ids: list[int], before: dt.date) -> Select[Any]:
    """For the `fees` audit and its reminders: the communities' open invoices due before
    `before`, each with its balance (invoice id, community, unit, number, due date,
    balance)."""
    balance: ColumnElement[Any] = invoice_balance(Invoice.community_id, Invoice.id)
    return (
        select(
            Invoice.id,
            Invoice.community_id,
            Invoice.unit_id,
            Invoice.number,
            Invoice.due_on,
            balance,
        )
        .where(
            Invoice.community_id.in_(community_ids),
            Invoice.status == InvoiceStatus.OPEN,
            Invoice.due_on < before,
        )
        .order_by(Invoice.community_id, Invoice.due_on, Invoice.id)
    )


def arrears_by_region_page(
    everywhere: Value, communities: Value, staff_user: Value, today: Value
) -> Select[str, int, int]:
    """欠费 by region, over the invoices of `arrears_page`: (`region`, how many invoices
    past due and open as `invoices`, what they still owe as `owed_fen`)."""
    owed = arrears_page(everywhere, communities, staff_user, today).subquery()
    return (
        select(
            Community.region.label("region"),
            func.count(func.distinct(owed.c.id)).cast(BigInteger).label("invoices"),
            func.coalesce(func.sum(FeeEntry.amount_fen), 0).cast(BigInteger).label("owed_fen"),
        )
        .select_from(owed)
        .join(Community, Community.id == owed.c.community_id)
        .join(FeeEntry, _of_invoice(FeeEntry, owed.c.community_id, owed.c.id))
        .group_by(Community.region)
    )


def invoice_paid(
    community_id: SQLColumnExpression[int], invoice_id: SQLColumnExpression[int]
) -> ColumnElement[int]:
    """What was paid against an invoice (payments less refunds), from its ledger."""
    return (
        select(
            func.coalesce(func.sum(paid(FeeEntry.amount_fen, FeeEntry.kind)), 0).cast(BigInteger)
        )
        .where(_of_invoice(FeeEntry, community_id, invoice_id))
        .scalar_subquery()
    )


def invoice_balance(
    community_id: SQLColumnExpression[int], invoice_id: SQLColumnExpression[int]
) -> ColumnElement[int]:
    """What an invoice still owes: the sum of its ledger's entries."""
    return (
        select(func.coalesce(func.sum(FeeEntry.amount_fen), 0).cast(BigInteger))
        .where(_of_invoice(FeeEntry, community_id, invoice_id))
        .scalar_subquery()
    )


def invoice_lines(
    community_id: SQLColumnExpression[int], invoice_id: SQLColumnExpression[int]
) -> Select[Any]:
    """An invoice's lines (order them by `id`: as they were written)."""
    return select(InvoiceLine).where(_of_invoice(InvoiceLine, community_id, invoice_id))


def invoice_entries(
    community_id: SQLColumnExpression[int], invoice_id: SQLColumnExpression[int]
) -> Select[Any]:
    """An invoice's ledger entries (order them by `id`: oldest first)."""
    return select(FeeEntry).where(_of_invoice(FeeEntry, community_id, invoice_id))


def invoice_payments(
    community_id: SQLColumnExpression[int], invoice_id: SQLColumnExpression[int]
) -> Select[*tuple[Any, ...]]:
    """An invoice's payments, as `Payment` shows them: what was paid (positive), when, how."""
    return select(
        FeeEntry.community_id,
        FeeEntry.id,
        (-FeeEntry.amount_fen).label("amount_fen"),
        FeeEntry.entered_on.label("paid_on"),
        func.coalesce(FeeEntry.method, "").label("method"),
        func.coalesce(FeeEntry.idempotency_key, "").label("idempotency_key"),
        FeeEntry.created_at.label("recorded_at"),
    ).where(
        _of_invoice(FeeEntry, community_id, invoice_id),
        FeeEntry.kind == LedgerEntryKind.PAYMENT,
    )
