"""achievements: what the communities produce, and the course resource library

Revision ID: a7e4c9b2d815
Revises: b8d3f2a61c94
Create Date: 2026-12-04 10:00:00

Art. 6b, 16(6), 17: a community's leader or deputies (or a member unit's staff, for their
unit) record its achievements (成果): papers, cases, brands, publications, course resources,
platforms. Each is kept to its community, shared with all communities, or public. Row-level
security shows a public one to every reader; the others stay in their tenant (the code
narrows a tenant's reads to what the reader may see, as it does for news drafts). The
achievement's title, summary and subject are searched as news is (`search_lexemes`, a GIN
index). A sub-topic's conclusion report records the achievements it links.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a7e4c9b2d815"
down_revision: str | None = "b8d3f2a61c94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The row-level-security condition as `tenants/rls.py` wrote it when this revision was made,
# frozen: a later change of the live condition needs its own revision, not a rewrite of this one.
TENANT_VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)
SEARCH_LEXEMES = (
    "array_to_tsvector(search_lexemes(title || ' ' || summary || ' ' || coalesce(subject, '')))"
)


def _vocabulary(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32, create_constraint=True)


def upgrade() -> None:
    op.create_table(
        "achievements",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "kind",
            _vocabulary(
                "achievementkind",
                "PAPER",
                "CASE",
                "BRAND",
                "PUBLICATION",
                "COURSE_RESOURCE",
                "PLATFORM",
            ),
            nullable=False,
        ),
        sa.Column("unit_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("authors", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("sub_topic_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "upload_ids",
            postgresql.ARRAY(sa.BigInteger()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "links", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column(
            "visibility",
            _vocabulary("visibility", "COMMUNITY", "ALL_COMMUNITIES", "PUBLIC"),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=100), nullable=True),
        sa.Column("audience", sa.String(length=100), nullable=True),
        sa.Column("format", sa.String(length=100), nullable=True),
        sa.Column("submitted_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "search",
            postgresql.TSVECTOR(),
            sa.Computed(SEARCH_LEXEMES, persisted=True),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_achievements_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_achievements_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["community_id", "sub_topic_id"],
            ["sub_topics.community_id", "sub_topics.id"],
            name=op.f("fk_achievements_community_id_sub_topics"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_achievements_submitted_by_users")
        ),
        sa.PrimaryKeyConstraint("community_id", "id", name=op.f("pk_achievements")),
    )
    op.create_index(
        "ix_achievements_community_id_visibility_id",
        "achievements",
        ["community_id", "visibility", "id"],
    )
    op.create_index("ix_achievements_search", "achievements", ["search"], postgresql_using="gin")
    op.create_index(
        "ix_achievements_upload_ids", "achievements", ["upload_ids"], postgresql_using="gin"
    )
    op.create_index(
        "ix_achievements_public_id",
        "achievements",
        ["id"],
        postgresql_where=sa.text("visibility = 'PUBLIC'"),
    )
    op.execute("ALTER TABLE achievements ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE achievements FORCE ROW LEVEL SECURITY")
    # A public achievement is on its sub-platform and the main platform; the others are read
    # and every one written only inside its community.
    op.execute("CREATE POLICY public_read ON achievements FOR SELECT USING (visibility = 'PUBLIC')")
    op.execute(
        "CREATE POLICY tenant_write ON achievements FOR ALL "
        f"USING ({TENANT_VISIBLE}) WITH CHECK ({TENANT_VISIBLE})"
    )
    op.add_column(
        "topic_reports",
        sa.Column(
            "achievement_ids",
            postgresql.ARRAY(sa.BigInteger()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("topic_reports", "achievement_ids")
    op.drop_table("achievements")
