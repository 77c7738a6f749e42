"""Row-level security by behaviour, table by table: connected as the application role, a
transaction scoped to community A reads and writes A's rows and can neither read, update,
insert nor delete B's; with no tenant it sees only what is public; the all-communities scope
sees everything. The tables are discovered from the catalogue, so a new table with RLS has no
expectation and fails `test_every_table_under_rls_has_an_expectation` until one is written.

`test_opening_any_one_policy_is_caught` opens each policy in turn (inside a transaction that
is rolled back) and runs the same checks: a policy loosened to `true` must not pass."""

from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from server.db_roles import APP_ROLE, app_url

A, B = 1, 2  # the two communities' ids
SHARED = None  # a row of no community: a programme exit, a national run, a system entry

LABEL = {A: "A", B: "B", SHARED: "-"}


@dataclass(frozen=True)
class Wall:
    """What the application role may do with one table's rows, by scope: the labels of the
    rows it sees ("A", "B", "-" for no community), whether it may UPDATE at all, and who may
    write rows of no community, if the table has them: any transaction, or only one of all
    communities."""

    unscoped: frozenset[str]
    in_a: frozenset[str]
    everyone: frozenset[str]
    updates: bool = True
    shared: str | None = None
    deletes: bool = False


ANY_SCOPE, ALL_COMMUNITIES = "any scope", "all communities"


def _seen(*labels: str) -> frozenset[str]:
    return frozenset(labels)


TENANT_OWNED = Wall(unscoped=_seen(), in_a=_seen("A"), everyone=_seen("A", "B"))

# Documented in docs/architecture.md, "Database roles and row-level security" and "Data model".
EXPECTED: dict[str, Wall] = {
    "activities": TENANT_OWNED,
    "attendance": TENANT_OWNED,
    "findings": TENANT_OWNED,
    "reports": TENANT_OWNED,
    "sign_in_sheets": TENANT_OWNED,
    "topic_reports": TENANT_OWNED,
    "nominations": TENANT_OWNED,
    "review_assignments": TENANT_OWNED,
    # An approved (or concluded) sub-topic is public programme information (16(7)); a
    # pending or rejected one its community's; written only inside its community.
    "sub_topics": Wall(
        unscoped=_seen("A", "B"),
        in_a=_seen("A", "A draft", "B"),
        everyone=_seen("A", "A draft", "B", "B draft"),
    ),
    # Member units are public; a membership is written only inside its community.
    "memberships": Wall(unscoped=_seen("A", "B"), in_a=_seen("A", "B"), everyone=_seen("A", "B")),
    # The exit list is published; written as its community, a programme exit (no
    # community) only by the project group's or the system's all-communities scope.
    "exits": Wall(
        unscoped=_seen("A", "B", "-"),
        in_a=_seen("A", "B", "-"),
        everyone=_seen("A", "B", "-"),
        shared=ALL_COMMUNITIES,
    ),
    # Recognitions are public (anyone verifies a certificate); written as their community, a
    # unit's (no community) only by the project group's all-communities scope.
    "recognitions": Wall(
        unscoped=_seen("A", "B", "-"),
        in_a=_seen("A", "B", "-"),
        everyone=_seen("A", "B", "-"),
        shared=ALL_COMMUNITIES,
    ),
    # Published news is public, a draft its community's; written only inside its community.
    "news": Wall(
        unscoped=_seen("A", "B"),
        in_a=_seen("A", "A draft", "B"),
        everyone=_seen("A", "A draft", "B", "B draft"),
    ),
    # A public achievement is public (Art. 6b); one kept to its community or shared with
    # all communities stays in the tenant (the code shows the shared ones to readers of
    # other communities); written only inside its community.
    "achievements": Wall(
        unscoped=_seen("A", "B"),
        in_a=_seen("A", "A draft", "B"),
        everyone=_seen("A", "A draft", "B", "B draft"),
    ),
    # The words of published news, public as the news is; kept by a trigger on `news`, so
    # written (deleted too, on unpublishing) only inside the item's community.
    "published_news_search": Wall(
        unscoped=_seen("A", "B"),
        in_a=_seen("A", "B"),
        everyone=_seen("A", "B"),
        deletes=True,
    ),
    # Fees: an invoice is its community's (the code narrows it to the unit's staff and the
    # community's leader); its lines and its ledger are history, never updated.
    "invoices": TENANT_OWNED,
    "invoice_lines": Wall(
        unscoped=_seen(), in_a=_seen("A"), everyone=_seen("A", "B"), updates=False
    ),
    "fee_entries": Wall(unscoped=_seen(), in_a=_seen("A"), everyone=_seen("A", "B"), updates=False),
    # Append-only; a community reads its own entries, the project group all of them.
    "audit_log": Wall(
        unscoped=_seen(),
        in_a=_seen("A"),
        everyone=_seen("A", "B", "-"),
        updates=False,
        shared=ANY_SCOPE,
    ),
    # A community's run is shown only in that community; a national run (no community) is
    # read and written only by the all-communities scope.
    "audit_runs": Wall(
        unscoped=_seen(), in_a=_seen("A"), everyone=_seen("A", "B", "-"), shared=ALL_COMMUNITIES
    ),
}

