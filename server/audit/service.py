"""Recording every state change in the transaction that makes it, and reading the log back."""

import datetime as dt
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEntry

# Built once: every mutation appends one entry, its values bound at each run.
APPEND = insert(AuditEntry.metadata.tables[AuditEntry.__tablename__])


async def record(
    session: AsyncSession,
    *,
    actor_user_id: int | None,
    action: str,
    target_type: str,
    target_id: int | str,
    community_id: int | None = None,
    # The object's fields before and after, as JSON (`Any`: each its own type).
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    # The writer of an entry need not be allowed to read it back (see the model).
    await session.execute(
        APPEND,
        {
            "community_id": community_id,
            "actor_user_id": actor_user_id,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "before": before,
            "after": after,
        },
    )


def entries_statement(
    community_id: int | None = None,
    actor_user_id: int | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Select[AuditEntry]:
    statement = select(AuditEntry)
    if community_id is not None:
        statement = statement.where(AuditEntry.community_id == community_id)
    if actor_user_id is not None:
        statement = statement.where(AuditEntry.actor_user_id == actor_user_id)
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    if since is not None:
        statement = statement.where(AuditEntry.at >= since)
    if until is not None:
        statement = statement.where(AuditEntry.at < until)
    return statement
