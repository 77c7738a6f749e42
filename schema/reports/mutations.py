import strawberry

from schema.core import ids
from schema.core.context import Info
from schema.core.errors import UserError
from schema.core.limits import REPORT, WRITTEN, limited
from schema.core.mutations import attempt
from schema.reports.types import Report
from server.reports import service
from server.vocabulary import ReportKind


@strawberry.input
class SubmitReportInput:
    community_slug: str
    kind: ReportKind
    year: int
    half: int | None = strawberry.field(default=None, description="1 or 2, SEMI_ANNUAL only")
    unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="the member unit, MEMBER_ANNUAL only"
    )
    title: str
    body: str = limited(REPORT)


@strawberry.input
class ReviewReportInput:
    report_id: strawberry.ID
    comment: str = limited(WRITTEN)


@strawberry.type
class SubmitReportPayload:
    report: Report | None = None
    errors: list[UserError]


@strawberry.type
class ReviewReportPayload:
    report: Report | None = None
    errors: list[UserError]


@strawberry.type
class ReportMutations:
    @strawberry.mutation(
        description="Leader or deputy: the community's reports; a member unit's staff: its "
        "own MEMBER_ANNUAL. Due dates come from the period; a late one is marked late."
    )
    async def submit_report(self, info: Info, input: SubmitReportInput) -> SubmitReportPayload:
        guard = await info.context.guard()

        async def work() -> Report:
            tenant = await info.context.tenant(input.community_slug)
            unit_id = ids.decode_as(input.unit_id, "Unit")[0] if input.unit_id else None
            async with info.context.transaction(tenant.id) as session:
                report = await service.submit_report(
                    session,
                    guard,
                    tenant.id,
                    input.kind,
                    input.year,
                    input.half,
                    unit_id,
                    input.title,
                    input.body,
                )
            return Report.of(report)

        report, errors = await attempt(info.context, work)
        return SubmitReportPayload(report=report, errors=errors)

    @strawberry.mutation(
        description="An assigned expert (semi-annual reports, Art. 18(4)) or the project group "
        "(every report) comments on a report."
    )
    async def review_report(self, info: Info, input: ReviewReportInput) -> ReviewReportPayload:
        guard = await info.context.guard()

        async def work() -> Report:
            community_id, report_id = ids.decode_as(input.report_id, "Report", 2)
            await info.context.refuse_other_tenant(community_id)
            async with info.context.transaction(community_id) as session:
                report = await service.review_report(
                    session, guard, community_id, report_id, input.comment
                )
            return Report.of(report)

        report, errors = await attempt(info.context, work)
        return ReviewReportPayload(report=report, errors=errors)
