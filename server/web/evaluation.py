"""Evaluation rounds on the web (评审, Art. 17(4)).

- `/admin/evaluation/`: the project group's rounds, the latest first, and the form that opens
  one (title, year, the achievement kinds it takes, the closing day for nominations, its
  criteria as rows of name and weight).
- `/admin/evaluation/{id}/`: one round: its criteria; every nomination with its reviewers'
  assignments and a form assigning an expert (`assignReviewer`, a conflict of interest refused
  beside the field); closing it (`/close`, once confirmed, saying how many reviews are still
  pending); once closed, the ranking, and beside each ranked achievement the form granting it
  an achievement award (`/award`, `grantRecognition`).
- `/c/{slug}/manage/evaluation/`: a community's leader and deputies nominate its achievements
  (推荐参评) to the open rounds that take their kind, and read their nominations, with their
  rank once a round is closed.

The expert's side (the queue and the scoring form) is the expert workspace's
(`server/web/expert.py`). Pages and forms work as every workspace's do
(`server/web/workspace.py`)."""

import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from policies.permissions import Permission
from server.clock import today
from server.runtime import Runtime
from server.vocabulary import AchievementKind, Prize
from server.web.admin import ProjectGroupWorkspace
from server.web.execution import Execute
from server.web.manage import CommunityWorkspace
from server.web.routes import Pages
from server.web.workspace import DecodeId, EncodeId, back

