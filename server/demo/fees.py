"""The demo's fees (Art. 7(6), 18(6), 19(4), 20): the schedules of the fee year; each
community's sub-site construction fee, paid; the conference fee of every member unit, paid,
but for the staffed community's member unit, which paid 300 of its 800 yuan and is ten days
past the due date (a reminder, not yet a finding); that unit's training fee, due in twenty
days; and the staffed community's expert guidance fee, issued twice by mistake, the second
cancelled. Loading again adds nothing."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.communities.models import Community, Membership
from server.fees.models import FeeEntry, FeeSchedule, Invoice
from server.fees.service import Line, build_invoice, entry_of
from server.vocabulary import FeeKind, InvoiceStatus, LedgerEntryKind, MembershipStatus

SCHEDULE = {
    FeeKind.RESEARCH_GUIDANCE: 500_000,
    FeeKind.CONFERENCE: 80_000,
    FeeKind.TRAINING: 50_000,
    FeeKind.SUB_SITE: 1_200_000,
    FeeKind.EXPERT_GUIDANCE: 300_000,
}
# The owing member's conference fee: what it paid so far, and how long ago it fell due.
PART_PAID_FEN = 30_000
OWED_SINCE = dt.timedelta(days=10)
TRAINING_DUE_IN = dt.timedelta(days=20)
# An invoice is issued this long before it falls due; a paid one was paid this long after.
NOTICE = dt.timedelta(days=30)
PAID_AFTER = dt.timedelta(days=12)


async def _schedule(session: AsyncSession, year: int, kind: FeeKind, admin_id: int) -> int:
    found = await session.scalar(
        select(FeeSchedule.id).where(FeeSchedule.year == year, FeeSchedule.kind == kind)
    )
    if found is not None:
        return found
    schedule = FeeSchedule(year=year, kind=kind, amount_fen=SCHEDULE[kind], set_by=admin_id)
    session.add(schedule)
    await session.flush()
    return schedule.id


async def _invoice(
    session: AsyncSession,
    community_id: int,
    unit_id: int | None,
    kind: FeeKind,
    due_on: dt.date,
    note: str,
    admin_id: int,
) -> Invoice:
    """An invoice of one line from the schedule of its year, issued `NOTICE` before its due
    date (never after today), with its charge entered."""
    schedule = await _schedule(session, due_on.year, kind, admin_id)
    return await build_invoice(
        session,
        community_id,
        unit_id,
        [Line(kind, SCHEDULE[kind], note)],
        due_on,
        {kind: schedule},
        issued_on=due_on - NOTICE,
        recorded_by=admin_id,
    )


def _pay(invoice: Invoice, amount_fen: int, paid_on: dt.date, admin_id: int) -> FeeEntry:
    if amount_fen == invoice.total_fen:
        invoice.status = InvoiceStatus.PAID
    return entry_of(
        invoice,
        LedgerEntryKind.PAYMENT,
        -amount_fen,
        paid_on,
        admin_id,
        method="银行转账",
        idempotency_key=f"demo-{invoice.number}",
    )


async def collect_fees(
    session: AsyncSession,
    communities: Sequence[Community],
    staffed: Community,
    owing_unit_id: int,
    admin_id: int,
    today: dt.date,
) -> None:
    if await session.scalar(
        select(func.count()).where(Invoice.community_id.in_([c.id for c in communities]))
    ):
        return
    long_due = today - NOTICE
    for community in communities:
        sub_site = await _invoice(
            session, community.id, None, FeeKind.SUB_SITE, long_due, "分站建设", admin_id
        )
        session.add(_pay(sub_site, sub_site.total_fen, long_due - PAID_AFTER, admin_id))
        members = await session.scalars(
            select(Membership.unit_id)
            .where(
                Membership.community_id == community.id,
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(Membership.unit_id)
        )
        for unit_id in members:
            owing = community.id == staffed.id and unit_id == owing_unit_id
            due_on = today - OWED_SINCE if owing else long_due
            conference = await _invoice(
                session, community.id, unit_id, FeeKind.CONFERENCE, due_on, "年度工作会议", admin_id
            )
            paid = PART_PAID_FEN if owing else conference.total_fen
            session.add(_pay(conference, paid, due_on - PAID_AFTER, admin_id))
    await _invoice(
        session,
        staffed.id,
        owing_unit_id,
        FeeKind.TRAINING,
        today + TRAINING_DUE_IN,
        "骨干教师培训",
        admin_id,
    )
    guidance = await _invoice(
        session, staffed.id, None, FeeKind.EXPERT_GUIDANCE, long_due, "专家入驻指导", admin_id
    )
    session.add(_pay(guidance, guidance.total_fen, long_due - PAID_AFTER, admin_id))
    twice = await _invoice(
        session, staffed.id, None, FeeKind.EXPERT_GUIDANCE, long_due, "专家入驻指导", admin_id
    )
    twice.status = InvoiceStatus.CANCELLED
    twice.cancelled_at = dt.datetime.combine(twice.issued_on, dt.time(10), dt.UTC)
    twice.cancelled_reason = "重复开具"
    twice.cancelled_by = admin_id
    session.add(
        entry_of(
            twice,
            LedgerEntryKind.CANCELLATION,
            -twice.total_fen,
            twice.issued_on,
            admin_id,
            note="重复开具",
        )
    )
    await session.flush()
