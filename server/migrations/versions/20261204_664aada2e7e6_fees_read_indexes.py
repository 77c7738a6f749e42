"""the ledger and the lines of an invoice by its id alone, and open invoices oldest first

Revision ID: 664aada2e7e6
Revises: c4f8a2e61b37
Create Date: 2026-12-04 19:00:00

A page of invoices reads their balances, lines and entries by the invoices' ids
(`= ANY(:ids)`, the loaders' one statement per page), but the ledger's and the lines' indexes
led with the community: at national scale each page scanned the whole ledger (92,000 entries,
about 100 ms). An invoice's id is unique on its own (an identity), so each table gets an index
on it. The arrears list the open invoices past their due date oldest first: a partial index on
the open invoices' ids reads them in that order instead of sorting every open one.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "664aada2e7e6"
down_revision: str | None = "c4f8a2e61b37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_fee_entries_invoice_id", "fee_entries", ["invoice_id"])
    op.create_index("ix_invoice_lines_invoice_id", "invoice_lines", ["invoice_id"])
    op.create_index("ix_invoices_open_id", "invoices", ["id"], postgresql_where="status = 'OPEN'")


def downgrade() -> None:
    op.drop_index("ix_invoices_open_id", table_name="invoices")
    op.drop_index("ix_invoice_lines_invoice_id", table_name="invoice_lines")
    op.drop_index("ix_fee_entries_invoice_id", table_name="fee_entries")
