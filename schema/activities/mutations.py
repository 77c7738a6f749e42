import datetime as dt

import strawberry

from policies.permissions import Permission
from schema.activities.types import Activity, activity_keys
from schema.core import ids
from schema.core.context import Context
from schema.core.errors import UserError, refusals
from schema.core.inputs import converted_once
from schema.core.mutations import Attempt, mutation
from schema.units.exits import Exit
from server.activities import service, sheets
from server.activities.rules import AttendanceEntry
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


@strawberry.input(description="Shows a community activity on its sub-platform, or stops.")
class SetActivityPublicInput:
    activity_id: strawberry.ID
    is_public: bool


@strawberry.type
class SetActivityPublicPayload:
    activity: Activity | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class ScheduleActivityPayload:
    activity: Activity | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class RecordAttendancePayload:
    activity: Activity | None = None
    exits: list[Exit] = strawberry.field(
        default_factory=list,
        description="units that left on this record: their second unexcused absence in a row",
    )
    errors: list[UserError] = refusals()


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
    errors: list[UserError] = refusals()


async def _keys(context: Context, global_id: str) -> tuple[int | None, int]:
    """An activity's community (refusing one that is not the request's tenant) and its id."""
    community_id, activity_id = activity_keys(global_id)
    await context.refuse_other_tenant(community_id)
    return community_id, activity_id


@strawberry.type
class ActivityMutations:
    @mutation(
        Permission.ACTIVITY_MANAGE,
        description="Leader, deputy or project group: a community activity; the project group "
        "alone a project-wide one (no `communitySlug`).",
    )
    async def schedule_activity(
        self, attempt: Attempt, input: ScheduleActivityInput
    ) -> ScheduleActivityPayload:
        community_id = await attempt.context.community_id(input.community_slug)
        expected = (
            [ids.decode_as(u, "Unit")[0] for u in input.expected_unit_ids]
            if input.expected_unit_ids
            else None
        )
        async with attempt.transaction(community_id) as session:
            activity = await service.schedule_activity(
                session,
                attempt.guard,
                community_id,
                input.kind,
                input.title,
                input.held_on,
                expected,
            )
        return ScheduleActivityPayload(activity=Activity.of(activity))

    @mutation(
        Permission.ATTENDANCE_RECORD,
        description="Records ATTENDED / ABSENT / EXCUSED per expected unit (corrections "
        "allowed); a second unexcused absence in a row is an exit (Art. 8(2), 12).",
    )
    async def record_attendance(
        self, attempt: Attempt, input: RecordAttendanceInput
    ) -> RecordAttendancePayload:
        community_id, activity_id = await _keys(attempt.context, input.activity_id)
        entries = [
            AttendanceEntry(ids.decode_as(e.unit_id, "Unit")[0], e.status) for e in input.entries
        ]
        # Its own unit of work: on the driver when every unit attended (`server/writes.py`).
        recorded = await service.record_attendance(
            attempt.context.runtime.database, attempt.guard, community_id, activity_id, entries
        )
        return RecordAttendancePayload(
            activity=Activity.of(recorded.activity), exits=[Exit.of(e) for e in recorded.exits]
        )

    @mutation(
        Permission.ATTENDANCE_RECORD,
        description="Records a sign-in sheet of up to 5,000 rows: the good rows are recorded, "
        "the others counted and the first 200 reported by line.",
    )
    async def import_attendance(
        self, attempt: Attempt, input: ImportAttendanceInput
    ) -> ImportAttendancePayload:
        context = attempt.context
        community_id, activity_id = await _keys(context, input.activity_id)
        upload_id = ids.decode_as(input.upload_id, "Upload")[0]
        actor = attempt.guard.require(Permission.ATTENDANCE_RECORD, community_id)
        async with attempt.transaction(
            community_id, **service.recording_scope(community_id)
        ) as session:
            _, data = await uploads.read(
                session, uploads.root(context.runtime.settings), upload_id, actor.user_id
            )
            imported = await sheets.import_sheet(
                session, attempt.guard, community_id, activity_id, upload_id, data
            )
        english = context.language == "en"
        return ImportAttendancePayload(
            activity=Activity.of(imported.activity),
            accepted=imported.accepted,
            rejected=[
                SheetRowProblem(line=p.line, message=p.en if english else p.zh)
                for p in imported.problems
            ],
            rejected_count=imported.rejected,
            exits=[Exit.of(e) for e in imported.exits],
        )

    @mutation(
        Permission.ACTIVITY_MANAGE,
        description="Leader, deputy or project group: shows a community activity on its "
        "sub-platform (`Community.publicActivities`), or stops.",
    )
    async def set_activity_public(
        self, attempt: Attempt, input: SetActivityPublicInput
    ) -> SetActivityPublicPayload:
        community_id, activity_id = ids.decode_as(input.activity_id, "Activity", 2)
        await attempt.context.refuse_other_tenant(community_id)
        async with attempt.transaction(community_id) as session:
            activity = await service.set_public(
                session, attempt.guard, community_id, activity_id, input.is_public
            )
        return SetActivityPublicPayload(activity=Activity.of(activity))
