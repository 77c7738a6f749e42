"""Fees (Art. 7(6), 18(6), 19(4), 20) as the project group's finance staff run them: a
schedule, invoices to units and communities, payments (partial, sent twice, sent at once),
a cancellation; and who reads what: a unit's staff its own, a leader its community's,
nobody another unit's. Two communities, so that outsiders are told apart."""

import asyncio
import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text

from schema.core import ids
from server.accounts.models import User
from server.audit.models import AuditEntry
from server.clock import today
from server.notifications.models import Notification
from server.vocabulary import FindingStatus, Region, Severity
from tests.factories import bearer, make_community, make_units, make_user
from tests.graphql import error_codes, gql, mutate, refusal
from tests.server.compliance.helpers import audit_now, findings
from tests.state import row_counts

THIS_YEAR = today().year
DUE = (today() + dt.timedelta(days=30)).isoformat()
FIELDS = (
    "id number year totalFen paidFen balanceFen dueOn status statusLabel daysOverdue "
    "cancelledReason unit { name } community { slug } lines { kind kindLabel amountFen note } "
    "payments { amountFen paidOn method idempotencyKey } ledger { kind amountFen }"
)
SET_SCHEDULE = """
mutation ($input: SetFeeScheduleInput!) {
  setFeeSchedule(input: $input) {
    schedule { year kind kindLabel amountFen } errors { code field message }
  }
}"""
ISSUE = f"""
mutation ($input: IssueInvoiceInput!) {{
  issueInvoice(input: $input) {{ invoice {{ {FIELDS} }} errors {{ code field message }} }}
}}"""
ISSUE_MEMBERS = """
mutation ($input: IssueMemberInvoicesInput!) {
  issueMemberInvoices(input: $input) {
    invoices { number unit { name } totalFen } errors { code field message }
  }
}"""
PAY = f"""
mutation ($input: RecordPaymentInput!) {{
  recordPayment(input: $input) {{
    invoice {{ {FIELDS} }} payment {{ id amountFen idempotencyKey }} errors {{ code field message }}
  }}
}}"""
REFUND = f"""
mutation ($input: RefundPaymentInput!) {{
  refundPayment(input: $input) {{
    invoice {{ {FIELDS} }} refund {{ id kind kindLabel amountFen enteredOn method note }}
    errors {{ code field message }}
  }}
}}"""
CANCEL = f"""
mutation ($input: CancelInvoiceInput!) {{
  cancelInvoice(input: $input) {{ invoice {{ {FIELDS} }} errors {{ code field message }} }}
}}"""
INVOICES = """
query ($unitId: ID, $slug: String, $status: InvoiceStatus, $from: Date, $to: Date) {
  invoices(unitId: $unitId, communitySlug: $slug, status: $status, dueFrom: $from, dueTo: $to) {
    totalCount edges { node { number balanceFen unit { name } community { slug } } }
  }
}"""
ARREARS = """
query ($region: Region) {
  arrears(region: $region) { totalCount edges { node { number balanceFen daysOverdue } } }
}"""
BALANCE = "query ($id: ID!) { node(id: $id) { ... on Unit { name balanceFen } } }"
COMMUNITY_BALANCE = "query ($slug: String!) { community(slug: $slug) { balanceFen } }"
NODE = "query ($id: ID!) { node(id: $id) { ... on Invoice { number balanceFen } } }"


@dataclass
class Ledger:
    a: str
    b: str
    a_units: list[str]  # leader unit first
    a_unit_names: list[str]
    b_units: list[str]
    loner: str  # an active site in no community
    project_group: dict[str, str]
    leader: dict[str, str]
    deputy: dict[str, str]
    member: dict[str, str]
    staff: dict[str, str]  # on the staff of a_units[1]
    other_staff: dict[str, str]  # on the staff of a_units[2]
    other_leader: dict[str, str]


