import asyncio

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from server.migrate import alembic_config, upgrade
from server.regions.provinces import REGION_PROVINCES
from server.vocabulary import Region


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
