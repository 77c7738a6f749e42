import datetime as dt

import strawberry

from policies.permissions import Permission
from schema.activities.types import activity_keys
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import SHORT, WRITTEN, limited
from schema.core.mutations import Attempt, mutation
from schema.fees.types import FeeSchedule, Invoice, LedgerEntry, Payment
from schema.units.types import Unit
from server.errors import AccessError, ErrorCode, UserFacingError
from server.fees import rules, service
from server.vocabulary import FeeKind


@strawberry.input
class SetFeeScheduleInput:
    year: int
    kind: FeeKind
    amount_fen: int = strawberry.field(description="in fen (CNY/100): a positive integer")


@strawberry.input
class InvoiceLineInput:
    kind: FeeKind
    amount_fen: int = strawberry.field(description="in fen: a positive integer")
    note: str | None = limited(SHORT, default=None)


@strawberry.input
class IssueInvoiceInput:
    unit_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="the unit charged (through its community; name `communitySlug` too when "
        "it belongs to several)",
    )
    community_slug: str | None = strawberry.field(
        default=None, description="alone: the community itself is charged"
    )
    lines: list[InvoiceLineInput]
    due_on: dt.date


@strawberry.input
class IssueMemberInvoicesInput:
    community_slug: str
    lines: list[InvoiceLineInput]
    due_on: dt.date


@strawberry.input
class IssueAttendeeInvoicesInput:
    activity_id: strawberry.ID = strawberry.field(
        description="a project-wide activity (`programmeActivities`) or a community's"
    )
    lines: list[InvoiceLineInput]
    due_on: dt.date


@strawberry.input
class RecordPaymentInput:
    invoice_id: strawberry.ID
    amount_fen: int = strawberry.field(description="in fen: positive, at most the balance")
    paid_on: dt.date
    method: str = limited(rules.METHOD_CHARACTERS, description="转账, 现金, ...")
    idempotency_key: str = limited(
        rules.KEY_CHARACTERS,
        description="the client's key for this payment: sent again, the payment is recorded once",
    )


@strawberry.input
class RefundPaymentInput:
    invoice_id: strawberry.ID
    amount_fen: int = strawberry.field(
        description="in fen: positive, at most what was paid and not yet refunded"
    )
    refunded_on: dt.date
    method: str = limited(rules.METHOD_CHARACTERS, description="转账, 现金, ...")
    reason: str = limited(WRITTEN)
    idempotency_key: str = limited(
        rules.KEY_CHARACTERS,
        description="the client's key for this refund: sent again, the refund is recorded once",
    )


@strawberry.input
class CancelInvoiceInput:
    id: strawberry.ID
    reason: str = limited(WRITTEN)


@strawberry.type
class FeeSchedulePayload:
    schedule: FeeSchedule | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class InvoicePayload:
    invoice: Invoice | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class InvoicesPayload:
    invoices: list[Invoice] = strawberry.field(default_factory=list)
    errors: list[UserError] = refusals()


@strawberry.type
class AttendeeInvoicesPayload:
    invoices: list[Invoice] = strawberry.field(default_factory=list)
    uncharged: list[Unit] = strawberry.field(
        default_factory=list,
        description="units that attended but belong to no community, which alone collects a "
        "fee (Art. 18(6)): no invoice was issued to them",
    )
    errors: list[UserError] = refusals()


@strawberry.type
class PaymentPayload:
    invoice: Invoice | None = None
    payment: Payment | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class RefundPayload:
    invoice: Invoice | None = None
    refund: LedgerEntry | None = None
    errors: list[UserError] = refusals()


def _unit(global_id: str) -> int:
    try:
        return ids.decode_as(global_id, "Unit")[0]
    except AccessError:
        raise UserFacingError(ErrorCode.NOT_FOUND, "单位不存在", "no such unit", "unitId") from None


def _invoice(global_id: str, field: str) -> tuple[int, int]:
    """An invoice's (community, id); a malformed id names none."""
    try:
        community_id, invoice_id = ids.decode_as(global_id, "Invoice", 2)
    except AccessError:
        raise service.no_invoice(field) from None
    return community_id, invoice_id


def _lines(lines: list[InvoiceLineInput]) -> list[service.Line]:
    return [service.Line(line.kind, line.amount_fen, line.note) for line in lines]


