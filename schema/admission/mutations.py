import datetime as dt

import strawberry

from schema.admission.types import Application, ApplicationCall
from schema.core import ids
from schema.core.context import Info
from schema.core.errors import UserError
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import attempt
from schema.units.types import Unit
from server.admission import rules, service
from server.vocabulary import AdmissionCondition, Level, ReviewDecision


@strawberry.input
class OpenApplicationCallInput:
    title: str
    year: int
    opens_on: dt.date
    closes_on: dt.date


@strawberry.input(description="The applying unit (Art. 7(4): a responsible person and a team).")
class ApplicantUnitInput:
    name: str = limited(120)
    level: Level
    division_code: str = limited(12, description="GB/T 2260: 6 digits, 9 for a township")
    address: str
    responsible_person: str = limited(60)
    project_team: str = limited(WRITTEN)


@strawberry.input
class ConditionAnswerInput:
    condition: AdmissionCondition
    evidence: str = limited(WRITTEN)
    upload_id: strawberry.ID | None = strawberry.field(
        default=None, description="a file sent to POST /uploads"
    )


@strawberry.input
class SubmitApplicationInput:
    call_id: strawberry.ID
    unit: ApplicantUnitInput
    conditions: list[ConditionAnswerInput]


@strawberry.input
class ReviewApplicationInput:
    application_id: strawberry.ID
    decision: ReviewDecision
    reason: str | None = limited(WRITTEN, default=None)


@strawberry.input
class PublishSiteListInput:
    call_id: strawberry.ID


@strawberry.type
class OpenApplicationCallPayload:
    call: ApplicationCall | None = None
    errors: list[UserError]


@strawberry.type
class SubmitApplicationPayload:
    application: Application | None = None
    errors: list[UserError]


@strawberry.type
class ReviewApplicationPayload:
    application: Application | None = None
    errors: list[UserError]


@strawberry.type
class PublishSiteListPayload:
    call: ApplicationCall | None = None
    sites: list[Unit] = strawberry.field(
        default_factory=list, description="the sites this publication filed, with plaques"
    )
    errors: list[UserError]


@strawberry.type
class AdmissionMutations:
    @strawberry.mutation(description="Project group: opens a call for experiment sites.")
    async def open_application_call(
        self, info: Info, input: OpenApplicationCallInput
    ) -> OpenApplicationCallPayload:
        guard = await info.context.guard()

        async def work() -> ApplicationCall:
            async with info.context.transaction() as session:
                call = await service.open_call(
                    session, guard, input.title, input.year, input.opens_on, input.closes_on
                )
            return ApplicationCall.of(call)

        call, errors = await attempt(info.context, work)
        return OpenApplicationCallPayload(call=call, errors=errors)

    @strawberry.mutation(
        description="A signed-in applicant applies for its unit while a call is open."
    )
    async def submit_application(
        self, info: Info, input: SubmitApplicationInput
    ) -> SubmitApplicationPayload:
        guard = await info.context.guard()

        async def work() -> Application:
            call_id = ids.decode_as(input.call_id, "ApplicationCall")[0]
            unit = rules.ApplicantUnit(
                name=input.unit.name,
                level=input.unit.level,
                division_code=input.unit.division_code.strip(),
                address=input.unit.address,
                responsible_person=input.unit.responsible_person,
                project_team=input.unit.project_team,
            )
            answers = [
                rules.ConditionAnswer(
                    condition=a.condition,
                    evidence=a.evidence,
                    upload_id=ids.decode_as(a.upload_id, "Upload")[0] if a.upload_id else None,
                )
                for a in input.conditions
            ]
            async with info.context.transaction() as session:
                application = await service.submit_application(
                    session, guard, call_id, unit, answers
                )
            return Application.of(application)

        application, errors = await attempt(info.context, work)
        return SubmitApplicationPayload(application=application, errors=errors)

    @strawberry.mutation(description="Project group: approves, or rejects with a reason.")
    async def review_application(
        self, info: Info, input: ReviewApplicationInput
    ) -> ReviewApplicationPayload:
        guard = await info.context.guard()

        async def work() -> Application:
            application_id = ids.decode_as(input.application_id, "Application")[0]
            async with info.context.transaction() as session:
                application = await service.review_application(
                    session, guard, application_id, input.decision, input.reason
                )
            return Application.of(application)

        application, errors = await attempt(info.context, work)
        return ReviewApplicationPayload(application=application, errors=errors)

    @strawberry.mutation(
        description="Project group: files and publishes a call's approved sites, each with a "
        "plaque number."
    )
    async def publish_site_list(
        self, info: Info, input: PublishSiteListInput
    ) -> PublishSiteListPayload:
        guard = await info.context.guard()

        async def work() -> tuple[ApplicationCall, list[Unit]]:
            call_id = ids.decode_as(input.call_id, "ApplicationCall")[0]
            async with info.context.transaction() as session:
                sites = await service.publish_site_list(session, guard, call_id)
                call = await service.get_call(session, call_id)
            return ApplicationCall.of(call), [Unit.of(u) for u in sites]

        published, errors = await attempt(info.context, work)
        if published is None:
            return PublishSiteListPayload(errors=errors)
        return PublishSiteListPayload(call=published[0], sites=published[1], errors=errors)