@pytest.fixture
async def ledger(runtime) -> Ledger:
    a, a_units = await make_community(runtime, "yrd-fees-a")
    b, b_units = await make_community(runtime, "yrd-fees-b", region=Region.PEARL_RIVER_DELTA)
    (loner,) = await make_units(runtime, 1)
    _, admin = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    _, leader = await make_user(runtime, "leader-a@example.cn", ("LEADER", a.id))
    _, deputy = await make_user(runtime, "deputy-a@example.cn", ("DEPUTY", a.id))
    _, member = await make_user(runtime, "member-a@example.cn", ("MEMBER", a.id))
    _, staff = await make_user(runtime, "staff-a1@example.cn", unit_id=a_units[1].id)
    _, other_staff = await make_user(runtime, "staff-a2@example.cn", unit_id=a_units[2].id)
    _, other_leader = await make_user(runtime, "leader-b@example.cn", ("LEADER", b.id))
    return Ledger(
        a.slug,
        b.slug,
        [ids.encode("Unit", u.id) for u in a_units],
        [u.name for u in a_units],
        [ids.encode("Unit", u.id) for u in b_units],
        ids.encode("Unit", loner.id),
        bearer(admin),
        bearer(leader),
        bearer(deputy),
        bearer(member),
        bearer(staff),
        bearer(other_staff),
        bearer(other_leader),
    )


def lines(*amounts: int, kind: str = "CONFERENCE") -> list[dict]:
    return [{"kind": kind, "amountFen": amount, "note": "2026年度研讨会"} for amount in amounts]


async def issue(client, ledger: Ledger, *, due: str = DUE, **target) -> dict:
    target = target or {"unitId": ledger.a_units[1]}
    given = {"input": {**target, "lines": lines(50000, 30000), "dueOn": due}}
    return (await mutate(client, ISSUE, given, headers=ledger.project_group))["invoice"]


def payment(invoice: dict, amount: int, key: str, **more) -> dict:
    return {
        "input": {
            "invoiceId": invoice["id"],
            "amountFen": amount,
            "paidOn": today().isoformat(),
            "method": "银行转账",
            "idempotencyKey": key,
            **more,
        }
    }


async def test_an_invoice_is_paid_in_parts_and_its_balance_is_the_sum_of_its_entries(
    client, runtime, ledger
):
    invoice = await issue(client, ledger)

    assert invoice["number"] == f"FY-{THIS_YEAR}-000001"
    assert (invoice["totalFen"], invoice["paidFen"], invoice["balanceFen"]) == (80000, 0, 80000)
    assert invoice["status"] == "OPEN" and invoice["statusLabel"] == "待缴"
    assert invoice["unit"] == {"name": ledger.a_unit_names[1]}
    assert invoice["community"] == {"slug": ledger.a}
    assert [line["kindLabel"] for line in invoice["lines"]] == ["会务费", "会务费"]
    assert invoice["ledger"] == [{"kind": "CHARGE", "amountFen": 80000}]

    first = await mutate(
        client, PAY, payment(invoice, 30000, "pay-1"), headers=ledger.project_group
    )
    assert (first["invoice"]["paidFen"], first["invoice"]["balanceFen"]) == (30000, 50000)
    assert first["invoice"]["status"] == "OPEN"
    second = await mutate(
        client, PAY, payment(invoice, 50000, "pay-2"), headers=ledger.project_group
    )

    paid = second["invoice"]
    assert (paid["paidFen"], paid["balanceFen"], paid["status"]) == (80000, 0, "PAID")
    assert [p["amountFen"] for p in paid["payments"]] == [30000, 50000]
    assert [e["amountFen"] for e in paid["ledger"]] == [80000, -30000, -50000]
    async with runtime.database.transaction(all_communities=True) as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.target_type == "Invoice")
            )
        ).all()
    assert sorted(actions) == ["invoice.issue", "invoice.pay", "invoice.pay"]


