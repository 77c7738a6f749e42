"""Sign-in sheets (签到表) as CSV or .xlsx: the good rows are recorded, the bad ones reported
with their line and reason."""

import asyncio
import csv
import io
from collections.abc import Callable, Generator
from dataclasses import dataclass

import openpyxl
from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Guard
from server.activities.models import (
    Activity,
    Attendance,
    ProgrammeActivity,
    ProgrammeAttendance,
    SignInSheet,
)
from server.activities.rules import AttendanceEntry
from server.activities.service import (
    ask_attendance,
    find_activity,
    record_in,
)
from server.errors import ErrorCode, UserFacingError
from server.units.models import ExitRecord, Unit
from server.vocabulary import AttendanceStatus
from server.writes import on_session

COLUMNS = {
    "code": ("行政区划代码", "区划代码", "division code", "divisioncode"),
    "name": ("单位名称", "单位", "unit", "name"),
    "status": ("出勤情况", "出勤", "状态", "status", "attendance"),
}
STATUS_WORDS = {
    **{s.value.lower(): s for s in AttendanceStatus},
    "出席": AttendanceStatus.ATTENDED,
    "已到": AttendanceStatus.ATTENDED,
    "到": AttendanceStatus.ATTENDED,
    "缺席": AttendanceStatus.ABSENT,
    "未到": AttendanceStatus.ABSENT,
    "请假": AttendanceStatus.EXCUSED,
}


MAX_ROWS = 5_000  # rows past the header: a sheet lists the units expected, at most thousands
SHOWN_PROBLEMS = 200  # rejected rows returned with their reason; the rest only counted


@dataclass(frozen=True)
class RowProblem:
    line: int
    zh: str
    en: str


@dataclass(frozen=True)
class Imported:
    activity: Activity | ProgrammeActivity
    exits: list[ExitRecord]
    accepted: int
    problems: list[RowProblem]  # the first SHOWN_PROBLEMS
    rejected: int  # all of them


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line, cells), blank lines left out


def read_sheet(data: bytes) -> Sheet:
    """The sheet's rows as text: the first worksheet of an .xlsx, or CSV in UTF-8. Reading
    stops at the first row past MAX_ROWS, which refuses the sheet. CPU-bound for seconds on a
    big sheet: call it off the event loop."""
    lines = _lines(data)
    try:
        header = next(lines, None)
        if header is None:
            raise _unreadable()
        rows: list[tuple[int, list[str]]] = []
        for line, row in enumerate(lines, start=2):
            if not any(row):
                continue
            if len(rows) == MAX_ROWS:
                raise UserFacingError(
                    ErrorCode.INVALID_INPUT,
                    f"签到表最多 {MAX_ROWS} 行（不含表头），本表超过",
                    f"a sheet has at most {MAX_ROWS} rows besides its header; this one has more",
                    "uploadId",
                )
            rows.append((line, row))
    finally:
        lines.close()  # an .xlsx closes its workbook
    return Sheet(header, rows)


def _lines(data: bytes) -> Generator[list[str]]:
    if data.startswith(b"PK\x03\x04"):
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                for row in book.worksheets[0].iter_rows(values_only=True):
                    yield ["" if v is None else str(v).strip() for v in row]
            finally:
                book.close()
        except Exception:  # openpyxl raises many kinds on a broken file
            raise _unreadable() from None
        return
    try:
        text = data.decode("utf-8-sig")
        for cells in csv.reader(io.StringIO(text)):
            yield [cell.strip() for cell in cells]
    except (UnicodeDecodeError, csv.Error):
        raise _unreadable() from None


def _unreadable() -> UserFacingError:
    return UserFacingError(
        ErrorCode.INVALID_INPUT,
        "无法读取签到表：请使用 UTF-8 编码的 CSV 或 .xlsx 文件",
        "the sheet cannot be read: use CSV in UTF-8 or .xlsx",
        "uploadId",
    )


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        for column, names in COLUMNS.items():
            if title.strip().lower() in names:
                found.setdefault(column, index)
    if "status" not in found or not ({"code", "name"} & found.keys()):
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            "签到表须有“出勤情况”列，以及“行政区划代码”或“单位名称”列",
            "the sheet needs a status column and a division code or unit name column",
            "uploadId",
        )
    return found


def _cells(row: list[str], columns: dict[str, int]) -> Callable[[str], str]:
    """A row's value by column name; empty where the row is short or the column absent."""

    def cell(column: str) -> str:
        index = columns.get(column)
        return row[index] if index is not None and index < len(row) else ""

    return cell


async def import_sheet(
    session: AsyncSession,
    guard: Guard,
    community_id: int | None,
    activity_id: int,
    upload_id: int,
    data: bytes,
) -> Imported:
    """`upload_id` holds `data`; a community's sheet is kept with its activity, so everyone who
    records that activity's attendance may download it (`server/uploads/access.py`)."""
    actor = guard.require(Permission.ATTENDANCE_RECORD, community_id)
    activity = await find_activity(session, community_id, activity_id)
    sheet = await asyncio.to_thread(read_sheet, data)  # /healthz and the rest keep answering
    columns = _columns(sheet.header)
    if community_id is None:
        expected_units = select(ProgrammeAttendance.unit_id).where(
            ProgrammeAttendance.activity_id == activity_id
        )
    else:
        expected_units = select(Attendance.unit_id).where(
            and_(Attendance.community_id == community_id, Attendance.activity_id == activity_id)
        )
    units = (
        await session.execute(
            select(Unit.id, Unit.division_code, Unit.name).where(Unit.id.in_(expected_units))
        )
    ).all()
    by_code = {code: unit_id for unit_id, code, _ in units}
    by_name = {name: unit_id for unit_id, _, name in units}
    entries: list[AttendanceEntry] = []
    problems: list[RowProblem] = []
    seen: set[int] = set()
    for line, row in sheet.rows:
        cell = _cells(row, columns)
        unit_id = by_code.get(cell("code")) or by_name.get(cell("name"))
        status = STATUS_WORDS.get(cell("status").lower())
        who = cell("code") or cell("name") or "（空）"
        if unit_id is None:
            problems.append(
                RowProblem(line, f"{who}：不在本次活动的应到名单中", f"{who}: not expected")
            )
        elif status is None:
            problems.append(
                RowProblem(
                    line,
                    f"{who}：无法识别的出勤情况“{cell('status')}”（出席/缺席/请假）",
                    f"{who}: unknown status '{cell('status')}' (ATTENDED/ABSENT/EXCUSED)",
                )
            )
        elif unit_id in seen:
            problems.append(RowProblem(line, f"{who}：重复的行", f"{who}: listed twice"))
        else:
            seen.add(unit_id)
            entries.append(AttendanceEntry(unit_id, status))
    shown, rejected = problems[:SHOWN_PROBLEMS], len(problems)
    imported = Imported(activity, [], 0, shown, rejected)
    if entries:
        asked = ask_attendance(guard, community_id, activity_id, entries)
        recorded = await record_in(await on_session(session), asked)
        imported = Imported(recorded.activity, recorded.exits, len(entries), shown, rejected)
    if community_id is not None:
        # After the recording, which locks the activity's row first: the sheet's foreign key
        # share-locks that row, and two imports each holding that share while waiting for
        # the other's to lock it would deadlock.
        await session.execute(
            insert(SignInSheet)
            .values(
                community_id=community_id,
                activity_id=activity_id,
                upload_id=upload_id,
                imported_by=actor.user_id,
            )
            .on_conflict_do_nothing()
        )
    return imported
