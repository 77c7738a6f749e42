"""`invoices` and `arrears` answered by their compiled statement: one statement, the same
answer as field by field, and the same walls. The statement is kept per shape (which walls a
reader has) and used again for the next reader of the same shape: what each reader may see
is a parameter of each run, so one unit's staff never sees another unit's invoices through
a statement another reader made."""

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Date, text

from schema.core.pagination import Template
from server.clock import today
from server.fees import models
from server.fees.queries import arrears_page
from server.reads import Plans
from server.runtime import Runtime, open_runtime
from tests.factories import make_community
from tests.graphql import both_ways, mutate
from tests.schema.fees.test_fees import PAY, Ledger, issue, payment

PAGE = """
query ($first: Int, $after: String) {
  invoices(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id number status statusLabel paidFen balanceFen daysOverdue
      unit { name } community { slug }
      lines { kind kindLabel amountFen note } payments { id amountFen } ledger { id kind }
    } }
  }
}"""
ARREARS = """
query ($region: Region) {
  arrears(region: $region, first: 50) {
    totalCount edges { node { number balanceFen daysOverdue unit { name } community { slug } } }
  }
}"""
DAY = dt.date(2026, 12, 5)
BY_REGION = "{ arrearsByRegion { region regionLabel invoices owedFen } }"
# Through a community's door, the community of the request.
DOOR_INVOICES = """
{ invoices(first: 50) { totalCount edges { node { number community { slug } } } } }"""


@pytest.fixture
async def runtime(settings, services) -> AsyncIterator[Runtime]:
    """The application's runtime, counting each request's statements."""
    counting = open_runtime(settings.model_copy(update={"count_sql": True}), services)
    await counting.start()
    yield counting
    await counting.close()


async def compiled(client, query: str, variables: dict, headers: dict) -> dict:
    """The compiled answer, which must equal the usual one and cost one statement."""
    answer, usual, statements = await both_ways(client, query, variables, headers)
    assert "errors" not in answer, answer
    assert answer == usual
    assert statements == 1, statements
    return answer["data"]


def numbers(connection: dict) -> list[str]:
    return [edge["node"]["number"] for edge in connection["edges"]]


async def test_each_reader_sees_only_its_walls_through_the_same_compiled_statement(
    client, ledger: Ledger
):
    long_ago = (today() - dt.timedelta(days=45)).isoformat()
    a1 = await issue(client, ledger, unitId=ledger.a_units[1], due=long_ago)
    a2 = await issue(client, ledger, unitId=ledger.a_units[2], due=long_ago)
    b1 = await issue(client, ledger, unitId=ledger.b_units[1], due=long_ago)
    own = await issue(client, ledger, communitySlug=ledger.a, due=long_ago)

    # Staff of one unit, then of another, then the first again: the same shape, one
    # statement kept, each run its own reader's.
    order = ["staff", "other_staff", "staff", "leader", "other_leader", "project_group"]
    seen = {}
    for who in order:
        headers = getattr(ledger, who)
        page = (await compiled(client, PAGE, {"first": 50}, headers))["invoices"]
        arrears = (await compiled(client, ARREARS, {}, headers))["arrears"]
        assert numbers(arrears) == numbers(page), who  # all of them are past due
        seen[who] = numbers(page)

    assert seen["staff"] == [a1["number"]]
    assert seen["other_staff"] == [a2["number"]]
    assert seen["leader"] == [a1["number"], a2["number"], own["number"]]
    assert seen["other_leader"] == [b1["number"]]
    assert seen["project_group"] == [a1["number"], a2["number"], b1["number"], own["number"]]
    for who in ("deputy", "member"):
        page = (await compiled(client, PAGE, {}, getattr(ledger, who)))["invoices"]
        assert page["totalCount"] == 0


async def test_a_page_of_invoices_pages_as_the_usual_execution(client, ledger: Ledger):
    for unit in ledger.a_units[:3]:
        await issue(client, ledger, unitId=unit)
    pages, after = [], None
    while True:
        data = await compiled(client, PAGE, {"first": 2, "after": after}, ledger.project_group)
        pages.append(numbers(data["invoices"]))
        if not data["invoices"]["pageInfo"]["hasNextPage"]:
            break
        after = data["invoices"]["pageInfo"]["endCursor"]
    assert [len(p) for p in pages] == [2, 1]


async def test_through_a_communitys_door_only_its_invoices(client, ledger: Ledger):
    await issue(client, ledger, unitId=ledger.a_units[1])
    await issue(client, ledger, unitId=ledger.b_units[1])
    door = f"/c/{ledger.b}/graphql"
    for _ in range(2):  # the door's community looked up once, then kept
        answer, usual, _ = await both_ways(
            client, DOOR_INVOICES, {}, ledger.project_group, path=door
        )
        assert answer == usual
        edges = answer["data"]["invoices"]["edges"]
        assert [e["node"]["community"]["slug"] for e in edges] == [ledger.b]