# One row of each table for community :c, numbered :n (ids, units and uploads 1-30).
ROW = {
    "activities": "INSERT INTO activities (community_id, id, kind, title, held_on, "
    "expected_count, attended_count, absent_count, excused_count) "
    "VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 'SEMINAR', '研讨', '2026-03-01', 0, 0, 0, 0)",
    "attendance": "INSERT INTO attendance (community_id, activity_id, unit_id, status) "
    "VALUES (CAST(:c AS bigint), 900, CAST(:n AS bigint), 'ATTENDED')",
    "findings": "INSERT INTO findings (community_id, id, rule, article, severity, status, "
    "subject, period, message_zh, message_en, evidence, fingerprint, first_seen_at, "
    "last_seen_at) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 'r', '8', 'WARNING', 'OPEN', "
    "'s' || CAST(:n AS bigint), '2026', '中', 'en', '{}', 'f', now(), now())",
    "reports": "INSERT INTO reports (community_id, id, kind, year, title, body, due_on, "
    "submitted_on, late) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 'ANNUAL_SUMMARY', 2000 + CAST(:n AS bigint), "
    "'总结', '正文', '2026-12-31', '2026-12-01', false)",
    "sign_in_sheets": "INSERT INTO sign_in_sheets (community_id, activity_id, upload_id, "
    "imported_by) VALUES (CAST(:c AS bigint), 900, CAST(:n AS bigint), 1)",
    "memberships": "INSERT INTO memberships (community_id, id, unit_id, role, status, "
    "joined_on) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), CAST(:n AS bigint), 'MEMBER', 'ACTIVE', '2026-01-01')",
    "exits": "INSERT INTO exits (id, community_id, unit_id, scope, kind, exited_on, reason, "
    "evidence) VALUES (CAST(:n AS bigint), CAST(:c AS bigint), CAST(:n AS bigint), 'COMMUNITY', 'WITHDRAWN', '2026-05-01', "
    "'退出', '{}')",
    "recognitions": "INSERT INTO recognitions (id, community_id, kind, year, holder_name, "
    "number, granted_on) VALUES (CAST(:n AS bigint), CAST(:c AS bigint), 'MODEL_COMMUNITY', 2026, "
    "'共同体' || CAST(:n AS text), 'T-' || CAST(:n AS text), '2026-12-01')",
    "news": "INSERT INTO news (community_id, id, title, body, body_html, status, featured, "
    "author_user_id) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), '新闻', '正文', '<p>正文</p>', "
    "'PUBLISHED', false, 1)",
    # A search row's news item is one of the drafts BASE writes, which no trigger indexes.
    "published_news_search": "INSERT INTO published_news_search (community_id, news_id, search) "
    "VALUES (CAST(:c AS bigint), CAST(:n AS bigint) + 1000, to_tsvector('simple', '正文'))",
    "sub_topics": "INSERT INTO sub_topics (community_id, id, topic_id, title, leader_name, "
    "plan, status) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 1, '子课题', '王', '计划', "
    "'APPROVED')",
    "achievements": "INSERT INTO achievements (community_id, id, kind, title, summary, "
    "authors, visibility) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 'CASE', '案例', "
    "'简介', '{王}', 'PUBLIC')",
    "nominations": "INSERT INTO nominations (community_id, id, round_id, achievement_id) "
    "VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 1, 1000 + CAST(:n AS bigint))",
    "review_assignments": "INSERT INTO review_assignments (community_id, id, nomination_id, "
    "expert_user_id, status) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), "
    "2000 + CAST(:n AS bigint), 1, 'ASSIGNED')",
    "topic_reports": "INSERT INTO topic_reports (community_id, id, sub_topic_id, stage, body) "
    "VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 900, 'PROGRESS', '进展')",
    "invoices": "INSERT INTO invoices (community_id, id, number, year, total_fen, issued_on, "
    "due_on, status) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 'T-' || CAST(:n AS text), "
    "2026, 100, '2026-01-01', '2026-02-01', 'OPEN')",
    "invoice_lines": "INSERT INTO invoice_lines (community_id, id, invoice_id, kind, amount_fen) "
    "VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 900, 'CONFERENCE', 100)",
    "fee_entries": "INSERT INTO fee_entries (community_id, id, invoice_id, kind, amount_fen, "
    "entered_on) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 900, 'CHARGE', 100, "
    "'2026-01-01')",
    "audit_log": "INSERT INTO audit_log (id, community_id, action, target_type, target_id) "
    "VALUES (CAST(:n AS bigint), CAST(:c AS bigint), 'test.row', 'Community', 'x')",
    "audit_runs": "INSERT INTO audit_runs (id, community_id, status, communities_total, "
    "communities_done, counts) VALUES (CAST(:n AS bigint), CAST(:c AS bigint), 'SUCCEEDED', 1, 1, '{}')",
}

