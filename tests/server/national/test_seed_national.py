"""`gongxue seed-national --scale 0.01`: a small national data set through the real tables,
shaped like the real one, the same every time."""

import random
from collections import Counter

import pytest
from sqlalchemy import func, select

from schema.core import ids
from server.activities.models import Activity, Attendance
from server.clock import today
from server.communities.models import Community, Membership
from server.compliance.audit import run_now
from server.compliance.models import ProgrammeFinding
from server.fees.models import FeeEntry, FeeSchedule, Invoice
from server.national import generate
from server.national.load import NotEmpty, seed_national
from server.units.models import Unit
from server.vocabulary import FeeKind, InvoiceStatus, LedgerEntryKind
from tests.factories import make_units
from tests.graphql import gql
from tests.server.compliance.helpers import findings


def test_the_data_set_is_the_same_every_time():
    def build():
        rng = random.Random(generate.SEED)
        sites = generate.units(0.01, rng)
        return [
            (c.slug, [u.code for u in c.units]) for c in generate.communities(sites, today(), rng)
        ]

    assert build() == build()


def test_full_scale_has_one_unit_per_division():
    assert sum(generate.counts(1.0).values()) == 34 + 333 + 2844 + 38700


async def test_a_small_national_data_set_loads_and_follows_the_rules(client, runtime):
    seeded = await seed_national(runtime, 0.01)

    expected = generate.counts(0.01)
    async with runtime.database.transaction(all_communities=True) as session:
        levels = dict(
            (await session.execute(select(Unit.level, func.count()).group_by(Unit.level))).all()
        )
        sizes = (
            (
                await session.execute(
                    select(func.count()).select_from(Membership).group_by(Membership.community_id)
                )
            )
            .scalars()
            .all()
        )
        counted, recorded = (
            await session.execute(
                select(
                    func.sum(Activity.expected_count),
                    select(func.count()).select_from(Attendance).scalar_subquery(),
                )
            )
        ).one()
        codes = (await session.scalars(select(Unit.division_code))).all()
        communities = (await session.scalars(select(Community).order_by(Community.id))).all()
    assert {level: n for level, n in levels.items()} == expected
    assert len(codes) == len(set(codes)) == seeded.units
    assert all(3 <= n <= 15 for n in sizes) and len(sizes) == seeded.communities >= 40
    assert max(sizes) == 15  # the largest community the regulation allows is there
    assert counted == recorded == seeded.attendance  # every kept count matches its rows
    assert seeded.activities >= seeded.communities * 50  # years of activities each
    assert len({c.slug for c in communities}) == len(communities)

    await run_now(runtime)
    placed = Counter(f.rule for f in await findings(runtime))
    assert placed["same-level"] == placed["nearby-region"] == placed["community-size"] == 0
    assert placed["structure"] == 0
    async with runtime.database.transaction(all_communities=True) as session:
        unevidenced = await session.scalar(
            select(func.count()).where(ProgrammeFinding.rule == "admission-evidence")
        )
    assert unevidenced == 0  # every site came in through the call with its seven conditions

    signed_in = await gql(
        client,
        'mutation { login(input: {email: "leader.1@national.gongxue.test", password: "'
        + generate.PASSWORD
        + '"}) { token errors { code } } }',
    )
    assert signed_in["data"]["login"]["errors"] == []
    token = signed_in["data"]["login"]["token"]
    me = await gql(
        client,
        "{ me { roles { role community { slug } } } }",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert me["data"]["me"]["roles"] == [
        {"role": "LEADER", "community": {"slug": communities[0].slug}}
    ]


async def test_it_refuses_a_database_that_is_not_empty(runtime):
    await make_units(runtime, 1)

    with pytest.raises(NotEmpty):
        await seed_national(runtime, 0.01)


UNIT_BALANCES = """
query ($after: String) {
  units(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id balanceFen } }
  }
}"""
ARREARS = "{ arrears(first: 50) { totalCount edges { node { number daysOverdue balanceFen } } } }"


async def test_its_year_of_fees_reconciles_and_has_arrears(client, runtime):
    seeded = await seed_national(runtime, 0.01)

    async with runtime.database.transaction(all_communities=True) as session:
        invoices = (await session.scalars(select(Invoice))).all()
        entries = (await session.scalars(select(FeeEntry))).all()
        scheduled = set((await session.scalars(select(FeeSchedule.kind))).all())
    assert seeded.invoices == len(invoices) > seeded.units  # every member and every community
    assert scheduled == {kind.value for kind in FeeKind}
    by_invoice: dict[tuple[int, int], list[FeeEntry]] = {}
    for entry in entries:
        by_invoice.setdefault((entry.community_id, entry.invoice_id), []).append(entry)
    invoiced: Counter[int] = Counter()
    paid: Counter[int] = Counter()
    cancelled: Counter[int] = Counter()
    fates: Counter[str] = Counter()
    on = today()
    for invoice in invoices:
        ledger = by_invoice[invoice.community_id, invoice.id]
        kinds = [e.kind for e in ledger]
        assert kinds[0] == LedgerEntryKind.CHARGE and kinds.count(LedgerEntryKind.CHARGE) == 1
        assert ledger[0].amount_fen == invoice.total_fen
        assert all(e.unit_id == invoice.unit_id for e in ledger)
        payments = [e.amount_fen for e in ledger if e.kind == LedgerEntryKind.PAYMENT]
        assert all(amount < 0 for amount in payments)
        cancellation = [e.amount_fen for e in ledger if e.kind == LedgerEntryKind.CANCELLATION]
        owed = invoice.total_fen + sum(payments)
        if invoice.status == InvoiceStatus.CANCELLED:
            assert cancellation == [-owed] and owed > 0
        else:
            assert cancellation == []
            assert (invoice.status == InvoiceStatus.PAID) == (owed == 0)
        unit = invoice.unit_id or 0
        invoiced[unit] += invoice.total_fen
        paid[unit] -= sum(payments)
        cancelled[unit] -= sum(cancellation)
        overdue = invoice.status == InvoiceStatus.OPEN and (on - invoice.due_on).days > 30
        fates["overdue" if overdue else invoice.status] += 1
        fates["partly paid"] += bool(payments) and owed > 0
    keys = [(e.community_id, e.idempotency_key) for e in entries if e.idempotency_key]
    assert len(keys) == len(set(keys)) == sum(e.kind == LedgerEntryKind.PAYMENT for e in entries)
    assert all(fates[f] > 0 for f in ("overdue", "PAID", "CANCELLED", "OPEN", "partly paid"))

    signed_in = await gql(
        client,
        'mutation ($p: String!) { login(input: {email: "admin@national.gongxue.test", '
        "password: $p}) { token } }",
        {"p": generate.PASSWORD},
    )
    admin = {"Authorization": f"Bearer {signed_in['data']['login']['token']}"}
    owes: dict[int, int] = {}
    after = None
    while True:
        body = await gql(client, UNIT_BALANCES, {"after": after}, headers=admin)
        assert "errors" not in body, body
        page = body["data"]["units"]
        owes |= {ids.decode(e["node"]["id"])[1][0]: e["node"]["balanceFen"] for e in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(owes) == seeded.units
    assert owes == {
        unit: invoiced[unit] - paid[unit] - cancelled[unit] for unit in owes
    }  # invoices less payments less cancellations, unit by unit
    assert any(owes.values())

    arrears = await gql(client, ARREARS, headers=admin)
    listed = arrears["data"]["arrears"]
    assert listed["totalCount"] >= fates["overdue"] > 0
    assert any(edge["node"]["daysOverdue"] > 30 for edge in listed["edges"])
    assert all(edge["node"]["balanceFen"] > 0 for edge in listed["edges"])
