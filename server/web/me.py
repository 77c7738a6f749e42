"""A member unit's staff workspace, `/me/`: who is signed in and for which unit, the unit's
standing in each community it is in (its attendance, and the warning one unexcused absence in
a row deserves, since a second is a deemed exit, Art. 12), the annual summary and plan it owes
(Art. 19(3)) and a form to submit it, the user's notifications, and the unit's written
withdrawal from a community (Art. 12) or from the programme (Art. 8(2)).

Any signed-in user opens `/me/`; what concerns a unit needs the user to work for one
(`User.unit`). The communities shown are those the user holds a role in and the unit is a
member of: the API lets a member read its own community's activities and reports due, and
nothing of another's. The API decides every POST (`submitReport`, `leaveCommunity`,
`withdrawSite` accept the unit's own staff); a withdrawal is only sent once the user ticked
the box that confirms it, since it cannot be undone from here."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from server.clock import today
from server.runtime import Runtime
from server.web import fee_statements
from server.web.execution import Execute, PageFailed
from server.web.routes import Pages
from server.web.workspace import DecodeId, EncodeId, Posted, Workspace, back

FORM_FIELDS = {
    "communitySlug": "community",
    "unitId": "",
    "notificationIds": "",
    "kind": "",
    "half": "",
}
# What the page a finished action returns to says (`?done=`): fixed sentences, so a link
# cannot make the page say anything else.
DONE = {
    "report": "年度总结与计划已提交，项目组将审阅。",
    "read": "所选通知已标为已读。",
    "left": "本单位已退出该共同体。退出记录和书面理由已存档。",
    "withdrawn": "本单位已退出项目，并同时退出所在的全部共同体。退出记录和书面理由已存档。",
}
# The roles a unit's staff hold in a community their unit is a member of.
UNIT_ROLES = ("LEADER", "DEPUTY", "MEMBER")
NOTIFICATIONS_PAGE = 20
# A cursor the API would refuse outright is no page either.
CURSOR_CHARACTERS = 200
# How many of the unit's latest activities a community's attendance table lists.
RECENT_ACTIVITIES = 10
NOT_CONFIRMED = "请勾选确认框：提交后不能撤销"
NO_COMMUNITY = "请选择共同体"
NO_YEAR = "请填写年份，例如 2026"


@dataclass(frozen=True)
class Exit:
    """A written exit the unit may send: its document and mutation, its input but the reason,
    and what `/me/` says once it is done (`?done=`)."""

    document: str
    mutation: str
    variables: dict[str, Any]
    done: str


@dataclass
class Attendance:
    """A unit's attendance record in one community, from the day it joined."""

    attended: int = 0
    absent: int = 0
    excused: int = 0
    unrecorded: int = 0
    # One unexcused absence with no attendance since: a second one in a row is a deemed exit.
    one_absence_in_a_row: bool = False
    # The latest activities the unit was expected at, newest first: (activity, its record).
    recent: list[tuple[dict[str, Any], dict[str, Any] | None]] = field(default_factory=list)


@dataclass
class Standing:
    """The unit in one community: its membership, attendance and the annual reports it owes."""

    community: dict[str, Any]
    membership: dict[str, Any]
    attendance: Attendance
    reports: list[dict[str, Any]]

    @property
    def active(self) -> bool:
        return bool(self.membership["status"] == "ACTIVE")


def attendance_of(activities: Sequence[dict[str, Any]], unit_id: str, joined_on: str) -> Attendance:
    """The unit's record over `activities` (newest first, as the page asks for them).

    The chain follows `server/activities/rules.py`: attending breaks it, an excused absence is
    skipped. An activity not recorded yet is skipped here too, rather than breaking the chain
    as the rule does: recorded later as an absence, it would complete two in a row, so the
    warning stays until the unit has attended again."""
    record = Attendance()
    expected = []
    for activity in activities:
        if activity["heldOn"] < joined_on:
            continue  # absences count from the day the unit joined
        mark = next((a for a in activity["attendance"] if a["unit"]["id"] == unit_id), None)
        if mark is None:
            continue  # the unit was not expected at it
        expected.append((activity, mark))
    for _, mark in reversed(expected):  # oldest first
        status = mark["status"]
        if status == "ATTENDED":
            record.attended += 1
            record.one_absence_in_a_row = False
        elif status == "ABSENT":
            record.absent += 1
            record.one_absence_in_a_row = True
        elif status == "EXCUSED":
            record.excused += 1
        else:
            record.unrecorded += 1
    record.recent = [(a, m if m["status"] else None) for a, m in expected[:RECENT_ACTIVITIES]]
    return record


