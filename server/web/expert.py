"""The expert's workspace, `/expert/`: an expert (role EXPERT) guides the communities the project
group assigned it to (EXPERT_ASSIGNED in each) and reviews their semi-annual reports, which go
to the expert group (Art. 18(4)).

- `/expert/`: one queue (`reviewQueue`), oldest first: the semi-annual reports not reviewed
  yet across every assigned community, and the nominated achievements assigned to the expert
  in open evaluation rounds that it has not scored (Art. 17(4)); and each assigned
  community's standing.
- `/expert/assignments/{id}/`: a nominated achievement (title, summary, authors, files,
  links), the round's criteria each scored 0-100 and the comment (`submitReview`); and the
  conflict of interest it may declare with a reason, once confirmed (`declareConflict`, at
  `/conflict`). Blind review: the other reviewers show as the API returns them (their scores
  once this expert has submitted its own, never their names).
- `/expert/reports/{id}/`: a report and its review; the review form (`reviewReport`).
- `/expert/communities/{slug}/`: one assigned community's standing, read-only.

Pages and forms work as every workspace's do (`server/web/workspace.py`). Opening a page is
decided by the policy: somebody who is no expert gets the 403 page on every page, and an expert
gets it for a community (or a report of a community) it is not assigned to. The API refuses
the same by itself; the pages ask first so that nothing of another community is shown.

A report holds one review (its comment and when it was made): a review replaces the one before,
so the queue holds the semi-annual reports nobody has reviewed yet, and reviewing one that has
a review asks the expert to confirm the replacement first."""

import re
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

FORM_FIELDS = {
    "comment": "comment",
    "reportId": "",
    "assignmentId": "",
    "scores": "scores",
    "reason": "reason",
}
# What the queue says once a review is done (`?done=`): fixed sentences, so a link cannot make
# the page say anything else.
DONE = {
    "reviewed": "审阅意见已提交，该报告已移出待审阅列表。",
    "scored": "评审意见已提交，该成果已移出待办评审。",
    "conflict": "已申请回避，项目组将另行指派专家。",
}
CONFIRM_CONFLICT = "请勾选确认后再申请回避"
SCORE = re.compile(r"\d{1,3}")
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
        Route("/expert/assignments/{id}/", guarded(workspace.assignment), methods=["GET", "POST"]),
        Route("/expert/assignments/{id}/conflict", guarded(workspace.conflict), methods=["POST"]),
    ]


class ExpertWorkspace(Workspace):
    form_fields = FORM_FIELDS
    most_files = 0
    most_fields = 30

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
        waiting = _nodes(answer.data["reviewQueue"])
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

    async def assignment(self, request: Request) -> Response:
        """A nominated achievement assigned to the expert: the scoring form (`submitReview`)."""
        if request.method == "GET":
            return await self._assignment(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        if not self.runtime.policy.holds(posted.actor.subject, EXPERT):
            return self.forbidden(request)
        scores = []
        errors: dict[str, str] = {}
        for row in range(1, 11):
            criterion = posted.text(f"criterion-{row}")
            if not criterion:
                continue
            score = posted.text(f"score-{row}").strip()
            if not SCORE.fullmatch(score):
                errors.setdefault("scores", f"请为“{criterion}”填写 0-100 的整数分")
                continue
            scores.append({"criterion": criterion, "score": int(score)})
        if errors:
            return await self._assignment(request, posted.fields, errors, 400)
        variables = {
            "assignmentId": request.path_params["id"],
            "scores": scores,
            "comment": posted.text("comment"),
        }
        answer = await self.run("expert/submit_review", request, {"input": variables})
        refused = self.refusals(request, answer, "submitReview")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._assignment(request, posted.fields, refused, 400)
        return back("/expert/", "scored")

    async def conflict(self, request: Request) -> Response:
        """Declaring a conflict of interest (回避), once confirmed: it cannot be taken back."""
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        if not self.runtime.policy.holds(posted.actor.subject, EXPERT):
            return self.forbidden(request)
        if not posted.text("confirm"):
            errors = {"confirm": CONFIRM_CONFLICT}
            return await self._assignment(request, posted.fields, errors, 400)
        variables = {"assignmentId": request.path_params["id"], "reason": posted.text("reason")}
        answer = await self.run("expert/declare_conflict", request, {"input": variables})
        refused = self.refusals(request, answer, "declareConflict")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._assignment(request, posted.fields, refused, 400)
        return back("/expert/", "conflict")

    async def _assignment(
        self,
        request: Request,
        fields: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        actor = self._expert(request)
        if isinstance(actor, Response):
            return actor
        assignment_id = request.path_params["id"]
        if len(assignment_id) > 200:
            return self.not_found(request)
        answer = await self.run("expert/assignment", request, {"id": assignment_id})
        me = (answer.data or {}).get("me")
        if not me:
            raise PageFailed(answer)
        assignment = (answer.data or {}).get("node") or {}
        if "nomination" not in assignment:
            if "FORBIDDEN" in answer.codes():
                return self.forbidden(request)
            if answer.codes() <= {"NOT_FOUND", "INVALID_INPUT"}:
                return self.not_found(request)
            raise PageFailed(answer)
        if assignment["expertName"] is None:
            # Another reviewer's assignment of the same nomination: never this expert's page.
            return self.forbidden(request)
        nomination = assignment["nomination"]
        criteria = nomination["round"]["criteria"]
        if fields is None:
            given = {s["criterion"]: s["score"] for s in assignment["scores"] or []}
            fields = {"comment": assignment["comment"] or ""}
            for row, criterion in enumerate(criteria, start=1):
                if criterion["name"] in given:
                    fields[f"score-{row}"] = str(given[criterion["name"]])
        others = [a for a in nomination["assignments"] if a["id"] != assignment["id"]]
        return self.render(
            request,
            "expert/assignment.html",
            status,
            me=me,
            assignment=assignment,
            nomination=nomination,
            round=nomination["round"],
            achievement=nomination["achievement"],
            criteria=criteria,
            others=others,
            fields=fields,
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
