"""Admission (Art. 7, 8(1)): a call, applications with the seven conditions evidenced, the
project group's review, and the published list of experiment sites with their plaques."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Guard
from server.accounts.models import User
from server.admission.models import Application, ApplicationCall, ApplicationCondition
from server.admission.rules import (
    ApplicantUnit,
    ConditionAnswer,
    answers_error,
    call_error,
    closed_error,
    review_error,
    reviewed,
    unit_error,
)
from server.audit.service import record
from server.clock import today
from server.errors import ErrorCode, UserFacingError
from server.regions.provinces import province_of
from server.units.models import Unit
from server.units.service import division_code_error, next_plaque_number
from server.uploads.models import Upload
from server.vocabulary import (
    ApplicationStatus,
    ReviewDecision,
    SiteStatus,
)


async def open_call(
    session: AsyncSession,
    guard: Guard,
    title: str,
    year: int,
    opens_on: dt.date,
    closes_on: dt.date,
) -> ApplicationCall:
    actor = guard.require(Permission.CALL_OPEN)
    if error := call_error(title, year, opens_on, closes_on):
        raise error
    call = ApplicationCall(title=title.strip(), year=year, opens_on=opens_on, closes_on=closes_on)
    session.add(call)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="call.open",
        target_type="ApplicationCall",
        target_id=call.id,
        after={
            "title": call.title,
            "opensOn": opens_on.isoformat(),
            "closesOn": closes_on.isoformat(),
        },
    )
    return call


async def get_call(session: AsyncSession, call_id: int, *, lock: bool = False) -> ApplicationCall:
    call = await session.get(ApplicationCall, call_id, with_for_update=lock)
    if call is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "申报通知不存在", "no such call", "callId")
    return call


async def submit_application(
    session: AsyncSession,
    guard: Guard,
    call_id: int,
    unit: ApplicantUnit,
    answers: Sequence[ConditionAnswer],
) -> Application:
    """Any signed-in applicant, while the call is open; one application per division."""
    actor = guard.signed_in()
    call = await get_call(session, call_id)
    if error := closed_error(call.opens_on, call.closes_on, today()):
        raise error
    if error := unit_error(unit):
        raise error
    if error := division_code_error(unit.level, unit.division_code):
        error.field = "unit.divisionCode"
        raise error
    if error := answers_error(answers):
        raise error
    for i, answer in enumerate(answers):
        if answer.upload_id is not None:
            owner = await session.scalar(
                select(Upload.owner_user_id).where(Upload.id == answer.upload_id)
            )
            if owner != actor.user_id:
                raise UserFacingError(
                    ErrorCode.NOT_FOUND, "附件不存在", "no such upload", f"conditions.{i}.uploadId"
                )
    duplicate = await session.scalar(
        select(Application.id).where(
            Application.call_id == call_id, Application.division_code == unit.division_code
        )
    )
    if duplicate is not None:
        raise UserFacingError(
            ErrorCode.DUPLICATE,
            "该单位已申报本批次",
            "this division has already applied to this call",
            "unit.divisionCode",
        )
    application = Application(
        call_id=call_id,
        applicant_user_id=actor.user_id,
        unit_name=unit.name.strip(),
        level=unit.level,
        division_code=unit.division_code,
        province=province_of(unit.division_code),
        address=unit.address.strip(),
        responsible_person=unit.responsible_person.strip(),
        project_team=unit.project_team.strip(),
        status=ApplicationStatus.SUBMITTED,
    )
    session.add(application)
    await session.flush()
    session.add_all(
        ApplicationCondition(
            application_id=application.id,
            condition=a.condition,
            evidence=a.evidence.strip(),
            upload_id=a.upload_id,
        )
        for a in answers
    )
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="application.submit",
        target_type="Application",
        target_id=application.id,
        after={"unit": application.unit_name, "divisionCode": application.division_code},
    )
    return application


async def review_application(
    session: AsyncSession,
    guard: Guard,
    application_id: int,
    decision: ReviewDecision,
    reason: str | None,
) -> Application:
    actor = guard.require(Permission.APPLICATION_REVIEW)
    application = await session.get(Application, application_id, with_for_update=True)
    if application is None:
        raise UserFacingError(
            ErrorCode.NOT_FOUND, "申报不存在", "no such application", "applicationId"
        )
    if error := review_error(application.status, decision, reason):
        raise error
    application.status = reviewed(decision)
    application.review_reason = reason.strip() if reason else None
    application.reviewed_by = actor.user_id
    application.reviewed_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="application.review",
        target_type="Application",
        target_id=application.id,
        before={"status": "SUBMITTED"},
        after={"status": application.status.value, "reason": application.review_reason},
    )
    return application


async def publish_site_list(session: AsyncSession, guard: Guard, call_id: int) -> list[Unit]:
    """Files the call's approved applications with the association and publishes them: each
    becomes an active site with a plaque number. Publishing again adds only the newly
    approved; a plaque once granted never changes."""
    actor = guard.require(Permission.APPLICATION_PUBLISH)
    call = await get_call(session, call_id, lock=True)
    approved = (
        await session.scalars(
            select(Application)
            .where(Application.call_id == call_id, Application.status == ApplicationStatus.APPROVED)
            .order_by(Application.id)
        )
    ).all()
    if not approved and call.published_on is None:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            "本批次没有审核通过的申报",
            "the call has no approved application to publish",
            "callId",
        )
    on = today()
    published: list[Unit] = []
    for application in approved:
        unit = await session.scalar(
            select(Unit).where(Unit.division_code == application.division_code)
        )
        if unit is None:
            unit = Unit(
                name=application.unit_name,
                level=application.level,
                province=application.province,
                division_code=application.division_code,
                address=application.address,
                responsible_person=application.responsible_person,
            )
            session.add(unit)
        unit.site_status = SiteStatus.ACTIVE
        unit.admitted_on = on
        unit.status_changed_on = on
        if unit.plaque_number is None:
            unit.plaque_number = await next_plaque_number(session, call.year)
        await session.flush()
        application.status = ApplicationStatus.PUBLISHED
        application.unit_id = unit.id
        applicant = await session.get_one(User, application.applicant_user_id)
        if applicant.unit_id is None:  # the applicant speaks for the site from now on
            applicant.unit_id = unit.id
        published.append(unit)
    call.published_on = call.published_on or on
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="call.publish",
        target_type="ApplicationCall",
        target_id=call.id,
        after={"sites": {u.division_code: u.plaque_number for u in published}},
    )
    return published
