"""recognitions: awards, honours, model and featured communities and units, national brands

Revision ID: e7a3c51d9b26
Revises: b8d3f2a61c94
Create Date: 2026-12-04 05:00:00

Art. 6(5): the project group grants achievement awards, honour certificates, demonstration
and featured communities and units, and 3-5 national lifelong-learning brands a year; each
grant issues a certificate with a unique number and a public verification page. Every row is
public (the verification page shows it to anyone); a row is written in its community's scope,
a unit's (no community) only in the all-communities scope, as the exits are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7a3c51d9b26"
down_revision: str | None = "a7e4c9b2d815"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The row-level-security condition as `tenants/rls.py` wrote it when this revision was made,
# frozen: a later change of the live condition needs its own revision, not a rewrite of this one.
TENANT_VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)


def _vocabulary(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32, create_constraint=True)


def upgrade() -> None:
    op.create_table(
        "recognitions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "kind",
            _vocabulary(
                "recognitionkind",
                "ACHIEVEMENT_AWARD",
                "HONOUR_CERTIFICATE",
                "MODEL_COMMUNITY",
                "FEATURED_COMMUNITY",
                "MODEL_UNIT",
                "FEATURED_UNIT",
                "NATIONAL_BRAND",
            ),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("prize", _vocabulary("prize", "FIRST", "SECOND", "THIRD"), nullable=True),
        sa.Column("unit_id", sa.BigInteger(), nullable=True),
        sa.Column("achievement_id", sa.BigInteger(), nullable=True),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("citation", sa.Text(), nullable=True),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("granted_by", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("revoked_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_recognitions_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_recognitions_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["granted_by"], ["users.id"], name=op.f("fk_recognitions_granted_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["users.id"], name=op.f("fk_recognitions_revoked_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognitions")),
        sa.UniqueConstraint("number", name=op.f("uq_recognitions_number")),
    )
    op.create_index("ix_recognitions_year_kind", "recognitions", ["year", "kind"])
    op.create_index("ix_recognitions_community_id_id", "recognitions", ["community_id", "id"])
    # The backstop of "the same holder does not get the same kind twice in a year" (the
    # service refuses it first, under the year's lock): a revoked grant no longer counts.
    op.execute(
        "CREATE UNIQUE INDEX uq_recognitions_holder ON recognitions (year, kind, "
        "COALESCE(community_id, 0), COALESCE(unit_id, 0), COALESCE(achievement_id, 0), "
        "holder_name) WHERE revoked_at IS NULL"
    )
    op.execute("ALTER TABLE recognitions ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE recognitions FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY public_read ON recognitions FOR SELECT USING (true)")
    op.execute(
        f"CREATE POLICY tenant_insert ON recognitions FOR INSERT WITH CHECK ({TENANT_VISIBLE})"
    )
    op.execute(
        f"CREATE POLICY tenant_update ON recognitions FOR UPDATE "
        f"USING ({TENANT_VISIBLE}) WITH CHECK ({TENANT_VISIBLE})"
    )


def downgrade() -> None:
    op.drop_table("recognitions")
