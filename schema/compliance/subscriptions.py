"""Following an audit run over a websocket, for a progress bar."""

import contextlib
from collections.abc import AsyncGenerator

import strawberry

from schema.compliance.queries import readable_run
from schema.compliance.types import AuditRun
from schema.core import ids
from schema.core.context import Info
from server.compliance.audit import progress_topic
from server.vocabulary import AuditRunStatus

# A run announces each chunk it finishes; this only bounds the wait when a message is lost.
POLL_SECONDS = 2.0
FINISHED = (AuditRunStatus.SUCCEEDED, AuditRunStatus.FAILED)


@strawberry.type
class ComplianceSubscriptions:
    @strawberry.subscription(
        description="An audit run as it is now, then each time it moves (`communitiesDone` of "
        "`communitiesTotal`, `status`), until it has finished. For whoever may read "
        "`auditRun(id)`; each event is checked against the subscriber's rights at that moment."
    )
    async def audit_run_progress(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[AuditRun, None]:
        run_id = ids.decode_as(id, "AuditRun")[0]
        sent = None
        moved = info.context.runtime.topics.moves(progress_topic(run_id), POLL_SECONDS)
        async with contextlib.aclosing(moved):  # no longer waited on once the run ends
            async for _ in moved:
                guard = info.context.still_signed_in()
                guard.signed_in()
                row = await readable_run(info.context, guard, run_id)
                progress = (row.status, row.communities_done, row.communities_total)
                if progress != sent:
                    sent = progress
                    yield AuditRun.of(row)
                if row.status in FINISHED:
                    return
