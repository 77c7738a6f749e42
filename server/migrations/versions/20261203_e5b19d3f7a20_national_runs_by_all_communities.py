"""a national audit run (no community) is seen and written only by the all-communities scope

Revision ID: e5b19d3f7a20
Revises: c2d8e4f61a37
Create Date: 2026-12-03 11:50:00

Until now a run of no community passed the audit runs' policy in any scope: a transaction of
one community, or of none, could open a national run, mark one finished or read one, and a
community could re-label its own run as national. National runs are opened, advanced and read
by the all-communities transactions of the project group, the worker and the shell; a
community's run reads the last national one from that scope too. So the policy becomes the
plain tenant condition: a row of no community matches it only in the all-communities scope.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e5b19d3f7a20"
down_revision: str | None = "c2d8e4f61a37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: a later change to the application's condition must not rewrite this revision.
VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)
OR_NATIONAL = f"community_id IS NULL OR {VISIBLE}"


def upgrade() -> None:
    op.execute(f"ALTER POLICY scope_visible ON audit_runs USING ({VISIBLE}) WITH CHECK ({VISIBLE})")


def downgrade() -> None:
    op.execute(
        f"ALTER POLICY scope_visible ON audit_runs USING ({OR_NATIONAL}) WITH CHECK ({OR_NATIONAL})"
    )
