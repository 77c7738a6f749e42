"""uploads by owner and day, for the daily upload quota

Revision ID: 5d0e7a91c3b4
Revises: 3f9a1c7d2e58
Create Date: 2026-12-03 08:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d0e7a91c3b4"
down_revision: str | None = "3f9a1c7d2e58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_uploads_owner_user_id_created_at"),
        "uploads",
        ["owner_user_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_uploads_owner_user_id_created_at"), table_name="uploads")