async def test_the_same_payment_sent_twice_is_recorded_once(client, ledger):
    invoice = await issue(client, ledger)
    given = payment(invoice, 20000, "bank-ref-20261204-1")

    first = await mutate(client, PAY, given, headers=ledger.project_group)
    again = await mutate(client, PAY, given, headers=ledger.project_group)

    assert again["payment"]["id"] == first["payment"]["id"]
    assert again["invoice"]["balanceFen"] == 60000
    assert len(again["invoice"]["payments"]) == 1
    # The key names that payment: another amount under it is refused.
    error = await refusal(
        client, PAY, payment(invoice, 10000, "bank-ref-20261204-1"), headers=ledger.project_group
    )
    assert (error["code"], error["field"]) == ("DUPLICATE", "idempotencyKey")


async def test_the_same_payment_sent_twice_at_once_moves_the_balance_once(client, runtime, ledger):
    invoice = await issue(client, ledger)
    given = payment(invoice, 25000, "at-once")

    answers = await asyncio.gather(
        *(mutate(client, PAY, given, headers=ledger.project_group) for _ in range(2))
    )

    assert {a["payment"]["id"] for a in answers} == {answers[0]["payment"]["id"]}
    node = (await gql(client, NODE, {"id": invoice["id"]}, headers=ledger.project_group))["data"]
    assert node["node"]["balanceFen"] == 55000
    async with runtime.database.transaction(all_communities=True) as session:
        payments = await session.scalar(
            text("SELECT count(*) FROM fee_entries WHERE kind = 'PAYMENT'")
        )
    assert payments == 1


@pytest.mark.parametrize(
    ("amount", "more", "code", "field"),
    [
        (80001, {}, "OVERPAYMENT", "amountFen"),
        (0, {}, "INVALID_INPUT", "amountFen"),
        (-100, {}, "INVALID_INPUT", "amountFen"),
        (100, {"idempotencyKey": "  "}, "INVALID_INPUT", "idempotencyKey"),
        (100, {"method": " "}, "INVALID_INPUT", "method"),
        (100, {"paidOn": (today() + dt.timedelta(days=2)).isoformat()}, "INVALID_INPUT", "paidOn"),
    ],
)
async def test_a_refused_payment_changes_nothing(client, owner, ledger, amount, more, code, field):
    invoice = await issue(client, ledger)
    before = await row_counts(owner)

    error = await refusal(
        client, PAY, payment(invoice, amount, "k-1", **more), headers=ledger.project_group
    )

    assert (error["code"], error["field"]) == (code, field), error
    assert await row_counts(owner) == before


async def test_a_schedule_is_set_in_fen_and_frozen_once_invoices_are_issued_from_it(
    client, owner, ledger
):
    pg = ledger.project_group
    due_year = int(DUE[:4])
    given = {"input": {"year": due_year, "kind": "CONFERENCE", "amountFen": 40000}}
    schedule = (await mutate(client, SET_SCHEDULE, given, headers=pg))["schedule"]
    assert schedule == {
        "year": due_year,
        "kind": "CONFERENCE",
        "kindLabel": "会务费",
        "amountFen": 40000,
    }
    given["input"]["amountFen"] = 45000
    changed = (await mutate(client, SET_SCHEDULE, given, headers=pg))["schedule"]
    assert changed["amountFen"] == 45000

    await issue(client, ledger)
    before = await row_counts(owner)
    given["input"]["amountFen"] = 50000
    error = await refusal(client, SET_SCHEDULE, given, headers=pg)

    assert (error["code"], error["field"]) == ("INVALID_TRANSITION", "amountFen")
    assert await row_counts(owner) == before
    # Another kind of the same year still changes.
    other = {"input": {"year": due_year, "kind": "TRAINING", "amountFen": 120000}}
    assert (await mutate(client, SET_SCHEDULE, other, headers=pg))["schedule"][
        "amountFen"
    ] == 120000
    zero = {"input": {"year": due_year, "kind": "TRAINING", "amountFen": 0}}
    assert (await refusal(client, SET_SCHEDULE, zero, headers=pg))["code"] == "INVALID_INPUT"


