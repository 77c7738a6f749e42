import strawberry

from policies.permissions import Permission
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import REPORT, WRITTEN, limited
from schema.core.mutations import Attempt, mutation
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
    errors: list[UserError] = refusals()


@strawberry.type
class ReviewReportPayload:
    report: Report | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class ReportMutations:
    @mutation(
        Permission.REPORT_SUBMIT,
        description="Leader or deputy: the community's reports; a member unit's staff: its "
        "own MEMBER_ANNUAL. Due dates come from the period; a late one is marked late.",
    )
    async def submit_report(
        self, attempt: Attempt, input: SubmitReportInput
    ) -> SubmitReportPayload:
        community = await attempt.context.access_community(input.community_slug)
        unit_id = None if input.unit_id is None else ids.decode_as(input.unit_id, "Unit")[0]
        async with attempt.transaction(community.id) as session:
            report = await service.submit_report(
                session,
                attempt.guard,
                community.id,
                input.kind,
                input.year,
                input.half,
                unit_id,
                input.title,
                input.body,
            )
        return SubmitReportPayload(report=Report.of(report))

    @mutation(
        Permission.TENANT_READ,
        Permission.REPORT_REVIEW,
        Permission.REPORT_SEMI_ANNUAL_REVIEW,
        description="An assigned expert (semi-annual reports, Art. 18(4)) or the project group "
        "(every report) comments on a report.",
    )
    async def review_report(
        self, attempt: Attempt, input: ReviewReportInput
    ) -> ReviewReportPayload:
        community_id, report_id = ids.decode_as(input.report_id, "Report", 2)
        await attempt.context.refuse_other_tenant(community_id)
        async with attempt.transaction(community_id) as session:
            report = await service.review_report(
                session, attempt.guard, community_id, report_id, input.comment
            )
        return ReviewReportPayload(report=Report.of(report))
