"""evaluation rounds: nominations, expert review assignments and their scores

Revision ID: c5d9e3a7f142
Revises: e7a3c51d9b26
Create Date: 2026-12-04 15:00:00

Art. 17(4), 6b: the project group opens an evaluation round (评审) with weighted criteria, the
communities nominate their achievements, assigned experts score them and the round closes
into a ranking. A round is programme information (no tenant); a nomination and its review
assignments are their community's, read and written inside it or in the all-communities
scope (the project group's lists, an expert's queue across communities: the code narrows
those to what the reader may see). A recognition's awarded achievement is now a foreign key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c5d9e3a7f142"
down_revision: str | None = "e7a3c51d9b26"
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
        "evaluation_rounds",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kinds", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "CLOSED",
                name="roundstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("opened_by", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_evaluation_rounds_closed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["users.id"], name=op.f("fk_evaluation_rounds_opened_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_rounds")),
    )
    op.create_table(
        "nominations",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("achievement_id", sa.BigInteger(), nullable=False),
        sa.Column("nominated_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "weighted_score", sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=True
        ),
        sa.Column("spread", sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["community_id", "achievement_id"],
            ["achievements.community_id", "achievements.id"],
            name=op.f("fk_nominations_community_id_achievements"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_nominations_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["nominated_by"], ["users.id"], name=op.f("fk_nominations_nominated_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["evaluation_rounds.id"],
            name=op.f("fk_nominations_round_id_evaluation_rounds"),
        ),
        sa.PrimaryKeyConstraint("community_id", "id", name=op.f("pk_nominations")),
        sa.UniqueConstraint(
            "round_id",
            "community_id",
            "achievement_id",
            name=op.f("uq_nominations_round_id_community_id_achievement_id"),
        ),
    )
    op.create_index("ix_nominations_round_id_id", "nominations", ["round_id", "id"], unique=False)
    op.create_table(
        "review_assignments",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("nomination_id", sa.BigInteger(), nullable=False),
        sa.Column("expert_user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ASSIGNED",
                "SUBMITTED",
                "CONFLICT_DECLARED",
                name="assignmentstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("scores", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conflict_reason", sa.Text(), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["users.id"], name=op.f("fk_review_assignments_assigned_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["community_id", "nomination_id"],
            ["nominations.community_id", "nominations.id"],
            name=op.f("fk_review_assignments_community_id_nominations"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_review_assignments_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_user_id"],
            ["users.id"],
            name=op.f("fk_review_assignments_expert_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("community_id", "id", name=op.f("pk_review_assignments")),
        sa.UniqueConstraint(
            "community_id",
            "nomination_id",
            "expert_user_id",
            name=op.f("uq_review_assignments_community_id_nomination_id_expert_user_id"),
        ),
    )
    op.create_index(
        "ix_review_assignments_expert_user_id_id",
        "review_assignments",
        ["expert_user_id", "id"],
        unique=False,
    )
    op.create_foreign_key(
        op.f("fk_recognitions_community_id_achievements"),
        "recognitions",
        "achievements",
        ["community_id", "achievement_id"],
        ["community_id", "id"],
    )
    for table in ("nominations", "review_assignments"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} FOR ALL "
            f"USING ({TENANT_VISIBLE}) WITH CHECK ({TENANT_VISIBLE})"
        )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_recognitions_community_id_achievements"), "recognitions", type_="foreignkey"
    )
    op.drop_index("ix_review_assignments_expert_user_id_id", table_name="review_assignments")
    op.drop_table("review_assignments")
    op.drop_index("ix_nominations_round_id_id", table_name="nominations")
    op.drop_table("nominations")
    op.drop_table("evaluation_rounds")
