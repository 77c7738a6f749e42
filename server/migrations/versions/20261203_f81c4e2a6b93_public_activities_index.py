"""the activities a community made public, indexed

Revision ID: f81c4e2a6b93
Revises: d3a7f19c5b62
Create Date: 2026-12-03 18:00:00

A sub-platform shows the few activities its leader made public, newest first, with their
count. Without an index PostgreSQL read every activity of the community (hundreds in a
cycle) to find them, twice, on every anonymous visit; a partial index holds only the public
ones, in the page's order.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f81c4e2a6b93"
down_revision: str | None = "d3a7f19c5b62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_activities_public",
        "activities",
        ["community_id", "id"],
        postgresql_where="is_public",
    )


def downgrade() -> None:
    op.drop_index("ix_activities_public", table_name="activities")