@pytest.mark.parametrize(
    ("target", "invoice_lines", "code", "field"),
    [
        ({}, lines(100), "INVALID_INPUT", "unitId"),
        ({"unitId": "A1"}, [], "INVALID_INPUT", "lines"),
        ({"unitId": "A1"}, lines(100, -5), "INVALID_INPUT", "lines"),
        ({"unitId": "A1"}, lines(0), "INVALID_INPUT", "lines"),
        ({"unitId": "A1"}, lines(2_000_000_000, 1), "INVALID_INPUT", "lines"),
        ({"unitId": "LONER"}, lines(100), "INVALID_INPUT", "unitId"),
        ({"unitId": "B1", "communitySlug": "A"}, lines(100), "INVALID_INPUT", "unitId"),
    ],
)
async def test_a_refused_invoice_changes_nothing(
    client, owner, ledger, target, invoice_lines, code, field
):
    names = {"A1": ledger.a_units[1], "B1": ledger.b_units[1], "LONER": ledger.loner, "A": ledger.a}
    given = {k: names[v] for k, v in target.items()}
    before = await row_counts(owner)

    error = await refusal(
        client,
        ISSUE,
        {"input": {**given, "lines": invoice_lines, "dueOn": DUE}},
        headers=ledger.project_group,
    )

    assert (error["code"], error["field"]) == (code, field), error
    assert await row_counts(owner) == before


async def test_a_community_is_charged_itself_or_every_member_at_once(client, ledger):
    own = await issue(client, ledger, communitySlug=ledger.a)
    assert own["unit"] is None and own["community"] == {"slug": ledger.a}

    given = {"input": {"communitySlug": ledger.b, "lines": lines(20000), "dueOn": DUE}}
    each = (await mutate(client, ISSUE_MEMBERS, given, headers=ledger.project_group))["invoices"]

    assert len(each) == 3
    assert [i["totalFen"] for i in each] == [20000, 20000, 20000]
    assert [i["number"] for i in each] == [f"FY-{THIS_YEAR}-{n:06d}" for n in (2, 3, 4)]


async def test_a_cancelled_invoice_owes_nothing_and_keeps_its_payments(client, owner, ledger):
    invoice = await issue(client, ledger)
    await mutate(client, PAY, payment(invoice, 30000, "p"), headers=ledger.project_group)

    given = {"input": {"id": invoice["id"], "reason": "重复开具"}}
    cancelled = (await mutate(client, CANCEL, given, headers=ledger.project_group))["invoice"]

    assert (cancelled["status"], cancelled["balanceFen"]) == ("CANCELLED", 0)
    assert cancelled["paidFen"] == 30000 and cancelled["cancelledReason"] == "重复开具"
    assert [e["kind"] for e in cancelled["ledger"]] == ["CHARGE", "PAYMENT", "CANCELLATION"]
    before = await row_counts(owner)
    again = await refusal(client, CANCEL, given, headers=ledger.project_group)
    late = await refusal(client, PAY, payment(invoice, 100, "late"), headers=ledger.project_group)
    assert (again["code"], late["code"]) == ("INVALID_TRANSITION", "INVALID_TRANSITION")
    assert await row_counts(owner) == before
    blank = await refusal(
        client,
        CANCEL,
        {"input": {"id": invoice["id"], "reason": " "}},
        headers=ledger.project_group,
    )
    assert (blank["code"], blank["field"]) == ("INVALID_INPUT", "reason")


def refund(invoice: dict, amount: int, key: str, **more) -> dict:
    return {
        "input": {
            "invoiceId": invoice["id"],
            "amountFen": amount,
            "refundedOn": today().isoformat(),
            "method": "银行转账",
            "reason": "研讨会改为线上，退还部分会务费",
            "idempotencyKey": key,
            **more,
        }
    }