async def test_arrears_by_region_counts_only_what_each_reader_may_see(client, ledger: Ledger):
    long_ago = (today() - dt.timedelta(days=45)).isoformat()
    a1 = await issue(client, ledger, unitId=ledger.a_units[1], due=long_ago)
    await issue(client, ledger, unitId=ledger.a_units[2], due=long_ago)
    await issue(client, ledger, unitId=ledger.b_units[1], due=long_ago)
    await issue(client, ledger, communitySlug=ledger.a, due=long_ago)
    await issue(client, ledger, unitId=ledger.a_units[1])  # not yet due: owes, not in arrears
    await mutate(client, PAY, payment(a1, 30000, "part-1"), headers=ledger.project_group)

    def owed(who: str) -> list[tuple[str, int, int]]:
        return [(r["region"], r["invoices"], r["owedFen"]) for r in seen[who]]

    # Each reader in turn through the statement kept for its shape, as `arrears`.
    seen = {}
    for who in ("staff", "other_staff", "leader", "other_leader", "project_group", "member"):
        data = await compiled(client, BY_REGION, {}, getattr(ledger, who))
        seen[who] = data["arrearsByRegion"]

    yrd, prd = "YANGTZE_RIVER_DELTA", "PEARL_RIVER_DELTA"
    assert owed("staff") == [(yrd, 1, 50000)]  # 800.00 less 300.00 paid
    assert owed("other_staff") == [(yrd, 1, 80000)]
    assert owed("leader") == [(yrd, 3, 210000)]
    assert owed("other_leader") == [(prd, 1, 80000)]
    assert owed("project_group") == [(prd, 1, 80000), (yrd, 3, 210000)]
    assert owed("member") == []
    assert [r["regionLabel"] for r in seen["project_group"]] == ["珠三角", "长三角"]


async def test_the_project_groups_fees_page_is_one_statement(client, ledger: Ledger):
    long_ago = (today() - dt.timedelta(days=45)).isoformat()
    invoice = await issue(client, ledger, unitId=ledger.a_units[1], due=long_ago)
    client.cookies.set("gx_session", ledger.project_group["Authorization"].removeprefix("Bearer "))
    await client.get("/admin/fees/")  # the first reads the document's plan, once a process

    page = await client.get("/admin/fees/")

    assert page.status_code == 200
    assert invoice["number"] in page.text
    # Schedules, arrears by region, the arrears, the invoices and the forms' choices.
    assert page.headers["x-sql-statements"] == "1"


# 3,000 invoices of one community, every third one open, all past due.
INVOICES = """
INSERT INTO invoices (community_id, unit_id, number, year, total_fen, issued_on, due_on, status)
SELECT :c, NULL, 'FY-2026-' || lpad(i::text, 6, '0'), 2026, 50000, DATE '2026-01-05',
       DATE '2026-03-01' + (i % 200), CASE WHEN i % 3 = 0 THEN 'OPEN' ELSE 'PAID' END
FROM generate_series(1, 3000) AS i
"""


def _project_groups_arrears(runtime: Runtime) -> tuple[str, list[object], int]:
    """The SQL of the project group's first page of 50 arrears as the reads send it, its
    arguments, and the page's size."""
    given = {"everywhere": True, "communities": None, "staff_user": None, "today": DAY}
    template = Template(arrears_page, {"today": Date}, community_id=None, **given)
    statement, values, size = template.page(models.Invoice.id, 50, None, False, 100)
    _, sql, arguments = Plans(runtime.database.engine.dialect).of(statement, values)
    return sql, arguments, size


@pytest.mark.parametrize("plan", ["custom", "generic"])
async def test_the_arrears_read_the_index_of_open_invoices_in_either_plan(runtime, owner, plan):
    """PostgreSQL may keep one generic plan of a prepared statement after five runs, made
    without its parameters' values: the arrears must still read the open invoices' partial
    index, in the page's order, not every invoice."""
    community, _ = await make_community(runtime, "yrd-fees")
    async with owner.begin() as conn:
        await conn.execute(text(INVOICES), {"c": community.id})
        await conn.execute(text("ANALYZE invoices"))
    sql, arguments, _ = _project_groups_arrears(runtime)
    assert arguments == [True, DAY]

    async with runtime.database.transaction(all_communities=True) as session:  # the application
        # 3,000 rows are a table PostgreSQL would rather read whole: the question is which
        # index can answer the page.
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        await session.execute(text(f"SET LOCAL plan_cache_mode = force_{plan}_plan"))
        await session.execute(text(f"PREPARE arrears_page AS {sql}"))
        try:
            explained = await session.scalars(
                text(f"EXPLAIN EXECUTE arrears_page (true, '{DAY.isoformat()}')")
            )
            shown = "\n".join(explained.all())
        finally:
            await session.execute(text("DEALLOCATE arrears_page"))

    assert "Index Scan using ix_invoices_open_id on invoices" in shown, shown


def test_the_arrears_statement_names_open_invoices_and_its_page_size_in_its_own_text(runtime):
    """The arrears are read often: PostgreSQL soon keeps one generic plan of their prepared
    statement, made without its parameters' values. Open invoices (`status = 'OPEN'`, the
    predicate of their partial index) and the page's 50 rows and one more are the text's own,
    so that plan still uses the index and plans for 51 rows; the day and the reader's walls are
    bound anew at each run."""
    sql, arguments, size = _project_groups_arrears(runtime)

    assert size == 50
    assert "invoices.status = 'OPEN'" in sql and "LIMIT 51" in sql
    assert "invoices.due_on < $" in sql and DAY in arguments
