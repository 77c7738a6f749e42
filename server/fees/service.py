"""Fees (Art. 7(6), 18(6), 19(4), 20): the project group sets the schedules, issues invoices
to units and communities, records payments and cancels an invoice issued in error. Every
change is a new ledger entry; an invoice's balance is the sum of its entries."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import BigInteger, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Actor, Guard
from server.activities.queries import attendance_statement
from server.activities.service import find_activity
from server.audit.service import record
from server.clock import today
from server.communities.models import Community, Membership
from server.errors import ErrorCode, UserFacingError, not_found
from server.fees import rules
from server.fees.models import FeeEntry, FeeSchedule, Invoice, InvoiceLine
from server.fees.queries import balance_statement, paid
from server.units.models import Unit
from server.units.service import get_unit
from server.vocabulary import (
    AttendanceStatus,
    FeeKind,
    InvoiceStatus,
    LedgerEntryKind,
    MembershipStatus,
)

# The first keys of the two-key advisory locks: one schedule change per year at a time, one
# invoice numbered per year at a time (numbers follow each other without gaps).
SCHEDULE_LOCK = 0x66656573  # "fees"
NUMBER_LOCK = 0x696E766F  # "invo"


@dataclass(frozen=True)
class Line:
    kind: FeeKind
    amount_fen: int
    note: str | None = None


def _invalid(zh: str, en: str, field: str) -> UserFacingError:
    return UserFacingError(ErrorCode.INVALID_INPUT, zh, en, field)


def no_invoice(field: str = "invoiceId") -> UserFacingError:
    return UserFacingError(ErrorCode.NOT_FOUND, "应收单不存在", "no such invoice", field)


async def set_fee_schedule(
    session: AsyncSession, guard: Guard, year: int, kind: FeeKind, amount_fen: int
) -> FeeSchedule:
    """Sets the year's amount for one kind of fee; refused once an invoice line was issued
    from it (what was charged stays what the schedule said)."""
    actor = guard.require(Permission.FEE_SCHEDULE_SET)
    if error := rules.amount_error(amount_fen) or rules.year_error(year, today().year):
        raise error
    await session.execute(select(func.pg_advisory_xact_lock(SCHEDULE_LOCK, year)))
    schedule = (
        await session.scalars(
            select(FeeSchedule).where(FeeSchedule.year == year, FeeSchedule.kind == kind)
        )
    ).one_or_none()
    before = None
    if schedule is None:
        schedule = FeeSchedule(year=year, kind=kind, amount_fen=amount_fen, set_by=actor.user_id)
        session.add(schedule)
    else:
        used = await session.scalar(
            select(func.count()).where(InvoiceLine.schedule_id == schedule.id)
        )
        if used:
            raise rules.schedule_locked_error(year, kind.zh)
        before = {"amount_fen": schedule.amount_fen}
        schedule.amount_fen = amount_fen
        schedule.set_by = actor.user_id
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="fee_schedule.set",
        target_type="FeeSchedule",
        target_id=schedule.id,
        before=before,
        after={"year": year, "kind": kind.value, "amount_fen": amount_fen},
    )
    return schedule


async def _charged_through(
    session: AsyncSession, unit_id: int | None, community_id: int | None
) -> tuple[int, int | None]:
    """(the community, the unit) an invoice is charged to: a unit through its community (the
    one named, of which it must be an active member, else its only one), or a community."""
    if unit_id is None:
        if community_id is None:
            raise _invalid(
                "请选择缴费单位或共同体", "name the unit or the community to charge", "unitId"
            )
        return community_id, None
    await get_unit(session, unit_id)
    joined = select(Membership.community_id).where(
        Membership.unit_id == unit_id, Membership.status == MembershipStatus.ACTIVE
    )
    if community_id is not None:
        joined = joined.where(Membership.community_id == community_id)
    communities = (await session.scalars(joined.order_by(Membership.community_id))).all()
    if community_id is not None and not communities:
        raise _invalid(
            "该单位不是此共同体的在册成员",
            "the unit is no active member of the community",
            "unitId",
        )
    if not communities:
        raise _invalid(
            "该单位尚未加入共同体，无法开具应收单",
            "the unit belongs to no community to charge it through",
            "unitId",
        )
    if len(communities) > 1:
        raise _invalid(
            "该单位属于多个共同体，请同时选择共同体",
            "the unit belongs to several communities: name one",
            "communitySlug",
        )
    return communities[0], unit_id


async def next_invoice_number(session: AsyncSession, year: int) -> str:
    """The year's highest number plus one, under the year's lock (every community's
    invoices are seen: the transaction is the programme's)."""
    await session.execute(select(func.pg_advisory_xact_lock(NUMBER_LOCK, year)))
    prefix = rules.invoice_number(year, 0)[:-6]
    last = await session.scalar(
        select(func.max(Invoice.number)).where(Invoice.number.startswith(prefix))
    )
    return rules.invoice_number(year, int(last.rsplit("-", 1)[1]) + 1 if last else 1)


def _checked_lines(lines: Sequence[Line], due_on: dt.date) -> list[Line]:
    if error := rules.lines_error(len(lines)) or rules.year_error(due_on.year, today().year):
        if error.field == "year":
            error.field = "dueOn"
        raise error
    for line in lines:
        if error := rules.amount_error(line.amount_fen, "lines"):
            raise error
    if error := rules.total_error(sum(line.amount_fen for line in lines)):
        raise error
    return [Line(line.kind, line.amount_fen, (line.note or "").strip() or None) for line in lines]


async def build_invoice(
    session: AsyncSession,
    community_id: int,
    unit_id: int | None,
    lines: Sequence[Line],
    due_on: dt.date,
    schedules: Mapping[FeeKind, int],
    *,
    issued_on: dt.date,
    recorded_by: int,
) -> Invoice:
    """An open invoice of `lines` (each from its kind's schedule in `schedules`, if any),
    numbered in the year of `issued_on`, with its charge as the first entry of its ledger;
    the audit record is the caller's (the demo's invoices have none)."""
    total = sum(line.amount_fen for line in lines)
    invoice = Invoice(
        community_id=community_id,
        unit_id=unit_id,
        number=await next_invoice_number(session, issued_on.year),
        year=due_on.year,
        total_fen=total,
        issued_on=issued_on,
        due_on=due_on,
        status=InvoiceStatus.OPEN,
        issued_by=recorded_by,
    )
    session.add(invoice)
    await session.flush()
    session.add_all(
        [
            InvoiceLine(
                community_id=community_id,
                invoice_id=invoice.id,
                kind=line.kind,
                amount_fen=line.amount_fen,
                note=line.note,
                schedule_id=schedules.get(line.kind),
            )
            for line in lines
        ]
    )
    session.add(entry_of(invoice, LedgerEntryKind.CHARGE, total, issued_on, recorded_by))
    await session.flush()
    return invoice


async def _issue(
    session: AsyncSession,
    actor: Actor,
    community_id: int,
    unit_id: int | None,
    lines: list[Line],
    due_on: dt.date,
    schedules: dict[FeeKind, int],
) -> Invoice:
    invoice = await build_invoice(
        session,
        community_id,
        unit_id,
        lines,
        due_on,
        schedules,
        issued_on=today(),
        recorded_by=actor.user_id,
    )
    await record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.issue",
        target_type="Invoice",
        target_id=invoice.id,
        community_id=community_id,
        after={
            "number": invoice.number,
            "unit_id": unit_id,
            "total_fen": invoice.total_fen,
            "due_on": due_on.isoformat(),
            "lines": [[line.kind.value, line.amount_fen] for line in lines],
        },
    )
    return invoice


