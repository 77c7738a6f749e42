"""fees: schedules, invoices, their lines and the ledger of payments, refunds and cancellations

Revision ID: c4f8a2e61b37
Revises: c5d9e3a7f142
Create Date: 2026-12-04 15:00:00

Art. 7(6), 18(6), 19(4), 20: the project group sets a schedule per fee kind and year (in
integer fen), issues invoices (应收) to units or communities, and records payments against
them. The balance of an invoice is the sum of its ledger entries, which are never edited nor
deleted (the application role may only insert them). Invoices, lines and entries are their
community's (row-level security); schedules are programme information.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4f8a2e61b37"
down_revision: str | None = "c5d9e3a7f142"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The application role, as `server/db_roles.py` names it when this revision was made.
APP_ROLE = "gongxue_app"
# The row-level-security condition as `tenants/rls.py` wrote it when this revision was made,
# frozen: a later change of the live condition needs its own revision, not a rewrite of this one.
TENANT_VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)
FEE_KINDS = (
    "RESEARCH_GUIDANCE",
    "CONFERENCE",
    "TRAINING",
    "SUB_SITE",
    "EXPERT_GUIDANCE",
    "EVALUATION",
)


def _vocabulary(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32, create_constraint=True)


def _created_at() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _community(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community_id"], ["communities.id"], name=op.f(f"fk_{table}_community_id_communities")
    )


def upgrade() -> None:
    op.create_table(
        "fee_schedules",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", _vocabulary("feekind", *FEE_KINDS), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.BigInteger(), nullable=True),
        _created_at(),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_fee_schedules_amount_positive")),
        sa.ForeignKeyConstraint(
            ["set_by"], ["users.id"], name=op.f("fk_fee_schedules_set_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedules")),
        sa.UniqueConstraint("year", "kind", name=op.f("uq_fee_schedules_year_kind")),
    )
    op.create_table(
        "invoices",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=True),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status", _vocabulary("invoicestatus", "OPEN", "PAID", "CANCELLED"), nullable=False
        ),
        sa.Column("issued_by", sa.BigInteger(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_by", sa.BigInteger(), nullable=True),
        _created_at(),
        sa.CheckConstraint("total_fen > 0", name=op.f("ck_invoices_total_positive")),
        _community("invoices"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_invoices_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["users.id"], name=op.f("fk_invoices_issued_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by"], ["users.id"], name=op.f("fk_invoices_cancelled_by_users")
        ),
        sa.PrimaryKeyConstraint("community_id", "id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    op.create_index(
        "ix_invoices_community_id_status_due_on",
        "invoices",
        ["community_id", "status", "due_on"],
    )
    op.create_index(
        "ix_invoices_community_id_unit_id_id", "invoices", ["community_id", "unit_id", "id"]
    )
    op.create_index("ix_invoices_unit_id", "invoices", ["unit_id"])
    op.create_table(
        "invoice_lines",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", _vocabulary("feekind", *FEE_KINDS), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("schedule_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_invoice_lines_amount_positive")),
        _community("invoice_lines"),
        sa.ForeignKeyConstraint(
            ["community_id", "invoice_id"],
            ["invoices.community_id", "invoices.id"],
            name=op.f("fk_invoice_lines_community_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["fee_schedules.id"],
            name=op.f("fk_invoice_lines_schedule_id_fee_schedules"),
        ),
        sa.PrimaryKeyConstraint("community_id", "id", name=op.f("pk_invoice_lines")),
    )
    op.create_index(
        "ix_invoice_lines_community_id_invoice_id_id",
        "invoice_lines",
        ["community_id", "invoice_id", "id"],
    )
    op.create_index("ix_invoice_lines_schedule_id", "invoice_lines", ["schedule_id"])
    op.create_table(
        "fee_entries",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "kind",
            _vocabulary("ledgerentrykind", "CHARGE", "PAYMENT", "REFUND", "CANCELLATION"),
            nullable=False,
        ),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        _created_at(),
        sa.CheckConstraint("amount_fen <> 0", name=op.f("ck_fee_entries_amount_not_zero")),
        _community("fee_entries"),
        sa.ForeignKeyConstraint(
            ["community_id", "invoice_id"],
            ["invoices.community_id", "invoices.id"],
            name=op.f("fk_fee_entries_community_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_fee_entries_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_fee_entries_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("community_id", "id", name=op.f("pk_fee_entries")),
        # The backstop of "the same payment recorded twice is recorded once".
        sa.UniqueConstraint(
            "community_id",
            "idempotency_key",
            name=op.f("uq_fee_entries_community_id_idempotency_key"),
        ),
    )
    op.create_index(
        "ix_fee_entries_community_id_invoice_id_id",
        "fee_entries",
        ["community_id", "invoice_id", "id"],
    )
    op.create_index("ix_fee_entries_unit_id", "fee_entries", ["unit_id"])
    for table in ("invoices", "invoice_lines", "fee_entries"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} FOR ALL "
            f"USING ({TENANT_VISIBLE}) WITH CHECK ({TENANT_VISIBLE})"
        )
    # The ledger is history: a correction is a new entry, never an edit.
    op.execute(f"REVOKE UPDATE, DELETE ON fee_entries, invoice_lines FROM {APP_ROLE}")


def downgrade() -> None:
    op.drop_table("fee_entries")
    op.drop_table("invoice_lines")
    op.drop_table("invoices")
    op.drop_table("fee_schedules")
