"""The ledger reconciles at national scale: after a generated year of fees over the national
data set (`gongxue seed-national`, scaled down), what was invoiced less what was paid and
cancelled is, for every unit, what the ledger and the API say it owes; and for every
invoice, its balance. The year is made through the real services (schedules, invoices to
every member of each community and to communities themselves, partial and full payments,
payments sent twice, cancellations) on top of the year the national set already holds, its
own books kept here apart, opened with what the seeded ledger says each unit owes."""

import datetime as dt
import random
from collections import Counter

import pytest
from sqlalchemy import func, select

from schema.core import ids
from server.access.guard import Actor, Guard
from server.accounts import tokens
from server.clock import today
from server.communities.models import Community
from server.errors import UserFacingError
from server.fees import service
from server.fees.models import FeeEntry, Invoice
from server.national.load import seed_national
from server.units.models import Unit
from server.vocabulary import FeeKind, InvoiceStatus
from tests.factories import bearer, make_user
from tests.graphql import gql

SCALE = 0.01  # 419 units in about 30 communities
UNITS = """
query ($after: String) {
  units(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id balanceFen } }
  }
}"""
INVOICES = """
query ($after: String) {
  invoices(first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { number totalFen paidFen balanceFen status unit { id } } }
  }
}"""


async def _pages(client, query: str, field: str, headers) -> list[dict]:
    nodes: list[dict] = []
    after = None
    while True:
        body = await gql(client, query, {"after": after}, headers=headers)
        assert "errors" not in body, body
        page = body["data"][field]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_invoices_less_payments_are_the_balances_of_every_unit(client, runtime):
    await seed_national(runtime, SCALE)
    user, token = await make_user(runtime, "finance@example.cn", ("PROJECT_GROUP", None))
    secret = runtime.settings.secret_key.get_secret_value()
    guard = Guard(runtime.policy, Actor(user.id, tokens.read(secret, token)))
    rng = random.Random(20)
    year_start = today() - dt.timedelta(days=330)
    # By unit: invoiced (opened with the seeded balances), paid, cancelled (our own books).
    charged: Counter[int] = Counter()
    paid: Counter[int] = Counter()
    cancelled: Counter[int] = Counter()
    async with runtime.database.transaction(all_communities=True) as session:
        communities = list((await session.scalars(select(Community.id))).all())
        # The seeded year's schedules, which its invoices were issued from, stay as they are.
        for kind in FeeKind:
            with pytest.raises(UserFacingError):
                await service.set_fee_schedule(session, guard, year_start.year, kind, 50000)
        opening = await session.execute(
            select(FeeEntry.unit_id, func.sum(FeeEntry.amount_fen)).group_by(FeeEntry.unit_id)
        )
        for unit, fen in opening:
            charged[unit or 0] += int(fen)
        seeded_invoices = await session.scalar(select(func.count()).select_from(Invoice))
        seeded_payments = await session.scalar(
            select(func.count()).select_from(FeeEntry).where(FeeEntry.kind == "PAYMENT")
        )
    assert len(communities) >= 20 and seeded_invoices and seeded_payments

    invoices: list[Invoice] = []
    for n, community_id in enumerate(communities):
        due = year_start + dt.timedelta(days=10 * (n % 30))
        conference = [service.Line(FeeKind.CONFERENCE, 50000, "年度研讨会")]
        sub_site = [
            service.Line(FeeKind.SUB_SITE, 200000),
            service.Line(FeeKind.EXPERT_GUIDANCE, 30000),
        ]
        async with runtime.database.transaction(all_communities=True) as session:
            invoices += await service.issue_member_invoices(
                session, guard, community_id, conference, due
            )
            invoices.append(
                await service.issue_invoice(
                    session, guard, sub_site, due, community_id=community_id
                )
            )
    for invoice in invoices:
        charged[invoice.unit_id or 0] += invoice.total_fen

    payments = 0
    for invoice in invoices:
        owed = invoice.total_fen
        fate = rng.random()
        parts = (
            [owed] if fate < 0.5 else [owed // 3, owed - owed // 3] if fate < 0.7 else [owed // 4]
        )
        if fate > 0.9:
            parts = []
        for part, amount in enumerate(parts):
            key = f"{invoice.number}-{part}"
            # One in five is sent twice (a retried request): recorded once.
            for _ in range(2 if rng.random() < 0.2 else 1):
                async with runtime.database.transaction(invoice.community_id) as session:
                    await service.record_payment(
                        session,
                        guard,
                        invoice.community_id,
                        invoice.id,
                        amount,
                        min(invoice.due_on, today()),
                        "银行转账",
                        key,
                    )
            paid[invoice.unit_id or 0] += amount
            payments += 1
        if sum(parts) < owed and rng.random() < 0.3:
            async with runtime.database.transaction(invoice.community_id) as session:
                await service.cancel_invoice(
                    session, guard, invoice.community_id, invoice.id, "重复开具"
                )
            cancelled[invoice.unit_id or 0] += owed - sum(parts)

    expected = {unit: charged[unit] - paid[unit] - cancelled[unit] for unit in charged}
    async with runtime.database.transaction(all_communities=True) as session:
        sums = await session.execute(
            select(FeeEntry.unit_id, func.sum(FeeEntry.amount_fen)).group_by(FeeEntry.unit_id)
        )
        ledger = {unit or 0: int(fen) for unit, fen in sums}
        every_unit = set((await session.scalars(select(Unit.id))).all())
        recorded = await session.scalar(
            select(func.count()).select_from(FeeEntry).where(FeeEntry.kind == "PAYMENT")
        )
    assert recorded == seeded_payments + payments
    assert ledger == expected
    assert sum(cancelled.values()) > 0 and sum(paid.values()) > 0

    # What the API says, as the project group reads it: every unit's balance, every invoice's.
    admin = bearer(token)
    units = await _pages(client, UNITS, "units", admin)
    owes = {ids.decode(u["id"])[1][0]: u["balanceFen"] for u in units}
    assert set(owes) == every_unit
    assert owes == {unit: expected.get(unit, 0) for unit in every_unit}
    listed = await _pages(client, INVOICES, "invoices", admin)
    assert len(listed) == seeded_invoices + len(invoices)
    for invoice in listed:
        if invoice["status"] == InvoiceStatus.CANCELLED.value:
            assert invoice["balanceFen"] == 0
        else:
            assert invoice["balanceFen"] == invoice["totalFen"] - invoice["paidFen"]
            assert (invoice["status"] == "PAID") == (invoice["balanceFen"] == 0)
    by_unit: Counter[int] = Counter()
    for invoice in listed:
        unit = ids.decode(invoice["unit"]["id"])[1][0] if invoice["unit"] else 0
        by_unit[unit] += invoice["balanceFen"]
    assert {u: f for u, f in by_unit.items()} == expected