# Rows some scopes must not see although they see the table's other rows of the same
# community, labelled apart ("A draft"), and one of each community written beside its row.
HIDDEN = {
    "news": "status = 'DRAFT'",
    "sub_topics": "status NOT IN ('APPROVED', 'CONCLUDED')",
    "achievements": "visibility <> 'PUBLIC'",
}
HIDDEN_ROW = {
    "achievements": "INSERT INTO achievements (community_id, id, kind, title, summary, "
    "authors, visibility) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 'CASE', '共享', "
    "'简介', '{王}', 'ALL_COMMUNITIES')",
    "news": "INSERT INTO news (community_id, id, title, body, body_html, status, featured, "
    "author_user_id) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), '草稿', '正文', "
    "'<p>正文</p>', 'DRAFT', false, 1)",
    "sub_topics": "INSERT INTO sub_topics (community_id, id, topic_id, title, leader_name, "
    "plan, status) VALUES (CAST(:c AS bigint), CAST(:n AS bigint), 1, '待审', '王', '计划', "
    "'PENDING')",
}

# Rows the write checks insert where the seeded one would set off more than its own table's
# policy: a published news item's trigger writes its search words under their own policy,
# which would refuse a row the news policy wrongly let through and hide the opening.
WRITTEN = {"news": HIDDEN_ROW["news"]}

BASE = (
    "INSERT INTO units (id, name, level, province, division_code, site_status) "
    "SELECT i, '单位' || i, 'COUNTY', '33', '33' || lpad(i::text, 4, '0'), 'ACTIVE' "
    "FROM generate_series(1, 30) i",
    "INSERT INTO users (id, email, password_hash, display_name, is_active) "
    "VALUES (1, 'rls@example.org', 'x', '测试', true)",
    "INSERT INTO uploads (id, owner_user_id, filename, content_type, size, sha256, "
    "storage_key) SELECT i, 1, 'f.csv', 'text/csv', 1, lpad(i::text, 64, '0'), "
    "lpad(i::text, 64, '0') FROM generate_series(1, 30) i",
    "INSERT INTO communities (id, slug, name, region, level, status, cycle_start, cycle_end, "
    "office_unit_id) VALUES (1, 'rls-a', 'A共同体', 'YANGTZE_RIVER_DELTA', 'COUNTY', 'ACTIVE', "
    "'2026-01-01', '2028-12-31', 1), (2, 'rls-b', 'B共同体', 'YANGTZE_RIVER_DELTA', 'COUNTY', "
    "'ACTIVE', '2026-01-01', '2028-12-31', 2)",
    # The activity the attendance and sign-in sheet rows belong to, in each community.
    "INSERT INTO activities (community_id, id, kind, title, held_on, expected_count, "
    "attended_count, absent_count, excused_count) VALUES (1, 900, 'SEMINAR', 's', "
    "'2026-02-01', 0, 0, 0, 0), (2, 900, 'SEMINAR', 's', '2026-02-01', 0, 0, 0, 0)",
    # The national topic, and the (pending) sub-topic the topic reports belong to, in each.
    "INSERT INTO research_topics (id, title, year) VALUES (1, '总课题', 2026)",
    "INSERT INTO sub_topics (community_id, id, topic_id, title, leader_name, plan, status) "
    "VALUES (1, 900, 1, 's', '王', '计划', 'PENDING'), (2, 900, 1, 's', '王', '计划', 'PENDING')",
    # The achievements nominated to round 1 by the nomination rows, and round 2's
    # nominations the review assignment rows belong to, in each community.
    "INSERT INTO achievements (community_id, id, kind, title, summary, authors, visibility) "
    "SELECT c, 1000 + i, 'CASE', '案例', '简介', '{王}', 'ALL_COMMUNITIES' "
    "FROM (VALUES (1), (2)) AS x(c), generate_series(1, 30) i",
    "INSERT INTO evaluation_rounds (id, title, year, kinds, closes_on, criteria, status) "
    "VALUES (1, '评审', 2026, '{CASE}', '2026-12-01', '[]', 'OPEN'), "
    "(2, '评审二', 2026, '{CASE}', '2026-12-01', '[]', 'OPEN')",
    "INSERT INTO nominations (community_id, id, round_id, achievement_id) "
    "SELECT c, 2000 + i, 2, 1000 + i FROM (VALUES (1), (2)) AS x(c), generate_series(1, 30) i",
    # The invoice the lines and ledger entries belong to, in each community.
    "INSERT INTO invoices (community_id, id, number, year, total_fen, issued_on, due_on, "
    "status) VALUES (1, 900, 'FY-A', 2026, 100, '2026-01-01', '2026-02-01', 'OPEN'), "
    "(2, 900, 'FY-B', 2026, 100, '2026-01-01', '2026-02-01', 'OPEN')",
    # The news items the search rows speak for, in each community (drafts: no trigger).
    "INSERT INTO news (community_id, id, title, body, body_html, status, featured, "
    "author_user_id) SELECT c, 1000 + i, '草稿', '正文', '<p>正文</p>', 'DRAFT', false, 1 "
    "FROM (VALUES (1), (2)) AS x(c), generate_series(1, 30) i",
)


