import datetime as dt

import strawberry

from policies.permissions import Permission
from schema.admission.types import Application, ApplicationCall
from schema.core import ids
from schema.core.errors import UserError, refusals
from schema.core.limits import WRITTEN, limited
from schema.core.mutations import Attempt, mutation
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
    errors: list[UserError] = refusals()


@strawberry.type
class SubmitApplicationPayload:
    application: Application | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class ReviewApplicationPayload:
    application: Application | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class PublishSiteListPayload:
    call: ApplicationCall | None = None
    sites: list[Unit] = strawberry.field(
        default_factory=list, description="the sites this publication filed, with plaques"
    )
    errors: list[UserError] = refusals()


@strawberry.type
class AdmissionMutations:
    @mutation(Permission.CALL_OPEN, description="Project group: opens a call for experiment sites.")
    async def open_application_call(
        self, attempt: Attempt, input: OpenApplicationCallInput
    ) -> OpenApplicationCallPayload:
        async with attempt.transaction() as session:
            call = await service.open_call(
                session, attempt.guard, input.title, input.year, input.opens_on, input.closes_on
            )
        return OpenApplicationCallPayload(call=ApplicationCall.of(call))

    @mutation(
        signed_in=True,
        description="A signed-in applicant applies for its unit while a call is open.",
    )
    async def submit_application(
        self, attempt: Attempt, input: SubmitApplicationInput
    ) -> SubmitApplicationPayload:
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
                upload_id=None if a.upload_id is None else ids.decode_as(a.upload_id, "Upload")[0],
            )
            for a in input.conditions
        ]
        async with attempt.transaction() as session:
            application = await service.submit_application(
                session, attempt.guard, call_id, unit, answers
            )
        return SubmitApplicationPayload(application=Application.of(application))

    @mutation(
        Permission.APPLICATION_REVIEW,
        description="Project group: approves, or rejects with a reason.",
    )
    async def review_application(
        self, attempt: Attempt, input: ReviewApplicationInput
    ) -> ReviewApplicationPayload:
        application_id = ids.decode_as(input.application_id, "Application")[0]
        async with attempt.transaction() as session:
            application = await service.review_application(
                session, attempt.guard, application_id, input.decision, input.reason
            )
        return ReviewApplicationPayload(application=Application.of(application))

    @mutation(
        Permission.APPLICATION_PUBLISH,
        description="Project group: files and publishes a call's approved sites, each with a "
        "plaque number.",
    )
    async def publish_site_list(
        self, attempt: Attempt, input: PublishSiteListInput
    ) -> PublishSiteListPayload:
        call_id = ids.decode_as(input.call_id, "ApplicationCall")[0]
        async with attempt.transaction() as session:
            sites = await service.publish_site_list(session, attempt.guard, call_id)
            call = await service.get_call(session, call_id)
        return PublishSiteListPayload(
            call=ApplicationCall.of(call), sites=[Unit.of(u) for u in sites]
        )