async def _schedules(session: AsyncSession, year: int, lines: list[Line]) -> dict[FeeKind, int]:
    """The schedules of the fee year for the lines' kinds: a line is issued from its own."""
    found = await session.execute(
        select(FeeSchedule.kind, FeeSchedule.id).where(
            FeeSchedule.year == year, FeeSchedule.kind.in_({line.kind for line in lines})
        )
    )
    return {kind: schedule_id for kind, schedule_id in found}


async def issue_invoice(
    session: AsyncSession,
    guard: Guard,
    lines: Sequence[Line],
    due_on: dt.date,
    *,
    unit_id: int | None = None,
    community_id: int | None = None,
) -> Invoice:
    """Issues one invoice (应收) to a unit, or to a community itself, numbered
    `FY-<year>-<sequence>`, with its charge as the first entry of its ledger."""
    actor = guard.require(Permission.INVOICE_ISSUE)
    written = _checked_lines(lines, due_on)
    charged_in, charged = await _charged_through(session, unit_id, community_id)
    schedules = await _schedules(session, due_on.year, written)
    return await _issue(session, actor, charged_in, charged, written, due_on, schedules)


async def issue_member_invoices(
    session: AsyncSession, guard: Guard, community_id: int, lines: Sequence[Line], due_on: dt.date
) -> list[Invoice]:
    """The same invoice to every active member unit of a community (a conference fee for
    every unit attending), one invoice each, in one transaction."""
    actor = guard.require(Permission.INVOICE_ISSUE)
    written = _checked_lines(lines, due_on)
    if await session.get(Community, community_id) is None:
        raise not_found("共同体", "community")
    units = (
        await session.scalars(
            select(Membership.unit_id)
            .where(
                Membership.community_id == community_id,
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(Membership.unit_id)
        )
    ).all()
    schedules = await _schedules(session, due_on.year, written)
    return [
        await _issue(session, actor, community_id, unit, written, due_on, schedules)
        for unit in units
    ]


@dataclass(frozen=True)
class AttendeeInvoices:
    invoices: list[Invoice]
    # Units that attended but belong to no community, which alone collects a fee (Art.
    # 18(6)): left uncharged, for the project group to settle another way.
    uncharged: list[Unit]


async def issue_attendee_invoices(
    session: AsyncSession,
    guard: Guard,
    activity: tuple[int | None, int],
    lines: Sequence[Line],
    due_on: dt.date,
) -> AttendeeInvoices:
    """The same invoice to every unit recorded as attending an activity (the conference fee
    of a seminar), one each, in one transaction. A community's activity charges through its
    community; a project-wide one (`activity` `(None, id)`) through each unit's community, the
    one it joined first when it belongs to several."""
    actor = guard.require(Permission.INVOICE_ISSUE)
    written = _checked_lines(lines, due_on)
    community_id, activity_id = activity
    attendees = await _attendees(session, community_id, activity_id)
    if not attendees:
        raise _invalid(
            "该活动尚无登记为出席的单位", "no unit is recorded as attending it", "activityId"
        )
    if community_id is None:
        through = await _first_communities(session, attendees)
    else:
        through = dict.fromkeys(attendees, community_id)
    schedules = await _schedules(session, due_on.year, written)
    invoices = [
        await _issue(session, actor, through[unit], unit, written, due_on, schedules)
        for unit in attendees
        if unit in through
    ]
    lacking = [unit for unit in attendees if unit not in through]
    if not lacking:
        return AttendeeInvoices(invoices, [])
    uncharged = await session.scalars(select(Unit).where(Unit.id.in_(lacking)).order_by(Unit.id))
    return AttendeeInvoices(invoices, list(uncharged.all()))


async def _attendees(
    session: AsyncSession, community_id: int | None, activity_id: int
) -> list[int]:
    """The units recorded as attending the activity; NOT_FOUND for no such activity."""
    await find_activity(session, community_id, activity_id)
    rows = await session.scalars(attendance_statement(community_id, activity_id))
    return [row.unit_id for row in rows if row.status == AttendanceStatus.ATTENDED]


async def _first_communities(session: AsyncSession, units: list[int]) -> dict[int, int]:
    """Each unit's community it joined first, of those it is an active member of."""
    first = (
        select(Membership.unit_id, Membership.community_id)
        .where(Membership.unit_id.in_(units), Membership.status == MembershipStatus.ACTIVE)
        .order_by(Membership.unit_id, Membership.joined_on, Membership.community_id)
        .ext(distinct_on(Membership.unit_id))
    )
    return {unit: community for unit, community in await session.execute(first)}


async def _locked(session: AsyncSession, community_id: int, invoice_id: int, field: str) -> Invoice:
    """The invoice, locked until the transaction ends: one payment or cancellation of an
    invoice at a time, each reading the balance the one before it left."""
    invoice = (
        await session.scalars(
            select(Invoice)
            .where(Invoice.community_id == community_id, Invoice.id == invoice_id)
            .with_for_update()
        )
    ).one_or_none()
    if invoice is None:
        raise no_invoice(field)
    return invoice


async def balance_of(session: AsyncSession, invoice: Invoice) -> int:
    return int(await session.scalar(balance_statement(invoice.community_id, invoice.id)) or 0)


def entry_of(
    invoice: Invoice,
    kind: LedgerEntryKind,
    amount_fen: int,
    entered_on: dt.date,
    recorded_by: int,
    *,
    method: str | None = None,
    idempotency_key: str | None = None,
    note: str | None = None,
) -> FeeEntry:
    """A new entry of the invoice's ledger; `amount_fen` as it moves the balance."""
    return FeeEntry(
        community_id=invoice.community_id,
        invoice_id=invoice.id,
        unit_id=invoice.unit_id,
        kind=kind,
        amount_fen=amount_fen,
        entered_on=entered_on,
        method=method,
        idempotency_key=idempotency_key,
        note=note,
        recorded_by=recorded_by,
    )


def _key_taken() -> UserFacingError:
    return UserFacingError(
        ErrorCode.DUPLICATE,
        "该幂等键已用于另一笔款项",
        "the idempotency key was used for another entry",
        "idempotencyKey",
    )


def _written_money(
    what: str, amount_fen: int, moved_on: dt.date, method: str, idempotency_key: str
) -> tuple[str, str]:
    """The key and the method as written, once the amount, the key, the method and the day
    the money moved are checked; `what` is 缴费 (the day is `paidOn`) or 退款 (`refundedOn`)."""
    key = idempotency_key.strip()
    written_method = method.strip()
    if error := rules.amount_error(amount_fen):
        raise error
    if not key:
        raise _invalid("请提供幂等键", "an idempotency key is required", "idempotencyKey")
    if not written_method:
        raise _invalid(f"请填写{what}方式", "a method is required", "method")
    if moved_on > today():
        field = "paidOn" if what == "缴费" else "refundedOn"
        raise _invalid(f"{what}日期不能晚于今天", "the day cannot be in the future", field)
    return key, written_method


async def _sent_before(
    session: AsyncSession,
    invoice: Invoice,
    key: str,
    kind: LedgerEntryKind,
    amount_fen: int,
) -> FeeEntry | None:
    """The entry this key recorded before, if it is the same one sent again (the same kind,
    invoice and amount: recorded once); a key used for anything else is DUPLICATE."""
    earlier = (
        await session.scalars(
            select(FeeEntry).where(
                FeeEntry.community_id == invoice.community_id, FeeEntry.idempotency_key == key
            )
        )
    ).one_or_none()
    if earlier is None:
        return None
    if (
        earlier.invoice_id == invoice.id
        and earlier.kind == kind
        and earlier.amount_fen == amount_fen
    ):
        return earlier
    raise _key_taken()


async def _enter(session: AsyncSession, entry: FeeEntry) -> None:
    """Adds a keyed entry; the key's unique index settles a race with the same key sent at
    once through another invoice (the invoice's lock settles one through the same)."""
    try:
        async with session.begin_nested():
            session.add(entry)
            await session.flush()
    except IntegrityError:
        raise _key_taken() from None


async def record_payment(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    invoice_id: int,
    amount_fen: int,
    paid_on: dt.date,
    method: str,
    idempotency_key: str,
) -> tuple[Invoice, FeeEntry]:
    """Records a payment against an invoice. The same idempotency key again records
    nothing and answers the payment it recorded first (also when both arrive at once: the
    invoice is locked, and the key is unique); a key already used for another payment is
    DUPLICATE; more than the balance is OVERPAYMENT."""
    actor = guard.require(Permission.PAYMENT_RECORD)
    key, written_method = _written_money("缴费", amount_fen, paid_on, method, idempotency_key)
    invoice = await _locked(session, community_id, invoice_id, "invoiceId")
    earlier = await _sent_before(session, invoice, key, LedgerEntryKind.PAYMENT, -amount_fen)
    if earlier is not None:
        return invoice, earlier
    if error := rules.payable_error(invoice.status):
        raise error
    balance = await balance_of(session, invoice)
    if error := rules.overpayment_error(amount_fen, balance):
        raise error
    entry = entry_of(
        invoice,
        LedgerEntryKind.PAYMENT,
        -amount_fen,
        paid_on,
        actor.user_id,
        method=written_method,
        idempotency_key=key,
    )
    await _enter(session, entry)
    before = invoice.status
    invoice.status = rules.status_after(balance - amount_fen)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.pay",
        target_type="Invoice",
        target_id=invoice.id,
        community_id=community_id,
        before={"balance_fen": balance, "status": before.value},
        after={
            "balance_fen": balance - amount_fen,
            "status": invoice.status.value,
            "amount_fen": amount_fen,
            "paid_on": paid_on.isoformat(),
            "method": written_method,
            "idempotency_key": key,
        },
    )
    return invoice, entry