async def test_a_refund_reopens_a_paid_invoice_until_it_is_cancelled(client, runtime, ledger):
    pg = ledger.project_group
    invoice = await issue(client, ledger)
    await mutate(client, PAY, payment(invoice, 80000, "paid-in-full"), headers=pg)

    first = await mutate(client, REFUND, refund(invoice, 30000, "refund-1"), headers=pg)

    reopened = first["invoice"]
    assert (reopened["paidFen"], reopened["balanceFen"], reopened["status"]) == (
        50000,
        30000,
        "OPEN",
    )
    assert [(e["kind"], e["amountFen"]) for e in reopened["ledger"]] == [
        ("CHARGE", 80000),
        ("PAYMENT", -80000),
        ("REFUND", 30000),
    ]
    assert first["refund"]["kindLabel"] == "退款" and first["refund"]["amountFen"] == 30000
    assert first["refund"]["note"] == "研讨会改为线上，退还部分会务费"
    # The unit owes the refunded part again, as its balance says.
    unit = await gql(client, BALANCE, {"id": ledger.a_units[1]}, headers=pg)
    assert unit["data"]["node"]["balanceFen"] == 30000
    # Sent again, the same refund is recorded once.
    again = await mutate(client, REFUND, refund(invoice, 30000, "refund-1"), headers=pg)
    assert again["refund"]["id"] == first["refund"]["id"]
    assert again["invoice"]["balanceFen"] == 30000

    rest = await mutate(client, REFUND, refund(invoice, 50000, "refund-2"), headers=pg)
    assert (rest["invoice"]["paidFen"], rest["invoice"]["balanceFen"]) == (0, 80000)
    forgiven = await mutate(
        client, CANCEL, {"input": {"id": invoice["id"], "reason": "研讨会取消"}}, headers=pg
    )
    assert (forgiven["invoice"]["status"], forgiven["invoice"]["balanceFen"]) == ("CANCELLED", 0)
    async with runtime.database.transaction(all_communities=True) as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.target_type == "Invoice")
                .order_by(AuditEntry.id)
            )
        ).all()
    assert actions == [
        "invoice.issue",
        "invoice.pay",
        "invoice.refund",
        "invoice.refund",
        "invoice.cancel",
    ]


async def test_a_refund_on_a_cancelled_invoice_leaves_it_owing_nothing(client, ledger):
    pg = ledger.project_group
    invoice = await issue(client, ledger)
    await mutate(client, PAY, payment(invoice, 30000, "part"), headers=pg)
    await mutate(client, CANCEL, {"input": {"id": invoice["id"], "reason": "重复开具"}}, headers=pg)

    returned = (await mutate(client, REFUND, refund(invoice, 30000, "back"), headers=pg))["invoice"]

    assert (returned["status"], returned["paidFen"], returned["balanceFen"]) == (
        "CANCELLED",
        0,
        0,
    )
    assert [(e["kind"], e["amountFen"]) for e in returned["ledger"]] == [
        ("CHARGE", 80000),
        ("PAYMENT", -30000),
        ("CANCELLATION", -50000),
        ("REFUND", 30000),
        ("CANCELLATION", -30000),
    ]
    unit = await gql(client, BALANCE, {"id": ledger.a_units[1]}, headers=pg)
    assert unit["data"]["node"]["balanceFen"] == 0


