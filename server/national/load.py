"""`gongxue seed-national [--scale F]`: the national data set, copied into an empty database
in one transaction (COPY, as the tables' owner), with a progress bar."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from server.access.policy import VERSION_KEY
from server.accounts.service import subject
from server.clock import today
from server.models import Base
from server.national import generate
from server.passwords import hash_password
from server.runtime import Runtime
from server.writes import driver_connection

BATCH = 200  # communities whose activities are copied at a time
Step = Callable[[str, int, int], None]  # (what, done, of)


class NotEmpty(Exception):
    """The national data set goes into an empty database only."""


@dataclass
class Seeded:
    units: int = 0
    communities: int = 0
    memberships: int = 0
    activities: int = 0
    attendance: int = 0
    reports: int = 0
    news: int = 0
    invoices: int = 0
    fee_entries: int = 0
    users: int = 0
    sign_ins: list[tuple[str, str, str]] = field(default_factory=list)


COLUMNS = {
    "units": (
        "id",
        "name",
        "level",
        "province",
        "division_code",
        "address",
        "responsible_person",
        "site_status",
        "admitted_on",
        "plaque_number",
    ),
    "communities": (
        "id",
        "slug",
        "name",
        "region",
        "level",
        "themes",
        "status",
        "cycle_start",
        "cycle_end",
        "agreement_signed_on",
        "office_unit_id",
    ),
    "memberships": ("community_id", "id", "unit_id", "role", "status", "joined_on"),
    "application_calls": ("id", "title", "year", "opens_on", "closes_on", "published_on"),
    "applications": (
        "id",
        "call_id",
        "applicant_user_id",
        "unit_name",
        "level",
        "division_code",
        "province",
        "address",
        "responsible_person",
        "project_team",
        "status",
        "unit_id",
    ),
    "application_conditions": ("application_id", "condition", "evidence"),
    "users": ("id", "email", "password_hash", "display_name", "unit_id", "is_active"),
    "casbin_rule": ("id", "ptype", "v0", "v1", "v2", "v3", "v4", "v5"),
    "activities": (
        "community_id",
        "id",
        "kind",
        "title",
        "held_on",
        "expected_count",
        "attended_count",
        "absent_count",
        "excused_count",
        "attendance_recorded_at",
    ),
    "attendance": ("community_id", "activity_id", "unit_id", "status", "recorded_at"),
    "reports": (
        "community_id",
        "id",
        "kind",
        "year",
        "half",
        "unit_id",
        "title",
        "body",
        "due_on",
        "submitted_on",
        "late",
    ),
    "news": (
        "community_id",
        "id",
        "title",
        "body",
        "body_html",
        "status",
        "published_at",
        "featured",
        "author_user_id",
        "created_at",
    ),
    "fee_schedules": ("id", "year", "kind", "amount_fen", "set_by"),
    "invoices": (
        "community_id",
        "id",
        "unit_id",
        "number",
        "year",
        "total_fen",
        "issued_on",
        "due_on",
        "status",
        "issued_by",
        "cancelled_at",
        "cancelled_reason",
        "cancelled_by",
    ),
    "invoice_lines": (
        "community_id",
        "id",
        "invoice_id",
        "kind",
        "amount_fen",
        "note",
        "schedule_id",
    ),
    "fee_entries": (
        "community_id",
        "id",
        "invoice_id",
        "unit_id",
        "kind",
        "amount_fen",
        "entered_on",
        "method",
        "idempotency_key",
        "recorded_by",
    ),
}
IDENTITY_TABLES = (
    "application_calls",
    "applications",
    "units",
    "communities",
    "memberships",
    "users",
    "casbin_rule",
    "activities",
    "reports",
    "news",
    "fee_schedules",
    "invoices",
    "invoice_lines",
    "fee_entries",
)


def _accounts(
    made: list[generate.NationalCommunity],
    ids: generate.Ids,
    seeded: Seeded,
    leaders: dict[int, int],
) -> tuple[list[generate.Record], list[generate.Record]]:
    """The project group, a leader for every community (into `leaders`, by community: they
    write its news), a deputy and a member for the first hundred, and an expert for every
    twenty communities (assigned to them)."""
    password_hash = hash_password(generate.PASSWORD)
    users: list[generate.Record] = []
    rules: list[generate.Record] = []

    def user(email: str, name: str, unit_id: int | None) -> int:
        user_id = ids.next("user")
        users.append((user_id, email, password_hash, name, unit_id, True))
        return user_id

    def grant(ptype: str, user_id: int, role: str, community_id: int | None) -> None:
        v2 = "" if community_id is None else str(community_id)
        rules.append((ids.next("rule"), ptype, subject(user_id), role, v2, "", "", ""))

    admin = f"admin@{generate.DOMAIN}"
    grant("g2", user(admin, "项目组管理员", None), "PROJECT_GROUP", None)
    seeded.sign_ins.append(("PROJECT_GROUP", admin, ""))
    expert_id = 0
    for n, c in enumerate(made):
        leader = f"leader.{c.id}@{generate.DOMAIN}"
        leaders[c.id] = user(leader, f"{c.units[0].name}组长", c.units[0].id)
        grant("g", leaders[c.id], "LEADER", c.id)
        if n < 100:
            deputy = f"deputy.{c.id}@{generate.DOMAIN}"
            grant("g", user(deputy, f"{c.units[1].name}联络员", c.units[1].id), "DEPUTY", c.id)
            member = f"member.{c.id}@{generate.DOMAIN}"
            grant("g", user(member, f"{c.units[2].name}联络员", c.units[2].id), "MEMBER", c.id)
        if n % 20 == 0:
            email = f"expert.{n // 20 + 1}@{generate.DOMAIN}"
            expert_id = user(email, f"专家{n // 20 + 1}", None)
            grant("g2", expert_id, "EXPERT", None)
        grant("g", expert_id, "EXPERT_ASSIGNED", c.id)
    first = made[0].id if made else None
    seeded.sign_ins += [
        ("LEADER", f"leader.{first}@{generate.DOMAIN}", str(first)),
        ("DEPUTY", f"deputy.{first}@{generate.DOMAIN}", str(first)),
        ("MEMBER", f"member.{first}@{generate.DOMAIN}", str(first)),
        ("EXPERT", f"expert.1@{generate.DOMAIN}", str(first)),
    ]
    return users, rules


async def seed_national(runtime: Runtime, scale: float, step: Step | None = None) -> Seeded:
    rng = random.Random(generate.SEED)
    # News draws from a generator of its own, so adding it left the rest of the set as it was.
    news_rng = random.Random(generate.NEWS_SEED)
    on = today()
    sites = generate.units(scale, rng)
    made = generate.communities(sites, on, rng)
    ids = generate.Ids()
    seeded = Seeded(units=len(sites), communities=len(made))
    engine = create_async_engine(
        runtime.services.database_url, hide_parameters=True
    )  # the owner: COPY, setval
    try:
        async with engine.begin() as conn:
            if (await conn.execute(text("SELECT count(*) FROM units"))).scalar_one():
                raise NotEmpty("seed-national wants an empty database: it already holds units")
            await conn.execute(text("SELECT set_config('app.all_communities', 'on', true)"))
            raw = await driver_connection(conn)

            async def copy(table: str, rows: list[generate.Record]) -> int:
                if rows:
                    await raw.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
                return len(rows)

            def tell(what: str, done: int, of: int) -> None:
                if step:
                    step(what, done, of)

            tell("单位 units", 0, 1)
            admitted = on.replace(month=1, day=1)
            await copy("units", list(generate.unit_rows(sites, admitted)))
            await copy("communities", list(generate.community_rows(made, rng)))
            seeded.memberships = await copy(
                "memberships", list(generate.membership_rows(made, ids))
            )
            leaders: dict[int, int] = {}
            users, rules = _accounts(made, ids, seeded, leaders)
            seeded.users = await copy("users", users)
            await copy("casbin_rule", rules)
            calls, applications, conditions = generate.admission_rows(sites, admitted, users[0][0])
            await copy("application_calls", calls)
            await copy("applications", applications)
            await copy("application_conditions", conditions)
            tell("单位 units", 1, 1)
            for start in range(0, len(made), BATCH):
                activities: list[generate.Record] = []
                attendance: list[generate.Record] = []
                reports: list[generate.Record] = []
                news: list[generate.Record] = []
                for c in made[start : start + BATCH]:
                    held, present = generate.activity_rows(c, on, ids, rng)
                    activities += held
                    attendance += present
                    reports += generate.report_rows(c, on, ids, rng)
                    news += generate.news_rows(c, leaders[c.id], on, ids, news_rng)
                seeded.activities += await copy("activities", activities)
                seeded.attendance += await copy("attendance", attendance)
                seeded.reports += await copy("reports", reports)
                seeded.news += await copy("news", news)
                tell("活动 activities", min(start + BATCH, len(made)), len(made))
            # Fees draw from a generator of their own, as news do.
            fees = generate.fee_rows(made, on, users[0][0], random.Random(generate.FEES_SEED))
            await copy("fee_schedules", fees.schedules)
            seeded.invoices = await copy("invoices", fees.invoices)
            await copy("invoice_lines", fees.lines)
            seeded.fee_entries = await copy("fee_entries", fees.entries)
            for name in IDENTITY_TABLES:
                table = Base.metadata.tables[name]
                last = select(func.max(table.c.id)).scalar_subquery()
                await conn.execute(
                    select(
                        func.setval(
                            func.pg_get_serial_sequence(name, "id"),
                            func.coalesce(last, 0) + 1,
                            False,
                        )
                    )
                )
            # ANALYZE takes no parameters: the tables' names, quoted as identifiers.
            quote = conn.dialect.identifier_preparer.quote
            # The search index of published news is filled by a trigger as news is copied.
            analysed = [*COLUMNS, "published_news_search"]
            await conn.execute(text("ANALYZE " + ", ".join(quote(name) for name in analysed)))
    finally:
        await engine.dispose()
    await runtime.redis.incr(VERSION_KEY)  # other running processes reload the role grants
    await runtime.policy.load()
    return seeded


def summary_rows(seeded: Seeded) -> list[tuple[str, str]]:
    return [
        ("单位 units", f"{seeded.units:,}"),
        ("共同体 communities", f"{seeded.communities:,}"),
        ("成员关系 memberships", f"{seeded.memberships:,}"),
        ("活动 activities", f"{seeded.activities:,}"),
        ("出勤记录 attendance", f"{seeded.attendance:,}"),
        ("报告 reports", f"{seeded.reports:,}"),
        ("新闻 news", f"{seeded.news:,}"),
        ("应收 invoices", f"{seeded.invoices:,}"),
        ("收费记账 ledger entries", f"{seeded.fee_entries:,}"),
        ("账号 accounts", f"{seeded.users:,}"),
    ]
