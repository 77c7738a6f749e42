import strawberry

from schema.admission.types import Application, ApplicationCall
from schema.core import ids
from schema.core.context import Info
from schema.core.pagination import Connection, paginate
from server.admission.models import Application as ApplicationRow
from server.admission.models import ApplicationCall as CallRow
from server.admission.queries import applications_statement, calls_statement
from server.vocabulary import ApplicationStatus


@strawberry.type
class AdmissionQueries:
    @strawberry.field(
        description="The calls for experiment sites, oldest first (`newestFirst`: the latest "
        "first; public)."
    )
    async def application_calls(
        self,
        info: Info,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ApplicationCall]:
        return await paginate(
            info.context,
            calls_statement(),
            CallRow.id,
            first,
            after,
            ApplicationCall.of,
            newest_first=newest_first,
        )

    @strawberry.field(
        description="Applications: every one for the project group, one's own for an applicant; "
        "oldest first (`newestFirst`: the latest first)."
    )
    async def applications(
        self,
        info: Info,
        call_id: strawberry.ID | None = None,
        status: ApplicationStatus | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Application]:
        guard = await info.context.guard()
        call = ids.decode_as(call_id, "ApplicationCall")[0] if call_id else None
        statement = applications_statement(guard, call, status)
        return await paginate(
            info.context,
            statement,
            ApplicationRow.id,
            first,
            after,
            Application.of,
            newest_first=newest_first,
        )
