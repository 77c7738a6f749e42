"""Writes on the driver (`server/writes.py`): scoped to their tenant, committed whole or not
at all, and leaving nothing on the pooled connection."""

import pytest
from sqlalchemy import String, bindparam, select, update

from server.activities.models import Activity
from server.db import Database
from server.reads import Fixed
from server.vocabulary import ActivityKind
from tests.factories import make_community
from tests.server.compliance.helpers import hold
from tests.server.test_reads import DAYS

# Every activity the write's tenant may see.
RENAME = Fixed(update(Activity).values(title="改名").returning(Activity.community_id))
# The same, its title written into the statement's text (`Write.script`).
STAMP = Fixed(update(Activity).values(title=bindparam("title", type_=String, literal_execute=True)))


async def titles(database: Database) -> dict[int, set[str]]:
    async with database.read(all_communities=True) as read:
        rows = await read.rows(select(Activity.community_id, Activity.title))
    found: dict[int, set[str]] = {}
    for community_id, title in rows:
        found.setdefault(community_id, set()).add(title)
    return found


async def test_a_write_changes_its_own_community_only(runtime):
    a, _ = await make_community(runtime, "yrd-a")
    b, _ = await make_community(runtime, "yrd-b")
    await hold(runtime, a, ActivityKind.SEMINAR, *DAYS[:2])
    await hold(runtime, b, ActivityKind.SEMINAR, *DAYS[:2])

    async with runtime.database.write(a.id) as write:
        changed = await write.scalars(RENAME)

    assert changed == [a.id, a.id]
    assert await titles(runtime.database) == {a.id: {"改名"}, b.id: {ActivityKind.SEMINAR.zh}}


async def test_a_write_that_fails_changes_nothing_and_leaves_no_tenant_behind(runtime):
    community, _ = await make_community(runtime, "yrd-a")
    await hold(runtime, community, ActivityKind.SEMINAR, DAYS[0])
    # More failures than the pool holds connections, so every pooled one is reused after one.
    for _ in range(runtime.settings.db_pool_size * 2 + 1):
        with pytest.raises(RuntimeError):
            async with runtime.database.write(community.id) as write:
                assert await write.scalars(RENAME) == [community.id]
                raise RuntimeError("refused half-way")

    assert await titles(runtime.database) == {community.id: {ActivityKind.SEMINAR.zh}}
    for _ in range(runtime.settings.db_pool_size * 2 + 1):
        async with runtime.database.read() as read:
            assert await read.scalars(select(Activity.id)) == []


async def test_the_statement_sent_with_a_writes_begin_runs_under_its_tenant(runtime):
    a, _ = await make_community(runtime, "yrd-a")
    b, _ = await make_community(runtime, "yrd-b")
    await hold(runtime, b, ActivityKind.SEMINAR, DAYS[0])

    async with runtime.database.write(a.id) as write:
        await write.script(STAMP, title="x")
    async with runtime.database.write(b.id) as write:
        await write.script(STAMP, title="x")

    assert await titles(runtime.database) == {b.id: {"x"}}


async def test_a_script_takes_no_value_it_cannot_write_into_its_text(runtime):
    community, _ = await make_community(runtime, "yrd-a")

    with pytest.raises(TypeError):
        async with runtime.database.write(community.id) as write:
            await write.script(RENAME)
