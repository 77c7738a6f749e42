import datetime as dt

import strawberry
from sqlalchemy import select

from schema.core import ids
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.projection import label, related
from schema.units.types import Unit
from schema.uploads.types import Upload
from server.admission import models
from server.admission.queries import may_read_application
from server.clock import today
from server.uploads.models import Upload as UploadRow
from server.vocabulary import AdmissionCondition, ApplicationStatus, Level


@strawberry.type(description="申报通知: the association's call for experiment sites (Art. 8(1)).")
class ApplicationCall(Node):
    id: strawberry.ID
    title: str
    year: int
    opens_on: dt.date
    closes_on: dt.date
    published_on: dt.date | None = strawberry.field(
        description="when its list of sites was published"
    )
    db_id: strawberry.Private[int]

    @strawberry.field(description="Whether applications are accepted today (Beijing time).")
    def is_open(self) -> bool:
        return self.opens_on <= today() <= self.closes_on

    @classmethod
    def of(cls, row: models.ApplicationCall) -> "ApplicationCall":
        return cls(
            id=strawberry.ID(ids.encode("ApplicationCall", row.id)),
            title=row.title,
            year=row.year,
            opens_on=row.opens_on,
            closes_on=row.closes_on,
            published_on=row.published_on,
            db_id=row.id,
        )


@strawberry.type(description="One Art. 7 condition as the applicant answered it.")
class ConditionAnswer:
    condition: AdmissionCondition
    condition_label: str = label("condition", AdmissionCondition)
    evidence: str
    upload: Upload | None


async def _call(root: "Application", info: Info) -> ApplicationCall:
    async with info.context.transaction() as session:
        row = await session.get_one(models.ApplicationCall, root.call_id)
    return ApplicationCall.of(row)


@strawberry.type(
    description="申报: a unit's application to a call, seen by its applicant and the project group."
)
class Application(Node):
    id: strawberry.ID
    status: ApplicationStatus
    status_label: str = label("status", ApplicationStatus)
    unit_name: str
    level: Level
    level_label: str = label("level", Level)
    division_code: str
    province: str
    address: str
    responsible_person: str
    project_team: str
    review_reason: str | None
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None
    db_id: strawberry.Private[int]
    call_id: strawberry.Private[int]
    unit_id: strawberry.Private[int | None]

    call: ApplicationCall = strawberry.field(resolver=_call)
    unit: Unit | None = related(
        "Unit", "unit_id", description="The experiment site, once the list is published."
    )

    @strawberry.field(description="The seven conditions of Art. 7, in its order.")
    async def conditions(self, info: Info) -> list[ConditionAnswer]:
        async with info.context.transaction() as session:
            rows = (
                await session.execute(
                    select(models.ApplicationCondition, UploadRow)
                    .outerjoin(UploadRow, UploadRow.id == models.ApplicationCondition.upload_id)
                    .where(models.ApplicationCondition.application_id == self.db_id)
                )
            ).all()
        order = list(AdmissionCondition)
        answers = sorted(rows, key=lambda r: order.index(r[0].condition))
        return [
            ConditionAnswer(
                condition=answer.condition,
                evidence=answer.evidence,
                upload=Upload.of(upload) if upload else None,
            )
            for answer, upload in answers
        ]

    @classmethod
    def of(cls, row: models.Application) -> "Application":
        return cls(
            id=strawberry.ID(ids.encode("Application", row.id)),
            status=row.status,
            unit_name=row.unit_name,
            level=row.level,
            division_code=row.division_code,
            province=row.province,
            address=row.address,
            responsible_person=row.responsible_person,
            project_team=row.project_team,
            review_reason=row.review_reason,
            submitted_at=row.created_at,
            reviewed_at=row.reviewed_at,
            db_id=row.id,
            call_id=row.call_id,
            unit_id=row.unit_id,
        )


@fetches("ApplicationCall")
async def fetch_call(context: Context, keys: tuple[int, ...]) -> ApplicationCall | None:
    async with context.transaction() as session:
        row = await session.get(models.ApplicationCall, keys[0])
    return ApplicationCall.of(row) if row else None


@fetches("Application")
async def fetch_application(context: Context, keys: tuple[int, ...]) -> Application | None:
    guard = await context.guard()
    async with context.transaction() as session:
        row = await session.get(models.Application, keys[0])
    if row is None or not may_read_application(guard, row):
        return None
    return Application.of(row)
