import ast
import asyncio
import sys

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from server.migrate import MIGRATIONS, alembic_config, upgrade
from server.regions.provinces import REGION_PROVINCES
from server.vocabulary import Region
from tenants.rls import TENANT_VISIBLE


async def _scalars(url: str, sql: str) -> list:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = (await conn.execute(text(sql))).scalars().all()
    await engine.dispose()
    return rows


async def test_the_eight_regions_of_article_9_are_seeded_with_their_provinces(runtime):
    async with runtime.database.transaction() as session:
        regions = (await session.execute(text("SELECT code, name_zh FROM regions"))).all()
        zhejiang = (
            (
                await session.execute(
                    text("SELECT region FROM region_provinces WHERE province = '33'")
                )
            )
            .scalars()
            .all()
        )

    assert {code for code, _ in regions} == {r.value for r in Region}
    assert dict(regions)["YANGTZE_RIVER_DELTA"] == "长三角"
    assert zhejiang == ["YANGTZE_RIVER_DELTA"]
    assert all(REGION_PROVINCES[r] for r in Region)


def test_migrations_go_down_to_nothing_and_up_again(fresh_database):
    url = fresh_database()
    upgrade(url)
    command.downgrade(alembic_config(url), "base")

    tables = asyncio.run(
        _scalars(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    )
    assert tables == ["alembic_version"]

    upgrade(url)
    count = asyncio.run(_scalars(url, "SELECT count(*) FROM regions"))
    assert count == [len(Region)]


# What a revision may import: the migration tools and the standard library. Anything of the
# project's own is live code; were a revision to read it, editing that code would silently
# rewrite what the revision does to a database migrated later.
FROZEN_SAFE = {"alembic", "sqlalchemy", *sys.stdlib_module_names}


def _imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add("." if node.level else (node.module or "").split(".")[0])
    return roots


def test_no_revision_imports_live_project_code():
    revisions = sorted((MIGRATIONS / "versions").glob("*.py"))
    assert len(revisions) >= 8

    live = {
        path.name: sorted(_imported_roots(path.read_text()) - FROZEN_SAFE) for path in revisions
    }

    assert {name: roots for name, roots in live.items() if roots} == {}


def test_the_import_check_sees_project_imports_anywhere_in_a_revision():
    source = (
        "import sqlalchemy as sa\n"
        "from alembic import op\n"
        "def upgrade():\n"
        "    from tenants.rls import TENANT_VISIBLE\n"
        "    import server.db_roles\n"
        "    from . import sibling\n"
    )

    assert _imported_roots(source) - FROZEN_SAFE == {"tenants", "server", "."}


async def test_the_migrated_policies_use_the_condition_the_code_writes_today(services):
    """The revisions freeze their condition; this is what makes changing the live one
    (`tenants/rls.py`) without a new revision fail, instead of leaving databases behind."""
    engine = create_async_engine(services.database_url)
    async with engine.connect() as conn:
        # PostgreSQL keeps a policy's condition in its own deparsed form: write today's
        # through it once, on a table this transaction drops again.
        await conn.execute(text("CREATE TABLE probe (community_id bigint)"))
        await conn.execute(text(f"CREATE POLICY probe ON probe USING ({TENANT_VISIBLE})"))
        today = (
            await conn.execute(text("SELECT qual FROM pg_policies WHERE tablename = 'probe'"))
        ).scalar_one()
        conditions = (
            await conn.execute(
                text(
                    "SELECT tablename, policyname, coalesce(qual, with_check) FROM pg_policies "
                    "WHERE schemaname = 'public' AND tablename <> 'probe' "
                    "AND coalesce(qual, with_check) LIKE '%app.community_id%'"
                )
            )
        ).all()
        await conn.rollback()
    await engine.dispose()

    assert len(conditions) >= 11
    stale = [(t, p, c) for t, p, c in conditions if today not in c]
    assert stale == []
