"""a programme exit (no community) is written only by the all-communities scope

Revision ID: c2d8e4f61a37
Revises: a41f6b2c9e07
Create Date: 2026-12-03 09:30:00

Until now a row of no community passed the exits' write policies in any scope: a transaction
of one community, or of none, could record or reverse a programme exit, and a community
could re-label its own exit as a programme exit. Every programme exit is written by the
project group's or the system's all-communities transactions, so the write policies become
the plain tenant condition (a row of no community matches it only in that scope); reading
stays public.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c2d8e4f61a37"
down_revision: str | None = "a41f6b2c9e07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: a later change to the application's condition must not rewrite this revision.
VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)
OR_PROGRAMME = f"community_id IS NULL OR {VISIBLE}"


def upgrade() -> None:
    op.execute(f"ALTER POLICY tenant_insert ON exits WITH CHECK ({VISIBLE})")
    op.execute(f"ALTER POLICY tenant_update ON exits USING ({VISIBLE}) WITH CHECK ({VISIBLE})")


def downgrade() -> None:
    op.execute(f"ALTER POLICY tenant_insert ON exits WITH CHECK ({OR_PROGRAMME})")
    op.execute(
        f"ALTER POLICY tenant_update ON exits USING ({OR_PROGRAMME}) WITH CHECK ({OR_PROGRAMME})"
    )
