"""Who reads which application, and the statements the listings page through."""

from sqlalchemy import Select, select

from policies.permissions import Permission
from server.access.guard import Guard
from server.admission.models import Application, ApplicationCall
from server.vocabulary import ApplicationStatus


def may_read_application(guard: Guard, application: Application) -> bool:
    """The project group reads every application; an applicant only its own."""
    if guard.actor is None:
        return False
    return guard.allows(Permission.APPLICATION_REVIEW) or (
        application.applicant_user_id == guard.actor.user_id
    )


def applications_statement(
    guard: Guard, call_id: int | None, status: ApplicationStatus | None
) -> Select[Application]:
    actor = guard.signed_in()
    statement = select(Application)
    if not guard.allows(Permission.APPLICATION_REVIEW):
        statement = statement.where(Application.applicant_user_id == actor.user_id)
    if call_id is not None:
        statement = statement.where(Application.call_id == call_id)
    if status is not None:
        statement = statement.where(Application.status == status)
    return statement


def calls_statement() -> Select[ApplicationCall]:
    return select(ApplicationCall)
