"""the lines and the ledger of an invoice read by its community and id alone

Revision ID: 7cb250431d1c
Revises: 664aada2e7e6
Create Date: 2026-12-05 14:00:00

Every read of an invoice's lines and ledger entries now names the invoice by its community
and its id (the loaders, the compiled statements, the balances), which the indexes
`(community_id, invoice_id, id)` of both tables answer. The indexes on `invoice_id` alone are
no longer read, and each cost a write on every line and entry.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7cb250431d1c"
down_revision: str | None = "664aada2e7e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_invoice_lines_invoice_id", table_name="invoice_lines")
    op.drop_index("ix_fee_entries_invoice_id", table_name="fee_entries")


def downgrade() -> None:
    op.create_index("ix_fee_entries_invoice_id", "fee_entries", ["invoice_id"])
    op.create_index("ix_invoice_lines_invoice_id", "invoice_lines", ["invoice_id"])
