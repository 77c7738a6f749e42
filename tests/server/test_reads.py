"""The driver-level reads (`server/reads.py`): the same rows, types and tenant walls as the
ORM's transactions, read-only, and nothing left on a pooled connection afterwards."""

import asyncio
import datetime as dt

import asyncpg
import pytest
from sqlalchemy import ARRAY, BigInteger, any_, bindparam, func, insert, literal, select
from sqlalchemy.sql.expression import ColumnClause

from server.activities.models import Activity
from server.communities.models import Community, Membership
from server.communities.queries import memberships_statement
from server.db import Database, create_engine
from server.reads import Fixed, Plans, entity_of
from server.units.models import Unit
from server.vocabulary import ActivityKind, MembershipRole, MembershipStatus
from tenants.rls import statement_scope, statement_scope_values
from tests.factories import make_community
from tests.server.compliance.helpers import hold

DAYS = [dt.date(2026, 3, d) for d in (2, 9, 16, 23)]


async def test_a_read_sees_its_own_community_only(runtime):
    a, _ = await make_community(runtime, "yrd-a")
    b, _ = await make_community(runtime, "yrd-b")
    await hold(runtime, a, ActivityKind.SEMINAR, *DAYS[:3])
    await hold(runtime, b, ActivityKind.SEMINAR, *DAYS)
    every = select(Activity).order_by(Activity.community_id, Activity.id)

    async with runtime.database.read(a.id) as read:
        own = await read.scalars(every)
    async with runtime.database.read() as read:
        nobody = await read.scalars(every)
    async with runtime.database.read(all_communities=True) as read:
        national = await read.scalars(every)

    assert [r.community_id for r in own] == [a.id] * 3
    assert nobody == []
    assert [r.community_id for r in national] == [a.id] * 3 + [b.id] * 4
    assert own[0].kind is ActivityKind.SEMINAR and own[0].held_on == DAYS[0]


async def test_rows_carry_the_models_names_and_types(runtime):
    community, _ = await make_community(runtime, "yrd-a", size=3)
    async with runtime.database.transaction(community.id) as session:
        expected = (await session.scalars(memberships_statement(community.id))).all()

    statement = memberships_statement(community.id, MembershipStatus.ACTIVE)
    async with runtime.database.read(community.id) as read:
        rows = await read.scalars(statement.order_by(Membership.id))

    assert [(r.id, r.unit_id, r.role, r.status, r.joined_on) for r in rows] == [
        (m.id, m.unit_id, m.role, m.status, m.joined_on) for m in expected
    ]
    assert rows[0].role is MembershipRole.LEADER  # the vocabulary, not its stored text
    assert entity_of(rows[0]) is Membership and entity_of(expected[0]) is Membership


async def test_in_lists_columns_and_scalars(runtime):
    community, units = await make_community(runtime, "yrd-a", size=4)
    wanted = [units[3].id, units[0].id]

    async with runtime.database.read() as read:
        found = await read.rows(select(Unit).where(Unit.id.in_(wanted)).order_by(Unit.id))
        names = await read.scalars(select(Unit.name).where(Unit.id.in_(wanted)).order_by(Unit.id))
        none = await read.one_or_none(select(Unit).where(Unit.id == -1))
    async with runtime.database.read(community.id) as read:
        count = await read.scalar(select(func.count()).select_from(Membership))

    assert [u.id for u in found] == sorted(wanted)
    assert names == [units[0].name, units[3].name]
    assert none is None
    assert count == 4


async def test_a_read_cannot_write(runtime):
    community, _ = await make_community(runtime, "yrd-a")
    sneaky = (
        insert(Community)
        .values(
            slug="sneaky",
            name="x",
            region=community.region,
            level=community.level,
            cycle_start=community.cycle_start,
            cycle_end=community.cycle_end,
        )
        .returning(Community.id)
    )
    # A scoped read is a read-only transaction; an unscoped one runs its statement alone,
    # on a session that is read-only by default.
    for scope in ({"all_communities": True}, {}):
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            async with runtime.database.read(**scope) as read:
                await read.rows(sneaky)

    async with runtime.database.read() as read:
        slugs = await read.scalars(select(Community.slug))
    assert slugs == ["yrd-a"]


async def test_a_failed_read_leaves_no_tenant_on_the_pooled_connection(runtime):
    community, _ = await make_community(runtime, "yrd-a")
    await hold(runtime, community, ActivityKind.SEMINAR, DAYS[0])
    # More failures than the pool holds connections, so every pooled one is reused after one.
    for _ in range(runtime.settings.db_pool_size * 2 + 1):
        with pytest.raises(RuntimeError):
            async with runtime.database.read(community.id) as read:
                assert await read.scalars(select(Activity.id)) != []
                raise RuntimeError("the resolver failed half-way")

    for _ in range(runtime.settings.db_pool_size * 2 + 1):
        async with runtime.database.read() as read:
            assert await read.scalars(select(Activity.id)) == []


