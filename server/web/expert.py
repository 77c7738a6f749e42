"""The expert's workspace, `/expert/`: an expert (role EXPERT) guides the communities the project
group assigned it to (EXPERT_ASSIGNED in each) and reviews their semi-annual reports, which go
to the expert group (Art. 18(4)).

- `/expert/`: one queue of the semi-annual reports not reviewed yet, across every assigned
  community, oldest first; and each assigned community's standing.
- `/expert/reports/{id}/`: a report and its review; the review form (`reviewReport`).
- `/expert/communities/{slug}/`: one assigned community's standing, read-only.

Pages and forms work as every workspace's do (`server/web/workspace.py`). Opening a page is
decided by the policy: somebody who is no expert gets the 403 page on every page, and an expert
gets it for a community (or a report of a community) it is not assigned to. The API refuses
the same by itself; the pages ask first so that nothing of another community is shown.

A report holds one review (its comment and when it was made): a review replaces the one before,
so the queue holds the semi-annual reports nobody has reviewed yet, and reviewing one that has
a review asks the expert to confirm the replacement first."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from policies.enforcer import EXPERT, EXPERT_ASSIGNED
from server.access.guard import Actor
from server.runtime import Runtime
from server.web.execution import Execute, PageFailed
from server.web.routes import Pages
from server.web.workspace import DecodeId, EncodeId, Workspace, back

FORM_FIELDS = {"comment": "comment", "reportId": ""}
# What the queue says once a review is done (`?done=`): fixed sentences, so a link cannot make
# the page say anything else.
DONE = {
    "reviewed": "审阅意见已提交，该报告已移出待审阅列表。",
}
# Semi-annual reports are the experts' (Art. 18(4)); the others go to the project group.
EXPERT_REVIEWS = "SEMI_ANNUAL"
CONFIRM_REPLACE = "该报告已有审阅意见，请勾选确认后再提交，新的意见将替换原有意见"


def expert_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    workspace = ExpertWorkspace(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    return [
        Route("/expert/", guarded(workspace.queue), methods=["GET"]),
        Route("/expert/reports/{id}/", guarded(workspace.report), methods=["GET", "POST"]),
        Route("/expert/communities/{slug}/", guarded(workspace.community), methods=["GET"]),
    ]


class ExpertWorkspace(Workspace):
    form_fields = FORM_FIELDS
    most_files = 0
    most_fields = 10

    def home(self, request: Request) -> str:
        return "/expert/"

    def _expert(self, request: Request) -> Actor | Response:
        """The signed-in expert; the sign-in page for nobody, the 403 page for a non-expert."""
        actor = self.actor(request)
        if actor is None:
            return self.to_login(request)
        if not self.runtime.policy.holds(actor.subject, EXPERT):
            return self.forbidden(request)
        return actor

    def _assigned(self, actor: Actor, community_id: str) -> bool:
        """Whether the expert is assigned to the community (by its global id)."""
        (key,) = self.decode_id(community_id, "Community")
        return bool(self.runtime.policy.holds(actor.subject, EXPERT_ASSIGNED, str(key)))

    def forbidden(self, request: Request) -> Response:
        return self.render(request, "expert/forbidden.html", 403)

    # -- pages ------------------------------------------------------------------------------

    async def queue(self, request: Request) -> Response:
        actor = self._expert(request)
        if isinstance(actor, Response):
            return actor
        answer = await self.run("expert/queue", request, {})
        if answer.errors or not answer.data or not answer.data.get("me"):
            raise PageFailed(answer)
        me = answer.data["me"]
        communities = _assigned_communities(me)
        waiting = sorted(
            (
                {**report, "community": community}
                for community in communities
                for report in _nodes(community["reports"])
                if report["reviewedAt"] is None
            ),
            key=lambda r: (r["submittedOn"], r["dueOn"], r["community"]["name"]),
        )
        return self.render(
            request,
            "expert/queue.html",
            me=me,
            communities=communities,
            waiting=waiting,
            done=DONE.get(request.query_params.get("done", "")),
            errors={},
        )

    async def report(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._report(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        if not self.runtime.policy.holds(posted.actor.subject, EXPERT):
            return self.forbidden(request)
        comment = posted.text("comment")
        if posted.text("reviewed") and not posted.text("confirm"):
            # Nothing is sent: the review there is stays until the expert confirms.
            return await self._report(request, comment, {"confirm": CONFIRM_REPLACE}, 400)
        report_id = request.path_params["id"]
        answer = await self.run(
            "expert/review_report",
            request,
            {"input": {"reportId": report_id, "comment": comment}},
        )
        errors = self.refusals(request, answer, "reviewReport")
        if isinstance(errors, Response):
            return errors
        if errors:
            return await self._report(request, comment, errors, 400)
        return back("/expert/", "reviewed")

    async def _report(
        self,
        request: Request,
        comment: str = "",
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        actor = self._expert(request)
        if isinstance(actor, Response):
            return actor
        report_id = request.path_params["id"]
        answer = await self.run("expert/report", request, {"id": report_id})
        me = (answer.data or {}).get("me")
        if not me:
            raise PageFailed(answer)
        report = (answer.data or {}).get("node")
        codes = answer.codes()
        if not report or "kind" not in report:
            # The API refuses a report of a community the expert may not read; an unknown id
            # (or another kind of object) is no report at all.
            if "FORBIDDEN" in codes:
                return self.forbidden(request)
            if codes <= {"NOT_FOUND", "INVALID_INPUT"}:
                return self.not_found(request)
            raise PageFailed(answer)
        community = report["community"]
        if not self._assigned(actor, community["id"]):
            # Readable (the project group's account, say) but not this expert's to review.
            return self.forbidden(request)
        return self.render(
            request,
            "expert/report.html",
            status,
            me=me,
            community=community,
            report=report,
            reviewable=report["kind"] == EXPERT_REVIEWS,
            comment=comment,
            errors=errors or {},
        )

    async def community(self, request: Request) -> Response:
        actor = self._expert(request)
        if isinstance(actor, Response):
            return actor
        answer = await self.run("expert/community", request, {"slug": request.path_params["slug"]})
        community = (answer.data or {}).get("community")
        if community is None:
            # The API refuses an unassigned community's standing, which takes the whole
            # community out of the answer.
            if "FORBIDDEN" in answer.codes():
                return self.forbidden(request)
            if answer.codes() <= {"NOT_FOUND", "INVALID_INPUT"}:
                return self.not_found(request)
            raise PageFailed(answer)
        if not self._assigned(actor, community["id"]):
            return self.forbidden(request)
        if answer.errors or answer.data is None:
            raise PageFailed(answer)
        return self.render(
            request,
            "expert/community.html",
            me=answer.data["me"],
            community=community,
            members=_nodes(community["members"]),
            activities=_nodes(community["activities"]),
            reports=_nodes(community["reports"]),
            findings=_nodes(community["findings"]),
            errors={},
        )


def _assigned_communities(me: dict[str, Any]) -> list[dict[str, Any]]:
    """The communities the user holds EXPERT in (an assignment shows as EXPERT there), by
    name."""
    found = {
        grant["community"]["id"]: grant["community"]
        for grant in me["roles"]
        if grant["role"] == EXPERT and grant["community"] is not None
    }
    return sorted(found.values(), key=lambda c: str(c["name"]))


def _nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]
