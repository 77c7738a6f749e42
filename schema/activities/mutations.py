import datetime as dt

import strawberry

from policies.permissions import Permission
from schema.activities.types import Activity, activity_keys
from schema.core import ids
from schema.core.context import Info
from schema.core.errors import UserError
from schema.core.inputs import converted_once
from schema.core.mutations import attempt
from schema.units.exits import Exit
from server.activities import service, sheets
from server.uploads import service as uploads
from server.vocabulary import ActivityKind, AttendanceStatus


@strawberry.input
class ScheduleActivityInput:
    community_slug: str | None = strawberry.field(
        default=None, description="none: a project-wide activity (project group)"
    )
    kind: ActivityKind
    title: str
    held_on: dt.date
    expected_unit_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="default: every active member (every active site for a project-wide one)",
    )


@converted_once
@strawberry.input
class AttendanceEntryInput:
    unit_id: strawberry.ID
    status: AttendanceStatus


@converted_once
@strawberry.input
class RecordAttendanceInput:
    activity_id: strawberry.ID
    entries: list[AttendanceEntryInput]


@strawberry.input(description="A sign-in sheet (CSV or .xlsx) sent to POST /uploads.")
class ImportAttendanceInput:
    activity_id: strawberry.ID
    upload_id: strawberry.ID


@strawberry.type
class ScheduleActivityPayload:
    activity: Activity | None = None
    errors: list[UserError]


@strawberry.type
class RecordAttendancePayload:
    activity: Activity | None = None
    exits: list[Exit] = strawberry.field(
        default_factory=list,
        description="units that left on this record: their second unexcused absence in a row",
    )
    errors: list[UserError]


@strawberry.type(description="A row of a sign-in sheet that was not recorded, and why.")
class SheetRowProblem:
    line: int
    message: str


@strawberry.type
class ImportAttendancePayload:
    activity: Activity | None = None
    accepted: int = strawberry.field(default=0, description="rows recorded")
    rejected: list[SheetRowProblem] = strawberry.field(
        default_factory=list, description="the first 200 rows not recorded, by line"
    )
    rejected_count: int = strawberry.field(default=0, description="every row not recorded")
    exits: list[Exit] = strawberry.field(default_factory=list)
    errors: list[UserError]


async def _keys(info: Info, global_id: str) -> tuple[int | None, int]:
    """An activity's community (refusing one that is not the request's tenant) and its id."""
    community_id, activity_id = activity_keys(global_id)
    await info.context.refuse_other_tenant(community_id)
    return community_id, activity_id


@strawberry.type
class ActivityMutations:
    @strawberry.mutation(
        description="Leader, deputy or project group: a community activity; the project group "
        "alone a project-wide one (no `communitySlug`)."
    )
    async def schedule_activity(
        self, info: Info, input: ScheduleActivityInput
    ) -> ScheduleActivityPayload:
        guard = await info.context.guard()

        async def work() -> Activity:
            community_id = await info.context.community_id(input.community_slug)
            expected = (
                [ids.decode_as(u, "Unit")[0] for u in input.expected_unit_ids]
                if input.expected_unit_ids
                else None
            )
            async with info.context.transaction(community_id) as session:
                activity = await service.schedule_activity(
                    session, guard, community_id, input.kind, input.title, input.held_on, expected
                )
            return Activity.of(activity)

        activity, errors = await attempt(info.context, work)
        return ScheduleActivityPayload(activity=activity, errors=errors)

    @strawberry.mutation(
        description="Records ATTENDED / ABSENT / EXCUSED per expected unit (corrections "
        "allowed); a second unexcused absence in a row is an exit (Art. 8(2), 12)."
    )
    async def record_attendance(
        self, info: Info, input: RecordAttendanceInput
    ) -> RecordAttendancePayload:
        guard = await info.context.guard()

        async def work() -> service.Recorded:
            community_id, activity_id = await _keys(info, input.activity_id)
            entries = [
                service.AttendanceEntry(ids.decode_as(e.unit_id, "Unit")[0], e.status)
                for e in input.entries
            ]
            return await service.record_attendance(
                info.context.runtime.database, guard, community_id, activity_id, entries
            )

        recorded, errors = await attempt(info.context, work)
        if recorded is None:
            return RecordAttendancePayload(errors=errors)
        return RecordAttendancePayload(
            activity=Activity.of(recorded.activity),
            exits=[Exit.of(e) for e in recorded.exits],
            errors=errors,
        )

    @strawberry.mutation(
        description="Records a sign-in sheet of up to 5,000 rows: the good rows are recorded, "
        "the others counted and the first 200 reported by line."
    )
    async def import_attendance(
        self, info: Info, input: ImportAttendanceInput
    ) -> ImportAttendancePayload:
        guard = await info.context.guard()

        async def work() -> sheets.Imported:
            community_id, activity_id = await _keys(info, input.activity_id)
            upload_id = ids.decode_as(input.upload_id, "Upload")[0]
            actor = guard.require(Permission.ATTENDANCE_RECORD, community_id)
            async with info.context.transaction(
                community_id, **service.recording_scope(community_id)
            ) as session:
                _, data = await uploads.read(
                    session, uploads.root(info.context.runtime.settings), upload_id, actor.user_id
                )
                return await sheets.import_sheet(
                    session, guard, community_id, activity_id, upload_id, data
                )

        imported, errors = await attempt(info.context, work)
        if imported is None:
            return ImportAttendancePayload(errors=errors)
        language = info.context.language
        return ImportAttendancePayload(
            activity=Activity.of(imported.activity),
            accepted=imported.accepted,
            rejected=[
                SheetRowProblem(line=p.line, message=p.en if language == "en" else p.zh)
                for p in imported.problems
            ],
            rejected_count=imported.rejected,
            exits=[Exit.of(e) for e in imported.exits],
            errors=errors,
        )