@pytest.mark.parametrize(
    ("amount", "more", "code", "field"),
    [
        (30001, {}, "INVALID_INPUT", "amountFen"),
        (0, {}, "INVALID_INPUT", "amountFen"),
        (-100, {}, "INVALID_INPUT", "amountFen"),
        (100, {"reason": " "}, "INVALID_INPUT", "reason"),
        (100, {"method": ""}, "INVALID_INPUT", "method"),
        (100, {"idempotencyKey": " "}, "INVALID_INPUT", "idempotencyKey"),
        (100, {"idempotencyKey": "paid"}, "DUPLICATE", "idempotencyKey"),
        (
            100,
            {"refundedOn": (today() + dt.timedelta(days=1)).isoformat()},
            "INVALID_INPUT",
            "refundedOn",
        ),
    ],
)
async def test_a_refused_refund_changes_nothing(client, owner, ledger, amount, more, code, field):
    invoice = await issue(client, ledger)
    await mutate(client, PAY, payment(invoice, 30000, "paid"), headers=ledger.project_group)
    before = await row_counts(owner)

    error = await refusal(
        client, REFUND, refund(invoice, amount, "r-1", **more), headers=ledger.project_group
    )

    assert (error["code"], error["field"]) == (code, field), error
    assert await row_counts(owner) == before


async def test_nothing_paid_is_nothing_to_refund(client, ledger):
    invoice = await issue(client, ledger)

    error = await refusal(client, REFUND, refund(invoice, 1, "r"), headers=ledger.project_group)

    assert error["code"] == "INVALID_INPUT"
    assert error["message"] == "退款金额 0.01 元超过已缴金额 0.00 元"


async def test_a_units_staff_and_its_leader_see_its_invoices_and_nobody_else_does(client, ledger):
    mine = await issue(client, ledger, unitId=ledger.a_units[1])
    await issue(client, ledger, unitId=ledger.a_units[2])
    await issue(client, ledger, unitId=ledger.b_units[1])

    def numbers(body: dict) -> list[str]:
        return [e["node"]["number"] for e in body["data"]["invoices"]["edges"]]

    seen = {
        who: numbers(await gql(client, INVOICES, {}, headers=getattr(ledger, who)))
        for who in (
            "project_group",
            "leader",
            "staff",
            "other_staff",
            "deputy",
            "member",
            "other_leader",
        )
    }
    assert len(seen["project_group"]) == 3
    assert seen["leader"] == seen["project_group"][:2]
    assert seen["staff"] == [mine["number"]]
    assert seen["other_staff"] == [seen["project_group"][1]]
    assert seen["deputy"] == seen["member"] == []
    assert seen["other_leader"] == [seen["project_group"][2]]
    anonymous = await gql(client, INVOICES, {})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]

    # One invoice by its id: the same walls.
    for who, visible in (("staff", True), ("other_staff", False), ("other_leader", False)):
        body = await gql(client, NODE, {"id": mine["id"]}, headers=getattr(ledger, who))
        if visible:
            assert body["data"]["node"]["number"] == mine["number"]
        else:
            assert error_codes(body) == ["NOT_FOUND"], body

    # What the unit owes: to its staff, its leader and the project group; null to others.
    owed = {
        who: (await gql(client, BALANCE, {"id": ledger.a_units[1]}, headers=getattr(ledger, who)))[
            "data"
        ]["node"]["balanceFen"]
        for who in ("project_group", "leader", "staff", "other_staff", "member")
    }
    assert owed == {
        "project_group": 80000,
        "leader": 80000,
        "staff": 80000,
        "other_staff": None,
        "member": None,
    }

    # What is owed through the community (both its units' invoices): to its leader and the
    # project group; null to its members, its units' staff and another community's leader.
    await issue(client, ledger, communitySlug=ledger.a)
    owed_through = {
        who: (
            await gql(client, COMMUNITY_BALANCE, {"slug": ledger.a}, headers=getattr(ledger, who))
        )["data"]["community"]["balanceFen"]
        for who in ("project_group", "leader", "deputy", "staff", "other_leader")
    }
    assert owed_through == {
        "project_group": 240000,
        "leader": 240000,
        "deputy": None,
        "staff": None,
        "other_leader": None,
    }


