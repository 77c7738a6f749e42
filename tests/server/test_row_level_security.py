"""Row-level security is the backstop: checked on the database itself, as the owner sees it
and as the application role lives it."""

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server.audit.service import record
from server.db import Database, create_engine
from server.db_roles import APP_ROLE, app_url, set_app_password
from tenants.rls import scope_transaction
from tests.factories import make_community


async def test_every_table_with_a_community_id_forces_rls_with_a_policy(owner):
    async with owner.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    """
                    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                           (SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname)
                    FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'community_id'
                    WHERE c.relkind = 'r'
                    """
                )
            )
        ).all()

    assert {name for name, *_ in rows} >= {"memberships", "audit_log"}
    for name, enabled, forced, policies in rows:
        assert enabled and forced and policies > 0, name


async def test_every_tenant_condition_reads_its_settings_once_per_statement(owner):
    """A bare current_setting() in a policy is called for every row a statement looks at
    (1.5 million for a region's activities); in a subquery it is read once."""
    async with owner.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT tablename, policyname, coalesce(qual, '') || ' ' || "
                    "coalesce(with_check, '') FROM pg_policies WHERE schemaname = 'public'"
                )
            )
        ).all()

    checked = [(t, p) for t, p, condition in rows if "current_setting" in condition]
    assert len(checked) >= 10
    for table, policy, condition in rows:
        calls = condition.count("current_setting(")
        once = len(re.findall(r"\( SELECT \(?(?:NULLIF\()?current_setting\(", condition))
        assert calls == once, (table, policy, condition)


async def test_the_application_role_owns_nothing_and_cannot_bypass_rls(owner, runtime):
    async with owner.connect() as conn:
        role = (
            await conn.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                {"r": APP_ROLE},
            )
        ).one()
        owned = (
            await conn.execute(
                text("SELECT tablename FROM pg_tables WHERE tableowner = :r"), {"r": APP_ROLE}
            )
        ).all()
    async with runtime.database.transaction() as session:
        current = await session.scalar(text("SELECT current_user"))

    assert tuple(role) == (False, False)
    assert owned == []
    assert current == APP_ROLE


async def test_a_pooled_connection_forgets_the_tenant_after_its_transaction(runtime, services):
    a, _ = await make_community(runtime, "yrd-a")
    async with runtime.database.transaction(a.id) as session:
        await record(
            session,
            actor_user_id=None,
            action="a.private",
            target_type="Community",
            target_id=a.id,
            community_id=a.id,
        )
    one_connection = Database(
        create_engine(app_url(services.database_url, None, None), pool_size=1)
    )
    try:
        async with one_connection.transaction(a.id) as session:
            pid = await session.scalar(text("SELECT pg_backend_pid()"))
            seen = (await session.scalars(text("SELECT action FROM audit_log"))).all()
        async with one_connection.transaction() as session:
            same_pid = await session.scalar(text("SELECT pg_backend_pid()"))
            setting = await session.scalar(text("SELECT current_setting('app.community_id', true)"))
            after = (await session.scalars(text("SELECT action FROM audit_log"))).all()
    finally:
        await one_connection.dispose()

    assert pid == same_pid  # the very same pooled connection
    assert seen == ["a.private"]
    assert setting == ""
    assert after == []


async def test_a_transaction_scoped_to_one_community_sees_only_that_community(runtime):
    """`scope_transaction(session, community)`, as creating a community calls it half-way
    through its transaction: from then on the transaction is that community's alone."""
    a, _ = await make_community(runtime, "yrd-a")
    b, _ = await make_community(runtime, "yrd-b")
    for community in (a, b):
        async with runtime.database.transaction(community.id) as session:
            await record(
                session,
                actor_user_id=None,
                action=f"{community.slug}.private",
                target_type="Community",
                target_id=community.id,
                community_id=community.id,
            )

    async with runtime.database.transaction() as session:
        unscoped = (await session.scalars(text("SELECT action FROM audit_log"))).all()
        await scope_transaction(session, a.id)
        scoped = (await session.scalars(text("SELECT action FROM audit_log"))).all()

    assert unscoped == []
    assert scoped == ["yrd-a.private"]


async def test_another_tenants_rows_cannot_be_written_even_by_raw_sql(runtime):
    a, _ = await make_community(runtime, "yrd-a")
    b, b_units = await make_community(runtime, "yrd-b")

    with pytest.raises(DBAPIError, match="row-level security"):
        async with runtime.database.transaction(a.id) as session:
            await session.execute(
                text(
                    "INSERT INTO memberships (community_id, unit_id, role, status, joined_on) "
                    "VALUES (:b, :u, 'MEMBER', 'ACTIVE', '2026-01-01')"
                ),
                {"b": b.id, "u": b_units[0].id},
            )
    async with runtime.database.transaction(a.id) as session:
        changed = await session.execute(
            text("UPDATE memberships SET left_reason = 'x' WHERE community_id = :b"), {"b": b.id}
        )
    assert changed.rowcount == 0


async def test_history_cannot_be_deleted_or_rewritten_by_the_application(runtime):
    a, _ = await make_community(runtime, "yrd-a")

    with pytest.raises(DBAPIError, match="permission denied"):
        async with runtime.database.transaction(a.id) as session:
            await session.execute(text("DELETE FROM memberships"))
    with pytest.raises(DBAPIError, match="permission denied"):
        async with runtime.database.transaction(all_communities=True) as session:
            await session.execute(text("UPDATE audit_log SET action = 'forged'"))


async def test_migrate_gives_the_application_role_its_password(owner, services):
    tricky = "it's a pa$$word; DROP ROLE x; --"

    await set_app_password(services.database_url, tricky)
    try:
        async with owner.connect() as conn:
            stored = await conn.scalar(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": APP_ROLE}
            )
            still_there = await conn.scalar(
                text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
            )
    finally:
        async with owner.begin() as conn:
            await conn.execute(text(f"ALTER ROLE {APP_ROLE} PASSWORD NULL"))

    assert stored is not None and stored.startswith(("SCRAM-SHA-256$", "md5"))
    assert still_there == 1