# The open-round form's rows of criteria: a round takes 1 to 10 (the API's bound).
CRITERIA_ROWS = 10
BLANK_ROWS = 5
ID_CHARACTERS = 200
ROUND_FIELDS = {"title": "title", "year": "year", "kinds": "kinds", "closesOn": "closesOn"}
DONE = {
    "opened": "评审已发起，各共同体可在截止日期前推荐成果。",
    "assigned": "已指派该专家评审，系统已通知专家。",
    "closed": "评审已结束，排名已生成。",
    "awarded": "成果奖已颁发，证书已生成。",
}
NOMINATION_FIELDS = {"achievementId": "achievement", "roundId": "round"}
NOMINATION_DONE = {"nominated": "已推荐参评。项目组将指派专家评审。"}
KIND_LABELS = {kind.value: kind.zh for kind in AchievementKind}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def evaluation_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    admin = EvaluationAdmin(runtime, execute, encode_id, decode_id)
    community = EvaluationNominations(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    pages = {
        "/admin/evaluation/": (admin.rounds, ["GET", "POST"]),
        "/admin/evaluation/{id}/": (admin.round, ["GET"]),
        "/admin/evaluation/{id}/assign": (admin.assign, ["POST"]),
        "/admin/evaluation/{id}/close": (admin.close, ["GET", "POST"]),
        "/admin/evaluation/{id}/award": (admin.award, ["POST"]),
        "/c/{slug}/manage/evaluation/": (community.nominations, ["GET", "POST"]),
    }
    return [Route(path, guarded(page), methods=methods) for path, (page, methods) in pages.items()]


class EvaluationAdmin(ProjectGroupWorkspace):
    """The project group's rounds: open, assign, close, rank, award."""

    form_fields = ROUND_FIELDS
    done_sentences = DONE

    # -- the rounds and the open-round form -------------------------------------------------

    async def rounds(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._rounds(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        fields = posted.fields
        errors: dict[str, str] = {}
        year = fields.get("year", "").strip()
        if not year.isdigit():
            errors["year"] = "请填写年度（四位数字）"
        closes_on = fields.get("closesOn", "").strip()
        if not DATE.fullmatch(closes_on):
            errors["closesOn"] = "请按“年-月-日”填写推荐截止日期"
        if not fields.get("title", "").strip():
            errors["title"] = "请填写评审名称"
        kinds = [k.value for k in AchievementKind if fields.get(f"kind-{k.value}")]
        if not kinds:
            errors["kinds"] = "请至少选择一种参评成果类型"
        criteria = []
        for row in range(1, CRITERIA_ROWS + 1):
            name = fields.get(f"criterion-{row}-name", "").strip()
            weight = fields.get(f"criterion-{row}-weight", "").strip()
            if not name and not weight:
                continue
            if not weight.isdigit():
                errors.setdefault("criteria", f"请为第 {row} 行指标填写 1-100 的整数权重")
                continue
            criteria.append({"name": name, "weight": int(weight)})
        if errors:
            return await self._rounds(request, fields, errors, 400)
        variables = {
            "title": fields.get("title", ""),
            "year": int(year),
            "kinds": kinds,
            "closesOn": closes_on,
            "criteria": criteria,
        }
        answer = await self.run("admin/open_evaluation_round", request, {"input": variables})
        refused = self.refusals(request, answer, "openEvaluationRound")
        if isinstance(refused, Response):
            return refused
        if refused:
            return await self._rounds(request, fields, _criteria_refusal(refused), 400)
        opened = answer.data["openEvaluationRound"]["round"]  # type: ignore[index]
        return back(f"/admin/evaluation/{opened['id']}/", "opened")

    async def _rounds(
        self,
        request: Request,
        fields: Mapping[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        after = request.query_params.get("after") or None
        if after and len(after) > ID_CHARACTERS:
            return self.not_found(request)
        opened = await self._open(request, "admin/evaluation_rounds", {"after": after})
        if isinstance(opened, Response):
            return opened
        return self.render(
            request,
            "admin/evaluation_rounds.html",
            status,
            kinds=list(AchievementKind),
            kind_labels=KIND_LABELS,
            rows=max(BLANK_ROWS, _filled_rows(fields or {})),
            this_year=today().year,
            fields=fields or {},
            errors=errors or {},
            done=self.done(request),
            **opened,
        )

    # -- one round ----------------------------------------------------------------------------

    async def round(self, request: Request) -> Response:
        return await self._round(request)

    async def _round(
        self,
        request: Request,
        fields: Mapping[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        opened = await self._one(request)
        if isinstance(opened, Response):
            return opened
        round_ = opened["node"]
        nominations = [edge["node"] for edge in round_["nominations"]["edges"]]
        experts = [edge["node"] for edge in opened["users"]["edges"] if edge["node"]["isActive"]]
        return self.render(
            request,
            "admin/evaluation_round.html",
            status,
            me=opened["me"],
            round=round_,
            nominations=nominations,
            experts=experts,
            pending=_pending(nominations),
            kind_labels=KIND_LABELS,
            prizes=list(Prize),
            fields=fields or {},
            errors=errors or {},
            done=self.done(request),
        )

    async def _one(self, request: Request) -> dict[str, Any] | Response:
        round_id = request.path_params["id"]
        if len(round_id) > ID_CHARACTERS:
            return self.not_found(request)
        opened = await self._open(request, "admin/evaluation_round", {"id": round_id})
        if isinstance(opened, Response):
            return opened
        node = opened.get("node") or {}
        if "criteria" not in node:  # no round, or another kind of object
            return self.not_found(request)
        return opened

    async def assign(self, request: Request) -> Response:
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        nomination = posted.text("nomination")
        field = f"expert-{nomination}"
        expert = posted.text("expert")
        if not expert:
            return await self._round(request, posted.fields, {field: "请选择专家"}, 400)
        variables = {"input": {"nominationId": nomination, "expertUserId": expert}}
        answer = await self.run("admin/assign_reviewer", request, variables)
        refused = self.refusals(request, answer, "assignReviewer")
        if isinstance(refused, Response):
            return refused
        if refused:
            errors = {field: next(iter(refused.values()))}
            return await self._round(request, posted.fields, errors, 400)
        return back(f"/admin/evaluation/{request.path_params['id']}/#nominations", "assigned")

    async def close(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._close_form(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        if not posted.text("confirm"):
            return await self._close_form(request, {"confirm": "请勾选确认后再结束评审"}, 400)
        round_id = request.path_params["id"]
        answer = await self.run(
            "admin/close_evaluation_round", request, {"input": {"roundId": round_id}}
        )
        refused = self.refusals(request, answer, "closeEvaluationRound")
        if isinstance(refused, Response):
            return refused
        if refused:
            errors = {"confirm": next(iter(refused.values()))}
            return await self._close_form(request, errors, 400)
        return back(f"/admin/evaluation/{round_id}/#ranking", "closed")

    async def _close_form(
        self, request: Request, errors: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        opened = await self._one(request)
        if isinstance(opened, Response):
            return opened
        round_ = opened["node"]
        nominations = [edge["node"] for edge in round_["nominations"]["edges"]]
        return self.render(
            request,
            "admin/close_evaluation_round.html",
            status,
            me=opened["me"],
            round=round_,
            nominations=nominations,
            pending=_pending(nominations),
            unreviewed=sum(
                1
                for n in nominations
                if not any(a["status"] == "SUBMITTED" for a in n["assignments"])
            ),
            errors=errors or {},
        )

    async def award(self, request: Request) -> Response:
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        nomination = posted.text("nomination")
        field = f"prize-{nomination}"
        year = posted.text("year")
        prize = posted.text("prize")
        if prize not in {p.value for p in Prize}:
            return await self._round(request, posted.fields, {field: "请选择成果奖等级"}, 400)
        if not year.isdigit():
            return self.not_found(request)
        variables = {
            "kind": "ACHIEVEMENT_AWARD",
            "year": int(year),
            "achievementId": posted.text("achievement"),
            "prize": prize,
            "citation": posted.text("citation").strip() or None,
        }
        answer = await self.run("admin/grant_recognition", request, {"input": variables})
        refused = self.refusals(request, answer, "grantRecognition")
        if isinstance(refused, Response):
            return refused
        if refused:
            errors = {field: next(iter(refused.values()))}
            return await self._round(request, posted.fields, errors, 400)
        return back("/admin/recognitions/", "recognised")


class EvaluationNominations(CommunityWorkspace):
    """A community's nominations: its leader and deputies put its achievements forward."""

    form_fields = NOMINATION_FIELDS
    done_sentences = NOMINATION_DONE
    most_files = 0
    most_fields = 10

    async def nominations(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._nominations(request)
        posted = await self.posted(request)
        if isinstance(posted, Response):
            return posted
        errors: dict[str, str] = {}
        if not posted.text("round"):
            errors["round"] = "请选择评审"
        if not posted.text("achievement"):
            errors["achievement"] = "请选择要推荐的成果"
        if errors:
            return await self._nominations(request, posted.fields, errors, 400)
        variables = {"roundId": posted.text("round"), "achievementId": posted.text("achievement")}
        answer = await self.run("manage/nominate", request, {"input": variables})
        refused = self.refusals(request, answer, "nominate")
        if isinstance(refused, Response):
            return refused
        if refused:
            refused = {(k or "achievement"): v for k, v in refused.items()}
            return await self._nominations(request, posted.fields, refused, 400)
        return back(f"/c/{request.path_params['slug']}/manage/evaluation/", "nominated")

    async def _nominations(
        self,
        request: Request,
        fields: Mapping[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        slug = request.path_params["slug"]
        if len(slug) > ID_CHARACTERS:
            return self.not_found(request)
        opened = await self._open(
            request,
            "manage/evaluation",
            {"slug": slug},
            _community,
            Permission.ACHIEVEMENT_WRITE,
        )
        if isinstance(opened, Response):
            return opened
        community = opened["community"]
        rounds = [edge["node"] for edge in opened["evaluationRounds"]["edges"]]
        open_rounds = [r for r in rounds if r["status"] == "OPEN" and r["closesOn"] >= _today()]
        mine = [
            {**nomination, "round": r}
            for r in rounds
            for edge in r["nominations"]["edges"]
            if (nomination := edge["node"])["community"]["slug"] == slug
        ]
        return self.render(
            request,
            "manage/evaluation.html",
            status,
            me=opened["me"],
            community=community,
            open_rounds=open_rounds,
            achievements=[edge["node"] for edge in community["achievements"]["edges"]],
            nominations=mine,
            kind_labels=KIND_LABELS,
            fields=fields or {},
            errors=errors or {},
            done=self.done(request),
        )


def _today() -> str:
    return today().isoformat()


def _community(data: dict[str, Any]) -> dict[str, Any] | None:
    community: dict[str, Any] | None = data.get("community")
    return community


def _pending(nominations: list[dict[str, Any]]) -> int:
    """The assignments still waiting for their expert's scores."""
    return sum(1 for n in nominations for a in n["assignments"] if a["status"] == "ASSIGNED")


def _filled_rows(fields: Mapping[str, str]) -> int:
    """How many criteria rows a form sent back holds, so none of them is lost."""
    filled = [
        row
        for row in range(1, CRITERIA_ROWS + 1)
        if fields.get(f"criterion-{row}-name") or fields.get(f"criterion-{row}-weight")
    ]
    return max(filled, default=0)


def _criteria_refusal(refused: dict[str, str]) -> dict[str, str]:
    """The API names a criterion's refusal `criteria` (or a path below it): one field."""
    errors: dict[str, str] = {}
    for field, message in refused.items():
        errors.setdefault("criteria" if field.startswith("criteria") else field, message)
    return errors