async def paid_on_invoice(session: AsyncSession, invoice: Invoice) -> int:
    """What the invoice's payer has paid and not had back: payments less refunds."""
    statement = select(
        func.coalesce(func.sum(paid(FeeEntry.amount_fen, FeeEntry.kind)), 0).cast(BigInteger)
    ).where(FeeEntry.community_id == invoice.community_id, FeeEntry.invoice_id == invoice.id)
    return int(await session.scalar(statement) or 0)


async def refund_payment(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    invoice_id: int,
    amount_fen: int,
    refunded_on: dt.date,
    method: str,
    reason: str,
    idempotency_key: str,
) -> tuple[Invoice, FeeEntry]:
    """Returns money paid against an invoice: a refund entry adds it back to the balance, so
    the payer owes it again (a paid invoice reopens) until the invoice is cancelled. On a
    cancelled invoice, which owes nothing, a cancellation entry of the same amount follows
    it. At most what was paid and not yet refunded; the idempotency key as for payments."""
    actor = guard.require(Permission.PAYMENT_REFUND)
    key, written_method = _written_money("退款", amount_fen, refunded_on, method, idempotency_key)
    written_reason = reason.strip()
    if not written_reason:
        raise _invalid("请填写退款理由", "a reason is required", "reason")
    invoice = await _locked(session, community_id, invoice_id, "invoiceId")
    earlier = await _sent_before(session, invoice, key, LedgerEntryKind.REFUND, amount_fen)
    if earlier is not None:
        return invoice, earlier
    paid_fen = await paid_on_invoice(session, invoice)
    if error := rules.refund_error(amount_fen, paid_fen):
        raise error
    balance = await balance_of(session, invoice)
    entry = entry_of(
        invoice,
        LedgerEntryKind.REFUND,
        amount_fen,
        refunded_on,
        actor.user_id,
        method=written_method,
        idempotency_key=key,
        note=written_reason,
    )
    await _enter(session, entry)
    before = invoice.status
    if invoice.status is InvoiceStatus.CANCELLED:
        session.add(
            entry_of(
                invoice,
                LedgerEntryKind.CANCELLATION,
                -amount_fen,
                refunded_on,
                actor.user_id,
                note=written_reason,
            )
        )
    else:
        balance += amount_fen
        invoice.status = rules.status_after(balance)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.refund",
        target_type="Invoice",
        target_id=invoice.id,
        community_id=community_id,
        before={"paid_fen": paid_fen, "status": before.value},
        after={
            "paid_fen": paid_fen - amount_fen,
            "balance_fen": balance,
            "status": invoice.status.value,
            "amount_fen": amount_fen,
            "refunded_on": refunded_on.isoformat(),
            "method": written_method,
            "reason": written_reason,
            "idempotency_key": key,
        },
    )
    return invoice, entry


