"""research topics: the national topic, the communities' sub-topics and their reports

Revision ID: b8d3f2a61c94
Revises: a4c2e9d17b58
Create Date: 2026-12-03 22:00:00

Art. 5(4), 16(7), 17(3): the project group opens the national research topic (总课题); a
community's leader or deputies register sub-topics (子课题) under it, the project group reviews
them, and the community reports on their progress and conclusion. A sub-topic once approved is
public programme information (its title and who carries it); its plan and reports are the
community's (the code narrows what outsiders see of an approved row's plan).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b8d3f2a61c94"
down_revision: str | None = "a4c2e9d17b58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The row-level-security condition as `tenants/rls.py` wrote it when this revision was made,
# frozen: a later change of the live condition needs its own revision, not a rewrite of this one.
TENANT_VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)


def _status(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32, create_constraint=True)


def _created_at() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "research_topics",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("opened_by", sa.BigInteger(), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["users.id"], name=op.f("fk_research_topics_opened_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_topics")),
    )
    op.create_table(
        "sub_topics",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("topic_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("leader_name", sa.String(length=100), nullable=False),
        sa.Column(
            "member_unit_ids",
            postgresql.ARRAY(sa.BigInteger()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column(
            "status",
            _status("subtopicstatus", "PENDING", "APPROVED", "REJECTED", "CONCLUDED"),
            nullable=False,
        ),
        sa.Column("registered_by", sa.BigInteger(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.BigInteger(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("concluded_at", sa.DateTime(timezone=True), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_sub_topics_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["research_topics.id"],
            name=op.f("fk_sub_topics_topic_id_research_topics"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_sub_topics_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["registered_by"], ["users.id"], name=op.f("fk_sub_topics_registered_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["users.id"], name=op.f("fk_sub_topics_reviewed_by_users")
        ),
        sa.PrimaryKeyConstraint("community_id", "id", name=op.f("pk_sub_topics")),
    )
    op.create_index(
        "ix_sub_topics_community_id_status_id", "sub_topics", ["community_id", "status", "id"]
    )
    op.create_index("ix_sub_topics_topic_id_id", "sub_topics", ["topic_id", "id"])
    op.create_table(
        "topic_reports",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("sub_topic_id", sa.BigInteger(), nullable=False),
        sa.Column("stage", _status("topicstage", "PROGRESS", "CONCLUSION"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.BigInteger(), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_topic_reports_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id", "sub_topic_id"],
            ["sub_topics.community_id", "sub_topics.id"],
            name=op.f("fk_topic_reports_community_id_sub_topics"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_topic_reports_submitted_by_users")
        ),
        sa.PrimaryKeyConstraint("community_id", "id", name=op.f("pk_topic_reports")),
    )
    op.create_index(
        "ix_topic_reports_community_id_sub_topic_id_id",
        "topic_reports",
        ["community_id", "sub_topic_id", "id"],
    )
    for table in ("sub_topics", "topic_reports"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} FOR ALL "
            f"USING ({TENANT_VISIBLE}) WITH CHECK ({TENANT_VISIBLE})"
        )
    # An approved (or concluded) sub-topic is public programme information: its title, its
    # community and who carries it show on the platforms.
    op.execute(
        "CREATE POLICY public_read ON sub_topics FOR SELECT "
        "USING (status IN ('APPROVED', 'CONCLUDED'))"
    )


def downgrade() -> None:
    op.drop_table("topic_reports")
    op.drop_table("sub_topics")
    op.drop_table("research_topics")
