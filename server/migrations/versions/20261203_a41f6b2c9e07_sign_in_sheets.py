"""sign-in sheets imported for community activities, so their readers can download them

Revision ID: a41f6b2c9e07
Revises: 5d0e7a91c3b4
Create Date: 2026-12-03 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a41f6b2c9e07"
down_revision: str | None = "5d0e7a91c3b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The row-level-security condition as `tenants/rls.py` wrote it when this revision was made,
# frozen: a later change of the live condition needs its own revision, not a rewrite of this one.
TENANT_VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)


def upgrade() -> None:
    op.create_table(
        "sign_in_sheets",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("activity_id", sa.BigInteger(), nullable=False),
        sa.Column("upload_id", sa.BigInteger(), nullable=False),
        sa.Column("imported_by", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["community_id", "activity_id"],
            ["activities.community_id", "activities.id"],
            name=op.f("fk_sign_in_sheets_community_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["imported_by"], ["users.id"], name=op.f("fk_sign_in_sheets_imported_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name=op.f("fk_sign_in_sheets_upload_id_uploads")
        ),
        sa.PrimaryKeyConstraint(
            "community_id", "activity_id", "upload_id", name=op.f("pk_sign_in_sheets")
        ),
    )
    op.create_index(
        "ix_sign_in_sheets_community_id_upload_id",
        "sign_in_sheets",
        ["community_id", "upload_id"],
        unique=False,
    )
    op.execute("ALTER TABLE sign_in_sheets ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE sign_in_sheets FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_only ON sign_in_sheets FOR ALL "
        f"USING ({TENANT_VISIBLE}) WITH CHECK ({TENANT_VISIBLE})"
    )


def downgrade() -> None:
    op.drop_table("sign_in_sheets")