async def test_a_fixed_statement_takes_new_values_each_run_and_keeps_its_constants(runtime):
    a, a_units = await make_community(runtime, "yrd-a", size=3)
    b, b_units = await make_community(runtime, "yrd-b", size=4)
    async with runtime.database.transaction(all_communities=True) as session:
        left = await session.scalar(select(Membership).where(Membership.unit_id == b_units[2].id))
        left.status, left.left_on = MembershipStatus.WITHDRAWN, dt.date(2026, 6, 1)
    active_units = Fixed(
        select(Membership.unit_id)
        .where(
            Membership.community_id == bindparam("community"),
            Membership.status == MembershipStatus.ACTIVE,
        )
        .order_by(Membership.id)
    )

    async with runtime.database.read() as read:
        of_a = await read.scalars(active_units, community=a.id)
        of_b = await read.scalars(active_units, community=b.id)

    assert of_a == [u.id for u in a_units]
    assert of_b == [b_units[0].id, b_units[1].id, b_units[3].id]


async def test_a_fixed_statements_constants_are_its_text_and_mean_what_they_said(runtime):
    """PostgreSQL keeps one generic plan of a statement prepared and run five times, made
    without its parameters' values; a constant written in the text plans with its value. A
    quote in a constant stays text, never SQL."""
    _, units = await make_community(runtime, "yrd-a", size=3)
    async with runtime.database.transaction(all_communities=True) as session:
        (await session.get(Unit, units[1].id)).name = "O'Brien 学院'; --"
    named = Fixed(
        select(Unit.id, literal("它's").label("said"))
        .where(Unit.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))
        .where(Unit.name != "O'Brien 学院'; --")
        .order_by(Unit.id)
        .limit(2)
    )

    plans = Plans(runtime.database.engine.dialect)
    _, sql, arguments = plans.of(named, {"ids": [u.id for u in units]})
    async with runtime.database.read() as read:
        rows = await read.rows(named, ids=[u.id for u in units])

    assert "'O''Brien 学院''; --'" in sql and "LIMIT 2" in sql
    assert arguments == [[u.id for u in units]]  # only what each run gives is bound
    assert [(row.id, row.said) for row in rows] == [(units[0].id, "它's"), (units[2].id, "它's")]


def test_each_event_loop_reads_on_its_own_pool(runtime):
    """The CLI runs several event loops in one process; a pool belongs to the loop that
    opened it, so a later loop reads on a pool of its own."""
    database = Database(create_engine(runtime.database.engine.url, pool_size=1))

    async def backend() -> int:
        async with database.read() as read:
            return await read.scalar(select(func.pg_backend_pid()))

    first = asyncio.run(backend())
    second = asyncio.run(backend())  # on a new connection: the first loop's is unusable
    asyncio.run(database.dispose())

    assert first != second


async def test_a_statement_that_sets_its_own_tenant_sees_it_and_leaves_nothing_behind(runtime):
    """One round trip: the settings made inside the statement, the rows read after them,
    and the next statement on the connection sees no tenant again."""
    a, _ = await make_community(runtime, "yrd-a")
    b, _ = await make_community(runtime, "yrd-b")
    await hold(runtime, a, ActivityKind.SEMINAR, *DAYS[:3])
    await hold(runtime, b, ActivityKind.SEMINAR, *DAYS)
    scope = statement_scope()
    counted = (
        select(func.count())
        .select_from(Activity)
        .where(scope.c.community.is_not(None))
        .scalar_subquery()
    )
    statement = Fixed(select(counted).select_from(scope))
    visible = select(func.count()).select_from(Activity)

    async with runtime.database.read() as read:
        own = await read.scalar(statement, **statement_scope_values(a.id, False))
        after_own = await read.scalar(visible)
        national = await read.scalar(statement, **statement_scope_values(None, True))
        after_national = await read.scalar(visible)
        nobody = await read.scalar(statement, **statement_scope_values(None, False))

    assert (own, after_own, national, after_national, nobody) == (3, 0, 7, 0, 0)


class _Unkeyed(ColumnClause):  # a construct that says SQLAlchemy cannot cache it
    inherit_cache = False


async def test_a_statement_sqlalchemy_cannot_cache_is_read_with_its_own_values(runtime):
    a, _ = await make_community(runtime, "yrd-a")
    b, _ = await make_community(runtime, "yrd-b")

    def slug_of(community_id: int):
        unkeyed = _Unkeyed(str(community_id), is_literal=True)
        return select(Community.slug).where(Community.id == unkeyed)

    async with runtime.database.read(all_communities=True) as read:
        first = await read.scalars(slug_of(a.id))
        second = await read.scalars(slug_of(b.id))

    # Planned for each run alone: the second is not answered from the first one's plan.
    assert (first, second) == ([a.slug], [b.slug])