def staff_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    workspace = StaffWorkspace(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    return [
        Route("/me/", guarded(workspace.overview), methods=["GET"]),
        Route("/me/reports/new", guarded(workspace.new_report), methods=["GET", "POST"]),
        Route("/me/notifications/", guarded(workspace.notifications), methods=["GET"]),
        Route("/me/notifications/read", guarded(workspace.mark_read), methods=["POST"]),
        Route("/me/leave/{slug}", guarded(workspace.leave), methods=["GET", "POST"]),
        Route("/me/withdraw", guarded(workspace.withdraw), methods=["GET", "POST"]),
        Route("/me/fees/statement.{kind:str}", guarded(workspace.fee_statement), methods=["GET"]),
    ]


class StaffWorkspace(Workspace):
    form_fields = FORM_FIELDS
    done_sentences = DONE
    most_files = 0
    most_fields = 2 * NOTIFICATIONS_PAGE + 10

    def home(self, request: Request) -> str:
        return "/me/"

    # -- pages ------------------------------------------------------------------------------

    async def overview(self, request: Request) -> Response:
        opened = await self._open(request)
        if isinstance(opened, Response):
            return opened
        fees = None
        if opened["me"]["unit"] is not None:
            # What the unit owes (Art. 19(4)): its own invoices, as the API shows its staff.
            answer = await self.run("me/fees", request, {"unitId": opened["me"]["unit"]["id"]})
            if answer.errors or answer.data is None:
                raise PageFailed(answer)
            fees = answer.data
        return self.render(
            request,
            "me/home.html",
            errors={},
            done=self.done(request),
            fees=fees,
            **opened,
        )

    async def fee_statement(self, request: Request) -> Response:
        """The unit's statement of fees (Art. 19(4)), as PDF or workbook, of one cooperation
        cycle (`?cycle=`) or of all."""
        kind = request.path_params["kind"]
        cycle = fee_statements.cycle_chosen(request.query_params)
        if kind not in ("pdf", "xlsx") or cycle is None:
            return self.not_found(request)
        opened = await self._open(request, needs_unit=True)
        if isinstance(opened, Response):
            return opened
        unit = opened["me"]["unit"]

        async def page(after: str | None) -> dict[str, Any]:
            answer = await self.run("me/fees", request, {"unitId": unit["id"], "after": after})
            if answer.errors or answer.data is None:
                raise PageFailed(answer)
            return answer.data

        found = await fee_statements.every_invoice(await page(None), page)
        every = fee_statements.of_cycle(found, cycle)
        return fee_statements.statement(
            self.runtime.settings,
            unit["name"],
            fee_statements.period(cycle, found, None),
            fee_statements.stated(every, unit["name"]),
            kind,
        )

    async def new_report(self, request: Request) -> Response:
        if request.method == "GET":
            chosen = request.query_params.get("community", "")
            return await self._report_form(request, {"community": chosen[:CURSOR_CHARACTERS]})
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        opened = await self._open(request, needs_unit=True)
        if isinstance(opened, Response):
            return opened
        errors: dict[str, str] = {}
        year = _year(posted.text("year"))
        if year is None:
            errors["year"] = NO_YEAR
        if not posted.text("community"):
            errors["community"] = NO_COMMUNITY
        if not errors:
            variables = {
                "communitySlug": posted.text("community"),
                "kind": "MEMBER_ANNUAL",
                "year": year,
                "unitId": opened["me"]["unit"]["id"],
                "title": posted.text("title"),
                "body": posted.text("body"),
            }
            answer = await self.run("me/submit_report", request, {"input": variables})
            refused = self.refusals(request, answer, "submitReport")
            if isinstance(refused, Response):
                return refused
            errors = refused
        if errors:
            return await self._report_form(request, posted.fields, errors, 400)
        return back("/me/#reports", "report")

    async def _report_form(
        self,
        request: Request,
        values: dict[str, str],
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        opened = await self._open(request, needs_unit=True)
        if isinstance(opened, Response):
            return opened
        active = [s for s in opened["standings"] if s.active]
        chosen = values.get("community") or (active[0].community["slug"] if active else "")
        year = values.get("year")
        if year is None:
            year = str(_year_owed(active, chosen) or today().year)
        return self.render(
            request,
            "me/report_form.html",
            status,
            errors=errors or {},
            active=active,
            chosen=chosen,
            year=year,
            title=values.get("title", ""),
            body=values.get("body", ""),
            **opened,
        )

    async def notifications(self, request: Request) -> Response:
        return await self._notifications(request)

    async def _notifications(
        self, request: Request, errors: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        if self.actor(request) is None:
            return self.to_login(request)
        after = request.query_params.get("after", "")[:CURSOR_CHARACTERS] or None
        variables = {"after": after, "first": NOTIFICATIONS_PAGE}
        answer = await self.run("me/notifications", request, variables)
        if "UNAUTHENTICATED" in answer.codes():
            return self.to_login(request)
        if answer.codes() & {"INVALID_INPUT", "NOT_FOUND"}:
            # A cursor from elsewhere: the first page instead.
            answer = await self.run(
                "me/notifications", request, {"after": None, "first": NOTIFICATIONS_PAGE}
            )
            after = None
        if answer.data is None or answer.errors or answer.data["me"] is None:
            raise PageFailed(answer)
        return self.render(
            request,
            "me/notifications.html",
            status,
            errors=errors or {},
            done=self.done(request),
            after=after or "",
            unread=answer.data["unreadNotifications"]["totalCount"],
            answer=answer,
        )

    async def mark_read(self, request: Request) -> Response:
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        # Each notification's box has a name of its own (`read-1`, ...): a posted form keeps one
        # value per name. "All on this page" sends the page's ids as `shown-1`, ...
        wanted = "shown-" if posted.text("all") else "read-"
        ids = [value for name, value in posted.fields.items() if name.startswith(wanted)]
        after = posted.text("after")[:CURSOR_CHARACTERS]
        if not ids:
            refusal = {"": "请先勾选要标为已读的通知"}
            return await self._notifications(request, refusal, 400)
        answer = await self.run("me/mark_read", request, {"input": {"notificationIds": ids}})
        errors = self.refusals(request, answer, "markNotificationsRead")
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._notifications(request, errors, 400)
        extra = {"after": after} if after else {}
        return back("/me/notifications/", "read", **extra)

    async def leave(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        read = await self._exit_form(request)
        if isinstance(read, Response):
            return read
        posted, opened = read
        standing = next(
            (s for s in opened["standings"] if s.community["slug"] == slug and s.active), None
        )
        if standing is None:
            return self.not_found(request)  # not a community the unit is in now
        variables = {"communitySlug": slug, "unitId": opened["me"]["unit"]["id"]}
        leaving = Exit("me/leave_community", "leaveCommunity", variables, "left")
        return await self._written_exit(
            request, posted, opened, leaving, "me/leave.html", standing=standing
        )

    async def withdraw(self, request: Request) -> Response:
        read = await self._exit_form(request)
        if isinstance(read, Response):
            return read
        posted, opened = read
        unit = opened["me"]["unit"]
        # A unit no longer in the programme has nothing to withdraw: the page says so.
        leaving = None
        if unit["siteStatus"] == "ACTIVE":
            leaving = Exit("me/withdraw_site", "withdrawSite", {"unitId": unit["id"]}, "withdrawn")
        return await self._written_exit(request, posted, opened, leaving, "me/withdraw.html")

    # -- the parts this workspace's pages share ---------------------------------------------

    async def _open(self, request: Request, needs_unit: bool = False) -> dict[str, Any] | Response:
        """Who is signed in, their unit and its standing in each of its communities; or the
        sign-in page for nobody signed in, and, for a page about a unit (`needs_unit`), the
        403 page for a user who works for none."""
        if self.actor(request) is None:
            return self.to_login(request)
        answer = await self.run("me/home", request, {})
        if "UNAUTHENTICATED" in answer.codes():
            return self.to_login(request)
        if answer.data is None or answer.errors or answer.data["me"] is None:
            raise PageFailed(answer)
        me = answer.data["me"]
        if needs_unit and me["unit"] is None:
            return self.render(request, "me/no_unit.html", 403, me=me)
        return {
            "me": me,
            "unread": answer.data["unread"]["totalCount"],
            "standings": await self._standings(request, me),
        }

    async def _exit_form(self, request: Request) -> tuple[Posted | None, dict[str, Any]] | Response:
        """A written exit's form as posted (None for the page itself) and the unit's page."""
        posted: Posted | None = None
        if request.method == "POST":
            read = await self.posted(request)
            if isinstance(read, Response):
                return read
            posted = read
        opened = await self._open(request, needs_unit=True)
        if isinstance(opened, Response):
            return opened
        return posted, opened

    async def _written_exit(
        self,
        request: Request,
        posted: Posted | None,
        opened: dict[str, Any],
        leaving: Exit | None,
        template: str,
        **values: Any,
    ) -> Response:
        """A unit's written exit (Art. 8(2), 12): sent with its reason only once the user ticked
        the box that confirms it, since it cannot be undone from here; then `/me/`, or the page
        again with each refusal."""
        errors: dict[str, str] = {}
        if posted is not None and leaving is not None:
            if not posted.text("confirm"):
                errors["confirm"] = NOT_CONFIRMED
            else:
                variables = leaving.variables | {"reason": posted.text("reason")}
                answer = await self.run(leaving.document, request, {"input": variables})
                refused = self.refusals(request, answer, leaving.mutation)
                if isinstance(refused, Response):
                    return refused
                errors = refused
            if not errors:
                return back("/me/", leaving.done)
        return self.render(
            request,
            template,
            400 if errors else 200,
            errors=errors,
            reason=posted.text("reason") if posted else "",
            **values,
            **opened,
        )

    async def _standings(self, request: Request, me: dict[str, Any]) -> list[Standing]:
        unit = me["unit"]
        if unit is None:
            return []
        slugs = dict.fromkeys(
            grant["community"]["slug"]
            for grant in me["roles"]
            if grant["community"] is not None and grant["role"] in UNIT_ROLES
        )
        standings = []
        for slug in slugs:
            answer = await self.run("me/community", request, {"slug": slug})
            community = (answer.data or {}).get("community")
            if answer.errors or community is None:
                raise PageFailed(answer)
            membership = next(
                (
                    m["node"]
                    for m in community["members"]["edges"]
                    if m["node"]["unit"]["id"] == unit["id"]
                ),
                None,
            )
            if membership is None:
                continue  # a role in a community the unit is not in: nothing of the unit's
            activities = [e["node"] for e in community["activities"]["edges"]]
            reports = [
                due
                for due in community["reportsDue"]
                if due["kind"] == "MEMBER_ANNUAL" and (due["unit"] or {}).get("id") == unit["id"]
            ]
            standings.append(
                Standing(
                    community=community,
                    membership=membership,
                    attendance=attendance_of(activities, unit["id"], membership["joinedOn"]),
                    reports=reports,
                )
            )
        return standings


def _year(text: str) -> int | None:
    text = text.strip()
    if not text.isdigit() or len(text) != 4:
        return None
    return int(text)


def _year_owed(active: Sequence[Standing], slug: str) -> int | None:
    """The earliest year whose annual summary the unit still owes in the community."""
    for standing in active:
        if standing.community["slug"] == slug:
            owed = [r["year"] for r in standing.reports if r["report"] is None]
            return min(owed) if owed else None
    return None
