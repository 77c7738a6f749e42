import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base, Timestamped
from server.vocabulary import FeeKind, InvoiceStatus, LedgerEntryKind


class FeeSchedule(Timestamped, Base):
    """收费标准: the project group's amount for one kind of fee in one year (Art. 20), in
    integer fen. Programme information, read by anyone; changed only until an invoice line
    was issued from it."""

    __tablename__ = "fee_schedules"
    __table_args__ = (
        UniqueConstraint("year", "kind"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[FeeKind] = mapped_column(vocabulary(FeeKind))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Invoice(Timestamped, Base):
    """应收: what a unit (or a community itself, `unit_id` None) owes, with a unique number, a
    due date and its lines. Tenant-owned: `community_id` is the community the charge is made
    through (a unit's own community). Its balance is never stored: it is the sum of its
    ledger entries (`FeeEntry`); `status` follows them (OPEN, PAID, CANCELLED)."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("number"),
        CheckConstraint("total_fen > 0", name="total_positive"),
        Index("ix_invoices_community_id_status_due_on", "community_id", "status", "due_on"),
        Index("ix_invoices_community_id_unit_id_id", "community_id", "unit_id", "id"),
        Index("ix_invoices_unit_id", "unit_id"),
        Index("ix_invoices_open_id", "id", postgresql_where=text("status = 'OPEN'")),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    number: Mapped[str] = mapped_column(String(32))
    # The fee year: the due date's, which names the schedules its lines are issued from.
    year: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[InvoiceStatus] = mapped_column(
        vocabulary(InvoiceStatus), default=InvoiceStatus.OPEN
    )
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class InvoiceLine(Base):
    """One fee on an invoice: its kind, its amount in fen, a note, and the schedule of the
    invoice's year for its kind, if one was set (which then can no longer change)."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community_id", "invoice_id"], ["invoices.community_id", "invoices.id"]
        ),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index("ix_invoice_lines_community_id_invoice_id_id", "community_id", "invoice_id", "id"),
        Index("ix_invoice_lines_schedule_id", "schedule_id"),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[FeeKind] = mapped_column(vocabulary(FeeKind))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("fee_schedules.id"))


class FeeEntry(Timestamped, Base):
    """One entry of the ledger: the invoice's charge, a payment, a refund, a cancellation.
    Never edited nor deleted (the application role may not): a correction is a new entry.
    `amount_fen` is what it adds to the balance: a charge and a refund positive, a payment
    and a cancellation negative. A payment carries the client's idempotency key, unique in
    its community: the same payment recorded twice is recorded once."""

    __tablename__ = "fee_entries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community_id", "invoice_id"], ["invoices.community_id", "invoices.id"]
        ),
        UniqueConstraint("community_id", "idempotency_key"),
        CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
        Index("ix_fee_entries_community_id_invoice_id_id", "community_id", "invoice_id", "id"),
        Index("ix_fee_entries_unit_id", "unit_id"),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(BigInteger)
    # The invoice's unit (None: the community's own), so a unit's balance sums one index.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[LedgerEntryKind] = mapped_column(vocabulary(LedgerEntryKind))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # The day the money moved (a payment's paidOn), or the day of the charge or cancellation.
    entered_on: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String(40))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
