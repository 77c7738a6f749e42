"""published news searched through an index the application role can use

Revision ID: d3a7f19c5b62
Revises: 7c3e9a5d1f24
Create Date: 2026-12-03 16:00:00

Under row-level security PostgreSQL uses a condition as an index condition only if its
operator is leakproof (or the policies come first), and `tsvector @@ tsquery` is not: the
GIN index on `news.search` could answer the owner, never the application, which read every
published item instead. Published news is public, so its search lexemes need no tenant wall
to read: they live in `published_news_search`, whose only reading policy is `true` (nothing
for the planner to put first), kept by a trigger on `news` as items are published, edited and
unpublished. Writing it stays within the community, as writing news does. Its `news_id`
index, which does not lead with the community, gives the main platform's newest-first order
across communities: for a common word PostgreSQL walks it and stops at the page's end.

`search_patterns` now confirms as written only runs of three Hanzi or more: a run of one or
two is one lexeme, present exactly when the text holds it, and a Latin word is a whole-word
lexeme, stricter than a substring. The confirmation read every match's text, and PostgreSQL,
taking it for a filter that keeps almost nothing, would not stop early.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d3a7f19c5b62"
down_revision: str | None = "7c3e9a5d1f24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The row-level-security condition as `tenants/rls.py` wrote it when this revision was made,
# frozen: a later change of the live condition needs its own revision, not a rewrite of this one.
TENANT_VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)
APP_ROLE = "gongxue_app"
HAN = "㐀-䶿一-鿿豈-﫿"
PATTERNS = """
    CREATE OR REPLACE FUNCTION search_patterns(asked text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg('%' || term || '%'), '{{}}')
      FROM unnest(search_terms(asked)) AS term
      {where}
    $$
"""


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE published_news_search (
          community_id bigint NOT NULL,
          news_id bigint NOT NULL,
          search tsvector NOT NULL,
          CONSTRAINT pk_published_news_search PRIMARY KEY (community_id, news_id),
          CONSTRAINT fk_published_news_search_news FOREIGN KEY (community_id, news_id)
            REFERENCES news (community_id, id) ON DELETE CASCADE
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_published_news_search_search ON published_news_search USING gin (search)"
    )
    op.execute("CREATE INDEX ix_published_news_search_news_id ON published_news_search (news_id)")
    op.execute(PATTERNS.format(where=f"WHERE term ~ '^[{HAN}]' AND length(term) > 2"))
    op.execute("ALTER TABLE published_news_search ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE published_news_search FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY public_read ON published_news_search FOR SELECT USING (true)")
    op.execute(
        "CREATE POLICY tenant_insert ON published_news_search FOR INSERT "
        f"WITH CHECK ({TENANT_VISIBLE})"
    )
    op.execute(
        "CREATE POLICY tenant_update ON published_news_search FOR UPDATE "
        f"USING ({TENANT_VISIBLE}) WITH CHECK ({TENANT_VISIBLE})"
    )
    op.execute(
        f"CREATE POLICY tenant_delete ON published_news_search FOR DELETE USING ({TENANT_VISIBLE})"
    )
    # Not history: an index of what is published now, so the application may remove from it.
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON published_news_search TO {APP_ROLE}")
    op.execute(
        """
        CREATE FUNCTION keep_published_news_search() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.status = 'PUBLISHED' THEN
            INSERT INTO published_news_search (community_id, news_id, search)
            VALUES (NEW.community_id, NEW.id, NEW.search)
            ON CONFLICT (community_id, news_id) DO UPDATE SET search = EXCLUDED.search;
          ELSIF TG_OP = 'UPDATE' THEN
            DELETE FROM published_news_search
            WHERE community_id = NEW.community_id AND news_id = NEW.id;
          END IF;
          RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER keep_published_news_search AFTER INSERT OR UPDATE OF status, title, body "
        "ON news "
        "FOR EACH ROW EXECUTE FUNCTION keep_published_news_search()"
    )
    op.execute(
        "INSERT INTO published_news_search (community_id, news_id, search) "
        "SELECT community_id, id, search FROM news WHERE status = 'PUBLISHED'"
    )
    op.execute("DROP INDEX ix_news_search")


def downgrade() -> None:
    op.execute(PATTERNS.format(where=""))
    op.execute("CREATE INDEX ix_news_search ON news USING gin (search)")
    op.execute("DROP TRIGGER keep_published_news_search ON news")
    op.execute("DROP FUNCTION keep_published_news_search()")
    op.execute("DROP TABLE published_news_search")