async def test_filters_name_a_unit_a_community_a_status(client, ledger):
    first = await issue(client, ledger, unitId=ledger.a_units[1])
    await issue(client, ledger, unitId=ledger.b_units[1])
    await mutate(client, PAY, payment(first, 80000, "all"), headers=ledger.project_group)
    pg = ledger.project_group

    async def count(**variables) -> int:
        body = await gql(client, INVOICES, variables, headers=pg)
        return body["data"]["invoices"]["totalCount"]

    assert await count(unitId=ledger.a_units[1]) == 1
    assert await count(slug=ledger.b) == 1
    assert await count(status="PAID") == 1
    assert await count(status="OPEN", slug=ledger.a) == 0


async def test_invoices_due_within_a_span_both_days_included(client, ledger):
    days = [today() + dt.timedelta(days=n) for n in (10, 20, 30)]
    for day in days:
        await issue(client, ledger, due=day.isoformat())

    async def due(**span) -> list[str]:
        variables = {k: v.isoformat() for k, v in span.items()}
        body = await gql(client, INVOICES, variables, headers=ledger.project_group)
        return [edge["node"]["number"] for edge in body["data"]["invoices"]["edges"]]

    numbers = await due()
    assert len(numbers) == 3
    assert await due(**{"from": days[1]}) == numbers[1:]
    assert await due(to=days[1]) == numbers[:2]
    assert await due(**{"from": days[1], "to": days[1]}) == [numbers[1]]
    assert await due(**{"from": days[2], "to": days[0]}) == []


async def test_arrears_list_what_is_past_due_by_region(client, ledger):
    long_ago = (today() - dt.timedelta(days=45)).isoformat()
    late = await issue(client, ledger, unitId=ledger.a_units[1], due=long_ago)
    await issue(client, ledger, unitId=ledger.b_units[1], due=long_ago)
    await issue(client, ledger, unitId=ledger.a_units[2])  # not due yet
    await mutate(client, PAY, payment(late, 30000, "part"), headers=ledger.project_group)

    every = (await gql(client, ARREARS, {}, headers=ledger.project_group))["data"]["arrears"]
    delta = (
        await gql(client, ARREARS, {"region": "YANGTZE_RIVER_DELTA"}, headers=ledger.project_group)
    )["data"]["arrears"]
    staff = (await gql(client, ARREARS, {}, headers=ledger.other_staff))["data"]["arrears"]

    assert every["totalCount"] == 2
    assert [e["node"] for e in delta["edges"]] == [
        {"number": late["number"], "balanceFen": 50000, "daysOverdue": 45}
    ]
    assert staff["totalCount"] == 0


async def test_an_invoice_overdue_more_than_30_days_is_a_finding_until_it_is_paid(
    client, runtime, ledger
):
    overdue = (today() - dt.timedelta(days=31)).isoformat()
    late = await issue(client, ledger, unitId=ledger.a_units[1], due=overdue)
    await issue(
        client, ledger, unitId=ledger.a_units[2], due=(today() - dt.timedelta(days=30)).isoformat()
    )

    await audit_now(runtime)
    (found,) = await findings(runtime, "fees")

    assert (found.article, found.status, found.severity) == (
        "7(6)",
        FindingStatus.OPEN,
        Severity.WARNING,
    )
    assert found.evidence == [
        f"Invoice:{ids.decode(late['id'])[1][0]}:{ids.decode(late['id'])[1][1]}"
    ]
    assert late["number"] in found.message_zh and "逾期 31 天" in found.message_zh

    await mutate(client, PAY, payment(late, 80000, "settled"), headers=ledger.project_group)
    await audit_now(runtime)
    (settled,) = await findings(runtime, "fees")
    assert settled.status == FindingStatus.RESOLVED


