import datetime as dt

import strawberry
from strawberry.scalars import JSON

from schema.core import ids
from server.audit import models


@strawberry.type(description="One recorded change: who, what, to which object, before and after.")
class AuditEntry:
    id: strawberry.ID
    action: str
    target_type: str
    target_id: str
    before: JSON | None
    after: JSON | None
    at: dt.datetime
    actor_id: strawberry.ID | None
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: models.AuditEntry) -> "AuditEntry":
        return cls(
            id=strawberry.ID(ids.encode("AuditEntry", row.id)),
            action=row.action,
            target_type=row.target_type,
            target_id=row.target_id,
            before=None if row.before is None else JSON(row.before),
            after=None if row.after is None else JSON(row.after),
            at=row.at,
            actor_id=strawberry.ID(ids.encode("User", row.actor_user_id))
            if row.actor_user_id
            else None,
            db_id=row.id,
            community_id=row.community_id,
        )
