"""The community's member units, `/c/{slug}/manage/members/`: the member units, past ones
too, with each unit's attendance (Art. 12: two unexcused absences in a row and the unit is
deemed to have left). Its leader (and the project group) adds a unit (`addMember`), changes a
unit's role, handing the leadership over included (`changeMemberRole`), and records a unit's
written request to leave (`leaveCommunity`) after a confirmation, since a leave cannot be
undone from here. Deputies read the page: the forms are the leader's
(`Permission.MEMBERSHIP_MANAGE`)."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from policies.permissions import Permission
from server.runtime import Runtime
from server.web.execution import Answer, Execute
from server.web.manage import CommunityWorkspace
from server.web.routes import Pages
from server.web.standing import STANDING
from server.web.workspace import DecodeId, EncodeId, back

# The members page's forms: the API's field names as the forms name them. A refusal of the
# whole addition (the community is full, Art. 11) is about the unit added: shown beside it.
ADD_FIELDS = {
    "unitId": "unit",
    "unitIds": "unit",
    "role": "role",
    "mixedLevelReason": "mixed_level_reason",
    "communitySlug": "",
    "": "unit",
}
LEAVE_FIELDS = {"unitId": "", "communitySlug": "", "reason": "reason"}
DONE = {
    "added": "成员单位已加入本共同体。",
    "role": "成员单位的角色已更改。",
    "leader": "组长已移交：新组长单位已生效，原组长单位改任副组长单位，共同体办公室随组长单位。",
    "left": "退出已登记，书面理由已存档；该单位的成员记录仍保留在本页“已退出的单位”中。",
}
ROLES = (("DEPUTY", "副组长单位"), ("MEMBER", "成员单位"))
CONFIRM_LEAVE = "请勾选确认：退出登记后不能在此撤销"


def members_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    members = MemberUnits(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    base = "/c/{slug}/manage/members"
    return [
        Route(f"{base}/", guarded(members.page), methods=["GET"]),
        Route(f"{base}/add", guarded(members.add), methods=["POST"]),
        Route(f"{base}/{{unit}}/role", guarded(members.change_role), methods=["POST"]),
        Route(f"{base}/{{unit}}/leave", guarded(members.leave), methods=["GET", "POST"]),
    ]


class MemberUnits(CommunityWorkspace):
    """The community's member units and what its leader does with them."""

    most_files = 0

    # -- the members page --------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        return await self._members(request)

    async def _members(
        self,
        request: Request,
        errors: dict[str, str] | None = None,
        status: int = 200,
        added: dict[str, str] | None = None,
    ) -> Response:
        slug = request.path_params["slug"]
        opened = await self._open(request, "manage/standing/members", {"slug": slug}, _community_of)
        if isinstance(opened, Response):
            return opened
        community = opened["community"]
        search = request.query_params.get("q", "").strip()[:100]
        actor = self.actor(request)
        (community_id,) = self.decode_id(community["id"], "Community")
        manages = actor is not None and self.guard(actor).allows(
            Permission.MEMBERSHIP_MANAGE, community_id
        )
        memberships = [edge["node"] for edge in community["members"]["edges"]]
        current = [m for m in memberships if m["status"] == "ACTIVE"]
        candidates: list[dict[str, Any]] = []
        if manages:
            candidates = await self._candidates(request, community, current, search)
        return self.render(
            request,
            "manage/standing/members.html",
            status,
            me=opened["me"],
            community=community,
            current=sorted(current, key=by_role),
            past=[m for m in memberships if m["status"] != "ACTIVE"],
            attendance=attendance_by_unit(community["activities"]["edges"]),
            candidates=candidates,
            search=search,
            manages=manages,
            roles=ROLES,
            added=added or {},
            errors=errors or {},
            done=DONE.get(request.query_params.get("done", "")),
            **STANDING,
        )

    async def _candidates(
        self,
        request: Request,
        community: dict[str, Any],
        current: list[dict[str, Any]],
        search: str,
    ) -> list[dict[str, Any]]:
        """The active sites the leader may add: the community's level unless a search names
        others (a unit of another level joins with a written reason, Art. 10), its members
        left out."""
        variables: dict[str, Any] = {"search": search or None}
        if not search:
            variables["level"] = community["level"]
        answer = await self.run("manage/standing/units", request, variables)
        if answer.data is None:
            return []
        members = {m["unit"]["id"] for m in current}
        units = [edge["node"] for edge in answer.data["units"]["edges"]]
        return [u for u in units if u["id"] not in members]

    # -- forms -------------------------------------------------------------------------------

    async def add(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        added = {
            "unit": posted.text("unit"),
            "role": posted.text("role") or "MEMBER",
            "mixed_level_reason": posted.text("mixed_level_reason"),
        }
        if not added["unit"]:
            return await self._members(request, {"unit": "请选择要加入的单位"}, 400, added)
        if added["role"] not in dict(ROLES):
            return await self._members(request, {"role": "请选择角色"}, 400, added)
        variables = {
            "communitySlug": slug,
            "unitId": added["unit"],
            "role": added["role"],
            "mixedLevelReason": added["mixed_level_reason"].strip() or None,
        }
        answer = await self.run("manage/standing/add_member", request, {"input": variables})
        errors = self._refused(request, answer, "addMember", ADD_FIELDS)
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._members(request, errors, 400, added)
        return back(f"/c/{slug}/manage/members/", "added")

    async def change_role(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        unit = request.path_params["unit"]
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        role = posted.text("role")
        field = f"role-{unit}"
        if role not in ("LEADER", *dict(ROLES)):
            return await self._members(request, {field: "请选择新的角色"}, 400)
        variables = {"communitySlug": slug, "unitId": unit, "role": role}
        answer = await self.run("manage/standing/change_role", request, {"input": variables})
        errors = self._refused(
            request, answer, "changeMemberRole", {"role": field, "unitId": field, "": field}
        )
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._members(request, errors, 400)
        return back(f"/c/{slug}/manage/members/", "leader" if role == "LEADER" else "role")

    async def leave(self, request: Request) -> Response:
        """A unit's written request to leave (Art. 12), recorded once the leader confirms:
        GET asks, POST records."""
        slug = request.path_params["slug"]
        if request.method == "GET":
            return await self._leave_form(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        reason = posted.text("reason")
        if not posted.text("confirm"):
            # Nothing is sent to the API until the leader has confirmed.
            unconfirmed = {"confirm": CONFIRM_LEAVE}
            if not reason.strip():
                unconfirmed["reason"] = "请填写书面退出理由"
            return await self._leave_form(request, reason, unconfirmed, 400)
        variables = {"communitySlug": slug, "unitId": request.path_params["unit"], "reason": reason}
        answer = await self.run("manage/standing/leave", request, {"input": variables})
        errors = self._refused(request, answer, "leaveCommunity", LEAVE_FIELDS)
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._leave_form(request, reason, errors, 400)
        return back(f"/c/{slug}/manage/members/", "left")

    async def _leave_form(
        self,
        request: Request,
        reason: str = "",
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        slug = request.path_params["slug"]
        opened = await self._open(request, "manage/standing/members", {"slug": slug}, _community_of)
        if isinstance(opened, Response):
            return opened
        community = opened["community"]
        unit = request.path_params["unit"]
        membership = next(
            (
                edge["node"]
                for edge in community["members"]["edges"]
                if edge["node"]["unit"]["id"] == unit and edge["node"]["status"] == "ACTIVE"
            ),
            None,
        )
        if membership is None:
            return self.not_found(request)
        return self.render(
            request,
            "manage/standing/leave.html",
            status,
            me=opened["me"],
            community=community,
            membership=membership,
            reason=reason,
            errors=errors or {},
            done=None,
            **STANDING,
        )

    def _refused(
        self, request: Request, answer: Answer, mutation: str, fields: dict[str, str]
    ) -> dict[str, str] | Response:
        """The mutation's refusals by this form's fields."""
        errors = self.refusals(request, answer, mutation)
        if isinstance(errors, Response):
            return errors
        named: dict[str, str] = {}
        for field, message in errors.items():
            named.setdefault(fields.get(field, field), message)
        return named


def _community_of(data: dict[str, Any]) -> dict[str, Any] | None:
    community: dict[str, Any] | None = data.get("community")
    return community


def by_role(membership: dict[str, Any]) -> tuple[int, str]:
    order = {"LEADER": 0, "DEPUTY": 1, "MEMBER": 2}
    return order.get(membership["role"], 3), membership["joinedOn"]


def attendance_by_unit(edges: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Each unit's attendance over the activities listed (newest first): attended, absent
    and excused, and its unexcused absences in a row up to the latest (Art. 12 counts them
    as `server/activities/rules.py` does: an excuse is skipped, attending or an activity not
    recorded yet ends the run)."""
    tally: dict[str, dict[str, int]] = {}
    ended: set[str] = set()
    for edge in edges:
        for record in edge["node"]["attendance"]:
            unit = record["unit"]["id"]
            counts = tally.setdefault(
                unit, {"ATTENDED": 0, "ABSENT": 0, "EXCUSED": 0, "in_a_row": 0}
            )
            status = record["status"]
            if status in counts:
                counts[status] += 1
            if unit in ended or status == "EXCUSED":
                continue
            if status == "ABSENT":
                counts["in_a_row"] += 1
            else:
                ended.add(unit)
    return tally