async def cancel_invoice(
    session: AsyncSession, guard: Guard, community_id: int, invoice_id: int, reason: str
) -> Invoice:
    """Cancels an open invoice issued in error: a cancellation entry clears what was still
    owed (payments already made stay on the ledger), the number is never reused."""
    actor = guard.require(Permission.INVOICE_CANCEL)
    written = reason.strip()
    if not written:
        raise _invalid("请填写作废理由", "a reason is required", "reason")
    invoice = await _locked(session, community_id, invoice_id, "id")
    if error := rules.cancellable_error(invoice.status):
        raise error
    balance = await balance_of(session, invoice)
    if balance:
        session.add(
            entry_of(
                invoice,
                LedgerEntryKind.CANCELLATION,
                -balance,
                today(),
                actor.user_id,
                note=written,
            )
        )
    invoice.status = InvoiceStatus.CANCELLED
    invoice.cancelled_at = dt.datetime.now(dt.UTC)
    invoice.cancelled_reason = written
    invoice.cancelled_by = actor.user_id
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="invoice.cancel",
        target_type="Invoice",
        target_id=invoice.id,
        community_id=community_id,
        before={"balance_fen": balance, "status": InvoiceStatus.OPEN.value},
        after={"status": InvoiceStatus.CANCELLED.value, "reason": written},
    )
    return invoice
