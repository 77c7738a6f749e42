"""The tenant policies read their settings once per statement

Revision ID: 3f9a1c7d2e58
Revises: 6c194b837ee8
Create Date: 2026-11-29 10:40:00

The row-level-security condition compared every row with `current_setting(...)`: a function
call per row, 1.5 million of them when the project group lists a region's activities. As
scalar subqueries the settings are init plans, read once per statement; on the national data
set that list's statement went from 448 ms to 232 ms (EXPLAIN ANALYZE), and the planner
estimates a community's rows instead of assuming one.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3f9a1c7d2e58"
down_revision: str | None = "6c194b837ee8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The row-level-security condition as `tenants/rls.py` wrote it when this revision was made,
# frozen: a later change of the live condition needs its own revision, not a rewrite of this one.
TENANT_VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)

PER_ROW = (
    "(community_id = NULLIF(current_setting('app.community_id', true), '')::bigint "
    "OR current_setting('app.all_communities', true) = 'on')"
)
OWN = "{visible}"
OWN_OR_PROGRAMME = "community_id IS NULL OR {visible}"
# (table, policy, USING, WITH CHECK): the conditions as the earlier revisions wrote them.
POLICIES = [
    ("memberships", "tenant_write", OWN, OWN),
    ("audit_log", "tenant_read", OWN, None),
    ("audit_log", "tenant_append", None, OWN_OR_PROGRAMME),
    ("activities", "tenant_only", OWN, OWN),
    ("attendance", "tenant_only", OWN, OWN),
    ("reports", "tenant_only", OWN, OWN),
    ("findings", "tenant_only", OWN, OWN),
    ("exits", "tenant_insert", None, OWN_OR_PROGRAMME),
    ("exits", "tenant_update", OWN_OR_PROGRAMME, None),
    ("audit_runs", "scope_visible", OWN_OR_PROGRAMME, OWN_OR_PROGRAMME),
]


def _alter(visible: str) -> None:
    for table, policy, using, check in POLICIES:
        clauses = []
        if using:
            clauses.append(f"USING ({using.format(visible=visible)})")
        if check:
            clauses.append(f"WITH CHECK ({check.format(visible=visible)})")
        op.execute(f"ALTER POLICY {policy} ON {table} {' '.join(clauses)}")


def upgrade() -> None:
    _alter(TENANT_VISIBLE)


def downgrade() -> None:
    _alter(PER_ROW)