@strawberry.type
class FeeMutations:
    @mutation(
        Permission.FEE_SCHEDULE_SET,
        description="Project group: sets the amount (in fen) of one fee kind for a year (Art. "
        "20). Once an invoice line was issued from it, it no longer changes "
        "(INVALID_TRANSITION); zero or negative is INVALID_INPUT.",
    )
    async def set_fee_schedule(
        self, attempt: Attempt, input: SetFeeScheduleInput
    ) -> FeeSchedulePayload:
        async with attempt.transaction(all_communities=True) as session:
            schedule = await service.set_fee_schedule(
                session, attempt.guard, input.year, input.kind, input.amount_fen
            )
        return FeeSchedulePayload(schedule=FeeSchedule.of(schedule))

    @mutation(
        Permission.INVOICE_ISSUE,
        description="Project group: issues an invoice (应收) with its lines and due date to a "
        "unit (`unitId`, charged through its community) or to a community itself "
        "(`communitySlug` alone). A line is issued from the schedule of the due date's year "
        "for its kind, which then no longer changes. Amounts are positive fen.",
    )
    async def issue_invoice(self, attempt: Attempt, input: IssueInvoiceInput) -> InvoicePayload:
        community_id = None
        if input.community_slug is not None:
            community_id = (await attempt.context.access_community(input.community_slug)).id
        unit_id = None if input.unit_id is None else _unit(input.unit_id)
        async with attempt.transaction(all_communities=True) as session:
            invoice = await service.issue_invoice(
                session,
                attempt.guard,
                _lines(input.lines),
                input.due_on,
                unit_id=unit_id,
                community_id=community_id,
            )
        return InvoicePayload(invoice=Invoice.of(invoice))

    @mutation(
        Permission.INVOICE_ISSUE,
        description="Project group: the same invoice to every active member unit of a "
        "community (e.g. the conference fee of a seminar), one each, in one go.",
    )
    async def issue_member_invoices(
        self, attempt: Attempt, input: IssueMemberInvoicesInput
    ) -> InvoicesPayload:
        community = await attempt.context.access_community(input.community_slug)
        async with attempt.transaction(all_communities=True) as session:
            invoices = await service.issue_member_invoices(
                session, attempt.guard, community.id, _lines(input.lines), input.due_on
            )
        return InvoicesPayload(invoices=[Invoice.of(i) for i in invoices])

    @mutation(
        Permission.INVOICE_ISSUE,
        description="Project group: the same invoice to every unit recorded as attending an "
        "activity (出席; e.g. the conference fee of a project-wide seminar), one each, in one "
        "go. A community's activity charges through its community; a project-wide one through "
        "each unit's community, the one it joined first when it belongs to several. No unit "
        "recorded as attending is INVALID_INPUT.",
    )
    async def issue_attendee_invoices(
        self, attempt: Attempt, input: IssueAttendeeInvoicesInput
    ) -> AttendeeInvoicesPayload:
        activity = activity_keys(input.activity_id)
        async with attempt.transaction(all_communities=True) as session:
            issued = await service.issue_attendee_invoices(
                session, attempt.guard, activity, _lines(input.lines), input.due_on
            )
        return AttendeeInvoicesPayload(
            invoices=[Invoice.of(i) for i in issued.invoices],
            uncharged=[Unit.of(u) for u in issued.uncharged],
        )

    @mutation(
        Permission.PAYMENT_RECORD,
        description="Project group: records a payment against an invoice. The same "
        "`idempotencyKey` again records nothing and answers the first payment; a key used "
        "for another payment is DUPLICATE; more than the balance is OVERPAYMENT; zero or "
        "negative INVALID_INPUT; a cancelled invoice INVALID_TRANSITION.",
    )
    async def record_payment(self, attempt: Attempt, input: RecordPaymentInput) -> PaymentPayload:
        community_id, invoice_id = _invoice(input.invoice_id, "invoiceId")
        async with attempt.transaction(community_id) as session:
            invoice, entry = await service.record_payment(
                session,
                attempt.guard,
                community_id,
                invoice_id,
                input.amount_fen,
                input.paid_on,
                input.method,
                input.idempotency_key,
            )
        return PaymentPayload(invoice=Invoice.of(invoice), payment=Payment.of(entry))

    @mutation(
        Permission.PAYMENT_REFUND,
        description="Project group: returns money paid against an invoice, with a written "
        "reason. The refund is added back to the balance, so a paid invoice reopens and its "
        "payer owes it again; to forgive it too, cancel the invoice next. On a cancelled "
        "invoice a cancellation entry of the same amount follows, so it still owes nothing. "
        "More than was paid and not yet refunded is INVALID_INPUT; the `idempotencyKey` as "
        "for `recordPayment`.",
    )
    async def refund_payment(self, attempt: Attempt, input: RefundPaymentInput) -> RefundPayload:
        community_id, invoice_id = _invoice(input.invoice_id, "invoiceId")
        async with attempt.transaction(community_id) as session:
            invoice, entry = await service.refund_payment(
                session,
                attempt.guard,
                community_id,
                invoice_id,
                input.amount_fen,
                input.refunded_on,
                input.method,
                input.reason,
                input.idempotency_key,
            )
        return RefundPayload(invoice=Invoice.of(invoice), refund=LedgerEntry.of(entry))

    @mutation(
        Permission.INVOICE_CANCEL,
        description="Project group: cancels an open invoice issued in error, with a written "
        "reason: a cancellation entry clears its balance; payments made stay on its ledger. "
        "A paid or cancelled invoice is INVALID_TRANSITION.",
    )
    async def cancel_invoice(self, attempt: Attempt, input: CancelInvoiceInput) -> InvoicePayload:
        community_id, invoice_id = _invoice(input.id, "id")
        async with attempt.transaction(community_id) as session:
            invoice = await service.cancel_invoice(
                session, attempt.guard, community_id, invoice_id, input.reason
            )
        return InvoicePayload(invoice=Invoice.of(invoice))