async def test_the_leader_and_the_units_staff_are_reminded_before_and_after_an_invoice_falls_due(
    client, runtime, ledger
):
    soon = await issue(client, ledger, due=(today() + dt.timedelta(days=20)).isoformat())
    late = await issue(client, ledger, due=(today() - dt.timedelta(days=3)).isoformat())
    paid = await issue(client, ledger, due=(today() + dt.timedelta(days=5)).isoformat())
    await mutate(client, PAY, payment(paid, 80000, "paid"), headers=ledger.project_group)
    # Another unit's invoice reminds its own staff and the leader, never this unit's staff.
    theirs = await issue(
        client, ledger, unitId=ledger.a_units[2], due=(today() + dt.timedelta(days=3)).isoformat()
    )

    await audit_now(runtime)
    await audit_now(runtime)  # once each: the second run sends nothing again

    async with runtime.database.transaction() as session:
        sent = (
            await session.execute(
                select(User.email, Notification.title)
                .join(User, User.id == Notification.user_id)
                .where(Notification.title.contains("应收单"))
            )
        ).all()
    by_whom: dict[str, list[str]] = {}
    for email, title in sent:
        by_whom.setdefault(email, []).append(title)
    mine = [
        f"yrd-fees-a共同体：{ledger.a_unit_names[1]}应收单 {soon['number']} 30 天内到期",
        f"yrd-fees-a共同体：{ledger.a_unit_names[1]}应收单 {late['number']} 已过期",
    ]
    other = f"yrd-fees-a共同体：{ledger.a_unit_names[2]}应收单 {theirs['number']} 7 天内到期"
    assert sorted(by_whom["leader-a@example.cn"]) == sorted([*mine, other])
    assert sorted(by_whom["staff-a1@example.cn"]) == sorted(mine)
    assert by_whom["staff-a2@example.cn"] == [other]
    assert set(by_whom) == {"leader-a@example.cn", "staff-a1@example.cn", "staff-a2@example.cn"}


async def test_arrears_by_region_add_up_what_each_reader_may_see(client, ledger):
    long_ago = (today() - dt.timedelta(days=45)).isoformat()
    late = await issue(client, ledger, unitId=ledger.a_units[1], due=long_ago)
    await issue(client, ledger, unitId=ledger.a_units[2], due=long_ago)
    await issue(client, ledger, unitId=ledger.b_units[1], due=long_ago)
    await mutate(client, PAY, payment(late, 30000, "part"), headers=ledger.project_group)
    query = "{ arrearsByRegion { region regionLabel invoices owedFen } }"

    every = (await gql(client, query, headers=ledger.project_group))["data"]["arrearsByRegion"]
    staff = (await gql(client, query, headers=ledger.staff))["data"]["arrearsByRegion"]

    assert sorted(every, key=lambda r: r["region"]) == [
        {"region": "PEARL_RIVER_DELTA", "regionLabel": "珠三角", "invoices": 1, "owedFen": 80000},
        {
            "region": "YANGTZE_RIVER_DELTA",
            "regionLabel": "长三角",
            "invoices": 2,
            "owedFen": 130000,
        },
    ]
    assert staff == [
        {"region": "YANGTZE_RIVER_DELTA", "regionLabel": "长三角", "invoices": 1, "owedFen": 50000}
    ]


async def test_a_regions_arrears_past_32_bits_are_read_whole(client, ledger):
    # Three invoices of 15,000,000.00 yuan each: 4,500,000,000 fen, past the 2,147,483,647
    # that GraphQL's Int carries.
    long_ago = (today() - dt.timedelta(days=45)).isoformat()
    for unit in ledger.a_units[:3]:
        given = {
            "input": {
                "unitId": unit,
                "lines": [{"kind": "SUB_SITE", "amountFen": 1_500_000_000}],
                "dueOn": long_ago,
            }
        }
        await mutate(client, ISSUE, given, headers=ledger.project_group)

    body = await gql(
        client, "{ arrearsByRegion { invoices owedFen } }", headers=ledger.project_group
    )

    assert "errors" not in body, body
    assert body["data"]["arrearsByRegion"] == [{"invoices": 3, "owedFen": 4_500_000_000}]
