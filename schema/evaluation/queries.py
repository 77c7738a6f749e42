import strawberry
from sqlalchemy import func, select

from policies.enforcer import EXPERT_ASSIGNED
from schema.core.context import Info
from schema.core.pagination import Connection, connection, page_asked, paginate
from schema.evaluation.types import EvaluationRound, ReviewAssignment, ReviewTask, is_expert
from schema.reports.types import Report
from server.access.guard import forbidden
from server.evaluation import models
from server.evaluation.queries import review_queue_statement, rounds_statement
from server.reports.models import Report as ReportRow
from server.vocabulary import ReviewTaskKind, RoundStatus


@strawberry.type
class EvaluationQueries:
    @strawberry.field(
        description="评审 (Art. 17(4)): the evaluation rounds, filtered by year and status; "
        "oldest first (`newestFirst`: the latest first). Public."
    )
    async def evaluation_rounds(
        self,
        info: Info,
        year: int | None = None,
        status: RoundStatus | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[EvaluationRound]:
        return await paginate(
            info.context,
            rounds_statement(year, status),
            models.EvaluationRound.id,
            first,
            after,
            EvaluationRound.of,
            newest_first=newest_first,
        )

    @strawberry.field(
        description="An expert's one queue across communities, oldest first: the semi-annual "
        "reports of the communities it guides that nobody has reviewed yet (Art. 18(4)), and "
        "the nominated achievements assigned to it in open rounds that it has not scored "
        "(17(4)). FORBIDDEN for anyone but an expert."
    )
    async def review_queue(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ReviewTask]:
        guard = await info.context.guard()
        actor = guard.signed_in()
        if not is_expert(guard):
            raise forbidden()
        size, cursor = page_asked(first, after)
        guided = sorted(
            int(c)
            for role, c in guard.policy.roles_of(actor.subject)
            if role == EXPERT_ASSIGNED and c is not None
        )
        waiting = review_queue_statement(actor.user_id, guided).subquery()
        page = select(waiting)
        if cursor is not None:
            page = page.where(waiting.c.key > cursor)
        page = page.order_by(waiting.c.key).limit(size + 1)
        async with info.context.transaction(all_communities=True) as session:
            rows = (await session.execute(page)).all()
            wanted = {ReviewTaskKind(row.kind): [] for row in rows}  # type: ignore[var-annotated]
            for row in rows:
                wanted[ReviewTaskKind(row.kind)].append((row.community_id, row.id))
            reports = {
                (r.community_id, r.id): r
                for key in wanted.get(ReviewTaskKind.REPORT, [])
                if (r := await session.get(ReportRow, key)) is not None
            }
            assignments = {
                (a.community_id, a.id): a
                for key in wanted.get(ReviewTaskKind.ACHIEVEMENT, [])
                if (a := await session.get(models.ReviewAssignment, key)) is not None
            }

        def task(row: object) -> ReviewTask:
            kind = ReviewTaskKind(row.kind)  # type: ignore[attr-defined]
            key = (row.community_id, row.id)  # type: ignore[attr-defined]
            report = reports.get(key) if kind is ReviewTaskKind.REPORT else None
            assignment = assignments.get(key) if kind is ReviewTaskKind.ACHIEVEMENT else None
            return ReviewTask(
                kind=kind,
                kind_label=kind.label(info.context.language),
                waiting_since=row.since,  # type: ignore[attr-defined]
                report=Report.of(report) if report else None,
                assignment=ReviewAssignment.of(assignment) if assignment else None,
                community_id=key[0],
            )

        async def count() -> int:
            statement = select(func.count()).select_from(
                review_queue_statement(actor.user_id, guided).subquery()
            )
            async with info.context.transaction(all_communities=True) as session:
                return await session.scalar(statement) or 0

        return connection(rows, size, lambda row: row.key, count, after, task)