async def _tables_under_rls(conn: AsyncConnection) -> set[str]:
    return set(
        (
            await conn.scalars(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace AND n.nspname = 'public' "
                    "WHERE c.relkind = 'r' AND (c.relrowsecurity OR EXISTS "
                    "(SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' "
                    "AND p.tablename = c.relname))"
                )
            )
        ).all()
    )


@pytest.fixture
async def seeded(owner) -> None:
    """Rows of A, of B and (where a table has them) of no community, written as the owner."""
    async with owner.begin() as conn:
        for statement in BASE:
            await conn.execute(text(statement))
        for table, insert in ROW.items():
            await conn.execute(text(insert), {"c": A, "n": 1})
            await conn.execute(text(insert), {"c": B, "n": 2})
            if EXPECTED[table].shared:
                await conn.execute(text(insert), {"c": SHARED, "n": 3})
            if table in HIDDEN_ROW:
                await conn.execute(text(HIDDEN_ROW[table]), {"c": A, "n": 11})
                await conn.execute(text(HIDDEN_ROW[table]), {"c": B, "n": 12})


async def _scope(conn: AsyncConnection, community: int | None, everyone: bool = False) -> None:
    await conn.execute(
        text(
            "SELECT set_config('app.community_id', :c, true), "
            "set_config('app.all_communities', :all, true)"
        ),
        {"c": "" if community is None else str(community), "all": "on" if everyone else ""},
    )


async def _attempt(conn: AsyncConnection, sql: str, params: dict) -> int | str:
    """The rows a statement changed, or the reason PostgreSQL refused it (the transaction
    goes on: the attempt runs in a savepoint)."""
    try:
        async with conn.begin_nested():
            return (await conn.execute(text(sql), params)).rowcount
    except DBAPIError as refused:
        message = str(refused.orig)
        for reason in ("row-level security", "permission denied"):
            if reason in message:
                return reason
        return type(refused.orig).__name__  # e.g. a key of B's the row ran into


async def _seen_labels(conn: AsyncConnection, table: str) -> frozenset[str]:
    hidden = HIDDEN.get(table, "false")
    seen = (await conn.execute(text(f"SELECT DISTINCT community_id, {hidden} FROM {table}"))).all()
    return frozenset(LABEL.get(i, str(i)) + (" draft" if apart else "") for i, apart in seen)


NOTHING_CHANGED = "SET community_id = community_id"
NO_COMMUNITY = "WHERE community_id IS NULL"


