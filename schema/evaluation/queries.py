from typing import Any

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
        # A page is at most 100 items: each read by its key in the same transaction.
        loaded: dict[tuple[str, int, int], Any] = {}
        async with info.context.transaction(all_communities=True) as session:
            rows = (await session.execute(page)).all()
            for row in rows:
                table = ReportRow if row.kind == ReviewTaskKind.REPORT else models.ReviewAssignment
                loaded[row.kind, row.community_id, row.id] = await session.get(
                    table, (row.community_id, row.id)
                )

        def task(row: Any) -> ReviewTask:
            kind = ReviewTaskKind(row.kind)
            found = loaded.get((row.kind, row.community_id, row.id))
            is_report = kind is ReviewTaskKind.REPORT
            return ReviewTask(
                kind=kind,
                kind_label=kind.label(info.context.language),
                waiting_since=row.since,
                report=Report.of(found) if found is not None and is_report else None,
                assignment=(
                    ReviewAssignment.of(found) if found is not None and not is_report else None
                ),
                community_id=row.community_id,
            )

        async def count() -> int:
            statement = select(func.count()).select_from(
                review_queue_statement(actor.user_id, guided).subquery()
            )
            async with info.context.transaction(all_communities=True) as session:
                return await session.scalar(statement) or 0

        return connection(rows, size, lambda row: row.key, count, after, task)
