import datetime as dt

import strawberry

from policies.permissions import Permission
from schema.audit.types import AuditEntry
from schema.core import ids
from schema.core.context import Info
from schema.core.pagination import Connection, paginate
from server.audit.models import AuditEntry as AuditRow
from server.audit.service import entries_statement


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="The audit log, oldest first (`newestFirst`: the latest first): the project "
        "group's in full, a leader's for its own community (`communitySlug`)."
    )
    async def audit_log(
        self,
        info: Info,
        community_slug: str | None = None,
        actor_id: strawberry.ID | None = None,
        action: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        guard = await info.context.guard()
        community_id = await info.context.community_id(community_slug)
        guard.require(Permission.AUDITLOG_READ, community_id)
        actor = ids.decode_as(actor_id, "User")[0] if actor_id else None
        statement = entries_statement(community_id, actor, action, since, until)
        return await paginate(
            info.context,
            statement,
            AuditRow.id,
            first,
            after,
            AuditEntry.of,
            community_id=community_id,
            all_communities=community_id is None,
            newest_first=newest_first,
        )
