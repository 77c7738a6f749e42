"""the application role, row-level security on tenant tables, the audit log

Revision ID: b7e1c2a94f10
Revises: 52b86e8a0252
Create Date: 2026-11-28 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b7e1c2a94f10"
down_revision: str | None = "52b86e8a0252"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The application role's name as `server/db_roles.py` had it when this revision was made.
APP_ROLE = "gongxue_app"
# The row-level-security condition as `tenants/rls.py` wrote it when this revision was made,
# frozen: revision 3f9a1c7d2e58 later rewrites these policies to read the settings once.
TENANT_VISIBLE = (
    "(community_id = NULLIF(current_setting('app.community_id', true), '')::bigint "
    "OR current_setting('app.all_communities', true) = 'on')"
)


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.String(length=80), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", sa.text("at DESC")])
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor_user_id", sa.text("at DESC")])
    op.create_index(
        "ix_audit_log_community_id_at", "audit_log", ["community_id", sa.text("at DESC")]
    )

    op.execute(
        f"""
        DO $$
        BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
          END IF;
        END $$;
        """
    )
    op.execute(
        f"DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO {APP_ROLE}', "
        "current_database()); END $$;"
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE ON TABLES TO {APP_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}"
    )
    # History is never rewritten: the audit log is append-only, migrations are the owner's.
    op.execute(f"REVOKE UPDATE ON audit_log FROM {APP_ROLE}")
    op.execute(f"REVOKE INSERT, UPDATE ON alembic_version FROM {APP_ROLE}")
    # A revoked role is a removed grant row (its history is in the audit log).
    op.execute(f"GRANT DELETE ON casbin_rule TO {APP_ROLE}")

    op.execute("ALTER TABLE memberships ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE memberships FORCE ROW LEVEL SECURITY")
    # A community's member units are public (its sub-platform shows them); writes stay in it.
    op.execute("CREATE POLICY public_read ON memberships FOR SELECT USING (true)")
    op.execute(
        f"CREATE POLICY tenant_write ON memberships FOR ALL "
        f"USING ({TENANT_VISIBLE}) WITH CHECK ({TENANT_VISIBLE})"
    )

    op.execute("ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE audit_log FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_read ON audit_log FOR SELECT USING ({TENANT_VISIBLE})")
    op.execute(
        f"CREATE POLICY tenant_append ON audit_log FOR INSERT "
        f"WITH CHECK (community_id IS NULL OR {TENANT_VISIBLE})"
    )


def downgrade() -> None:
    op.execute("DROP POLICY tenant_append ON audit_log")
    op.execute("DROP POLICY tenant_read ON audit_log")
    op.execute("DROP POLICY tenant_write ON memberships")
    op.execute("DROP POLICY public_read ON memberships")
    op.execute("ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE memberships DISABLE ROW LEVEL SECURITY")
    op.drop_table("audit_log")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE SELECT, INSERT, UPDATE ON TABLES FROM {APP_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE USAGE, SELECT ON SEQUENCES FROM {APP_ROLE}"
    )
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
    op.execute(
        f"DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM {APP_ROLE}', "
        "current_database()); END $$;"
    )
