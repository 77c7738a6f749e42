"""news with Chinese search, community profiles, public activities

Revision ID: 7c3e9a5d1f24
Revises: e5b19d3f7a20
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7c3e9a5d1f24"
down_revision: str | None = "e5b19d3f7a20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The row-level-security condition as `tenants/rls.py` wrote it when this revision was made,
# frozen: a later change of the live condition needs its own revision, not a rewrite of this one.
TENANT_VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)

# Chinese has no spaces between words, and the embedded PostgreSQL has no pg_trgm: text is
# indexed as its Hanzi runs' single characters and overlapping pairs, plus whole words of
# Latin letters and digits, lower-cased; a query asks for its runs' pairs (a single Hanzi for
# a run of one) and its words, all of them. "老年" then finds "老年教育" and not "年老".
HAN = "㐀-䶿一-鿿豈-﫿"
LATIN = "0-9A-Za-zÀ-ÖØ-öø-ɏ"
FUNCTIONS = (
    f"""
    CREATE FUNCTION search_terms(doc text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(lower(m[1])), '{{}}')
      FROM regexp_matches(doc, '([{HAN}]+|[{LATIN}]+)', 'g') AS m
    $$
    """,
    f"""
    CREATE FUNCTION search_lexemes(doc text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(DISTINCT lexeme), '{{}}')
      FROM unnest(search_terms(doc)) AS term,
      LATERAL (
        SELECT term WHERE term !~ '^[{HAN}]'
        UNION ALL
        SELECT substr(term, i, 1) FROM generate_series(1, length(term)) AS i
        WHERE term ~ '^[{HAN}]'
        UNION ALL
        SELECT substr(term, i, 2) FROM generate_series(1, length(term) - 1) AS i
        WHERE term ~ '^[{HAN}]'
      ) AS found(lexeme)
    $$
    """,
    f"""
    CREATE FUNCTION search_query(asked text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT string_agg(quote_literal(lexeme), ' & ')::tsquery
      FROM unnest(search_terms(asked)) AS term,
      LATERAL (
        SELECT term WHERE term !~ '^[{HAN}]' OR length(term) = 1
        UNION ALL
        SELECT substr(term, i, 2) FROM generate_series(1, length(term) - 1) AS i
        WHERE term ~ '^[{HAN}]'
      ) AS found(lexeme)
    $$
    """,
    """
    CREATE FUNCTION search_patterns(asked text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg('%' || term || '%'), '{}') FROM unnest(search_terms(asked)) AS term
    $$
    """,
)


def upgrade() -> None:
    for function in FUNCTIONS:
        op.execute(function)
    op.create_table(
        "news",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "PUBLISHED",
                name="newsstatus",
                native_enum=False,
                length=32,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column("author_user_id", sa.BigInteger(), nullable=False),
        sa.Column("cover_upload_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "upload_ids",
            postgresql.ARRAY(sa.BigInteger()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "search",
            postgresql.TSVECTOR(),
            sa.Computed("array_to_tsvector(search_lexemes(title || ' ' || body))", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_news_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_news_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cover_upload_id"], ["uploads.id"], name=op.f("fk_news_cover_upload_id_uploads")
        ),
        sa.PrimaryKeyConstraint("community_id", "id", name=op.f("pk_news")),
    )
    op.create_index("ix_news_community_id_status_id", "news", ["community_id", "status", "id"])
    op.create_index("ix_news_search", "news", ["search"], postgresql_using="gin")
    op.create_index("ix_news_upload_ids", "news", ["upload_ids"], postgresql_using="gin")
    op.execute("ALTER TABLE news ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE news FORCE ROW LEVEL SECURITY")
    # Published news is public (its sub-platform and the main platform show it); a draft is
    # its community's, and every item is written only inside its community.
    op.execute("CREATE POLICY public_read ON news FOR SELECT USING (status = 'PUBLISHED')")
    op.execute(
        "CREATE POLICY tenant_write ON news FOR ALL "
        f"USING ({TENANT_VISIBLE}) WITH CHECK ({TENANT_VISIBLE})"
    )

    op.add_column("communities", sa.Column("intro", sa.Text(), nullable=True))
    op.add_column("communities", sa.Column("intro_html", sa.Text(), nullable=True))
    op.add_column("communities", sa.Column("colour", sa.String(length=7), nullable=True))
    op.add_column("communities", sa.Column("logo_upload_id", sa.BigInteger(), nullable=True))
    op.add_column("communities", sa.Column("banner_upload_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_communities_logo_upload_id_uploads"),
        "communities",
        "uploads",
        ["logo_upload_id"],
        ["id"],
    )
    op.create_foreign_key(
        op.f("fk_communities_banner_upload_id_uploads"),
        "communities",
        "uploads",
        ["banner_upload_id"],
        ["id"],
    )
    op.create_check_constraint(
        op.f("ck_communities_colour_hex"), "communities", "colour ~ '^#[0-9a-f]{6}$'"
    )
    # Its logo, banner and the pictures of its introduction: public, as the profile is.
    op.add_column(
        "communities",
        sa.Column(
            "profile_upload_ids",
            postgresql.ARRAY(sa.BigInteger()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_communities_profile_upload_ids",
        "communities",
        ["profile_upload_ids"],
        postgresql_using="gin",
    )

    op.add_column(
        "activities",
        sa.Column("is_public", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("activities", "is_public")
    op.drop_index("ix_communities_profile_upload_ids", table_name="communities")
    op.drop_constraint(op.f("ck_communities_colour_hex"), "communities", type_="check")
    op.drop_constraint(
        op.f("fk_communities_banner_upload_id_uploads"), "communities", type_="foreignkey"
    )
    op.drop_constraint(
        op.f("fk_communities_logo_upload_id_uploads"), "communities", type_="foreignkey"
    )
    for column in (
        "profile_upload_ids",
        "banner_upload_id",
        "logo_upload_id",
        "colour",
        "intro_html",
        "intro",
    ):
        op.drop_column("communities", column)
    op.drop_table("news")
    for function in ("search_patterns", "search_query", "search_lexemes", "search_terms"):
        op.execute(f"DROP FUNCTION {function}(text)")