async def wall_breaches(conn: AsyncConnection, table: str) -> list[str]:
    """Everything the application role on `conn` (in an open transaction, no tenant set yet)
    could do with `table` that its wall forbids, or could not do that it allows."""
    wall, insert = EXPECTED[table], WRITTEN.get(table, ROW[table])
    breaches: list[str] = []

    def expect(what: str, got: object, wanted: object) -> None:
        if got != wanted:
            breaches.append(f"{table}: {what}: {got!r}, expected {wanted!r}")

    refused = "row-level security"
    anyone = 1 if wall.shared == ANY_SCOPE else refused  # writing a row of no community
    expect("seen with no tenant", await _seen_labels(conn, table), wall.unscoped)
    expect(
        "insert of A's row with no tenant",
        await _attempt(conn, insert, {"c": A, "n": 20}),
        refused,
    )
    if wall.shared:
        expect(
            "insert of no community's row with no tenant",
            await _attempt(conn, insert, {"c": None, "n": 19}),
            anyone,
        )

    await _scope(conn, A)
    expect("seen in A", await _seen_labels(conn, table), wall.in_a)
    denied = "permission denied"
    keep = f"UPDATE {table} {NOTHING_CHANGED} WHERE community_id = :c"
    expect(
        "update of B's rows in A",
        await _attempt(conn, keep, {"c": B}),
        0 if wall.updates else denied,
    )
    own = await conn.scalar(text(f"SELECT count(*) FROM {table} WHERE community_id = {A}"))
    expect(
        "update of A's rows in A",
        await _attempt(conn, keep, {"c": A}),
        own if wall.updates else denied,
    )
    move = f"UPDATE {table} SET community_id = :b WHERE community_id = :a"
    expect(
        "moving A's rows into B",
        await _attempt(conn, move, {"a": A, "b": B}),
        "row-level security" if wall.updates else denied,
    )
    if wall.shared and wall.updates:
        unowned_rows = await conn.scalar(text(f"SELECT count(*) FROM {table} {NO_COMMUNITY}"))
        expect(
            "update of rows of no community in A",
            await _attempt(conn, f"UPDATE {table} {NOTHING_CHANGED} {NO_COMMUNITY}", {}),
            unowned_rows if wall.shared == ANY_SCOPE else 0,
        )
    if wall.shared == ALL_COMMUNITIES and wall.updates:
        unowned = f"UPDATE {table} SET community_id = NULL WHERE community_id = :a"
        expect("moving A's rows to no community", await _attempt(conn, unowned, {"a": A}), refused)
    gone = f"DELETE FROM {table} WHERE community_id = :c"
    expect(
        "delete of B's rows in A",
        await _attempt(conn, gone, {"c": B}),
        0 if wall.deletes else denied,
    )
    ours = await conn.scalar(text(f"SELECT count(*) FROM {table} WHERE community_id = {A}"))
    expect(
        "delete of A's rows in A",
        await _attempt(conn, gone, {"c": A}),
        ours if wall.deletes else denied,
    )
    expect(
        "insert of B's row in A",
        await _attempt(conn, insert, {"c": B, "n": 21}),
        "row-level security",
    )
    expect("insert of A's row in A", await _attempt(conn, insert, {"c": A, "n": 22}), 1)
    if wall.shared:
        expect(
            "insert of no community's row in A",
            await _attempt(conn, insert, {"c": None, "n": 23}),
            anyone,
        )

    await _scope(conn, B)
    swapped = frozenset(label.translate(str.maketrans("AB", "BA")) for label in wall.in_a)
    expect("seen in B", await _seen_labels(conn, table), swapped)

    await _scope(conn, None, everyone=True)
    expect("seen by all communities", await _seen_labels(conn, table), wall.everyone)
    theirs = await conn.scalar(text(f"SELECT count(*) FROM {table} WHERE community_id = {B}"))
    expect(
        "update of B's rows by all communities",
        await _attempt(conn, keep, {"c": B}),
        theirs if wall.updates else denied,
    )
    expect(
        "insert of B's row by all communities", await _attempt(conn, insert, {"c": B, "n": 24}), 1
    )
    if wall.shared:
        expect(
            "insert of no community's row by all communities",
            await _attempt(conn, insert, {"c": None, "n": 25}),
            1,
        )
        if wall.updates:
            unowned_rows = await conn.scalar(text(f"SELECT count(*) FROM {table} {NO_COMMUNITY}"))
            expect(
                "update of rows of no community by all communities",
                await _attempt(conn, f"UPDATE {table} {NOTHING_CHANGED} {NO_COMMUNITY}", {}),
                unowned_rows,
            )
    # TRUNCATE passes by row-level security: no scope may use it.
    expect("truncate by all communities", await _attempt(conn, f"TRUNCATE {table}", {}), denied)
    return breaches


async def test_every_table_under_rls_has_an_expectation(owner):
    async with owner.connect() as conn:
        tables = await _tables_under_rls(conn)
    assert tables == set(EXPECTED) == set(ROW)


@pytest.fixture
async def app_role(services):
    engine = create_async_engine(app_url(services.database_url, None, None))
    yield engine
    await engine.dispose()


@pytest.mark.parametrize("table", sorted(EXPECTED))
async def test_the_application_role_keeps_to_its_tenant(table, seeded, app_role):
    async with app_role.connect() as conn:
        assert await conn.scalar(text("SELECT current_user")) == APP_ROLE
        breaches = await wall_breaches(conn, table)
        await conn.rollback()
    assert breaches == []


async def test_a_community_can_neither_open_nor_read_nor_alter_a_national_run(seeded, app_role):
    """A national audit run (no community) belongs to the all-communities scope: community A
    sees only its own run (1), not B's (2) nor the national one (3), and can neither open a
    national run, nor finish B's or the national one, nor pass its own off as national."""
    async with app_role.connect() as conn:
        await _scope(conn, A)
        seen = (await conn.scalars(text("SELECT id FROM audit_runs ORDER BY id"))).all()
        opened = await _attempt(conn, ROW["audit_runs"], {"c": SHARED, "n": 26})
        finished = await _attempt(
            conn,
            "UPDATE audit_runs SET status = 'FAILED' "
            "WHERE community_id IS NULL OR community_id = :b",
            {"b": B},
        )
        relabelled = await _attempt(
            conn, "UPDATE audit_runs SET community_id = NULL WHERE community_id = :a", {"a": A}
        )
        await _scope(conn, None, everyone=True)
        unfinished = (
            await conn.scalars(text("SELECT id FROM audit_runs WHERE status = 'SUCCEEDED'"))
        ).all()
        await conn.rollback()

    assert seen == [1]
    assert opened == "row-level security"
    assert finished == 0
    assert relabelled == "row-level security"
    assert sorted(unfinished) == [1, 2, 3]


async def _openings(conn: AsyncConnection) -> list[tuple[str, str, list[str]]]:
    """Every way to loosen one table's wall: each policy's conditions opened to `true`, each
    on its own (those already `true` by design aside); the table's policies replaced by one
    open to all; RLS disabled; every privilege granted."""
    policies = (
        await conn.execute(
            text(
                "SELECT tablename, policyname, cmd, qual FROM pg_policies "
                "WHERE schemaname = 'public' ORDER BY tablename, policyname"
            )
        )
    ).all()
    openings = []
    for table, name, cmd, using in policies:
        clauses = {
            "SELECT": ["USING (true)"],
            "DELETE": ["USING (true)"],
            "INSERT": ["WITH CHECK (true)"],
        }.get(cmd, ["USING (true)", "WITH CHECK (true)", "USING (true) WITH CHECK (true)"])
        for clause in clauses:
            if clause == "USING (true)" and using == "true":
                continue
            openings.append(
                (table, f"{name} {clause}", [f"ALTER POLICY {name} ON {table} {clause}"])
            )
    for table in sorted(EXPECTED):
        replaced = [f"DROP POLICY {name} ON {table}" for t, name, *_ in policies if t == table]
        replaced.append(f"CREATE POLICY opened ON {table} USING (true) WITH CHECK (true)")
        openings.append((table, "every policy", replaced))
        openings.append(
            (table, "RLS disabled", [f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"])
        )
        openings.append((table, "every privilege", [f"GRANT ALL ON {table} TO {APP_ROLE}"]))
    return openings


async def _breaches_as_app_role(conn: AsyncConnection, table: str, *opening: str) -> list[str]:
    """The owner makes the opening inside a transaction that then acts as the application
    role, and rolls it back: nothing outlives it."""
    async with conn.begin() as transaction:
        for statement in opening:
            await conn.execute(text(statement))
        await conn.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))
        breaches = await wall_breaches(conn, table)
        await transaction.rollback()
    return breaches


async def test_opening_any_one_policy_is_caught(seeded, owner):
    async with owner.connect() as conn:
        openings = await _openings(conn)
        await conn.rollback()
        unopened = {table: await _breaches_as_app_role(conn, table) for table in EXPECTED}
        missed = [
            (table, opening)
            for table, opening, statements in openings
            if not await _breaches_as_app_role(conn, table, *statements)
        ]

    assert unopened == {table: [] for table in EXPECTED}
    assert {table for table, *_ in openings} == set(EXPECTED)
    assert missed == []
