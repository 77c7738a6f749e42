import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class AuditEntry(Base):
    """One state change: who did what to which object, in which community, before and after.

    Written in the same transaction as the change; append-only (the application role may
    insert and read, never update or delete). `community_id` is empty for national actions
    (an account created, a national role granted); such rows only the project group sees.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_community_id_at", "community_id", text("at DESC")),
        Index("ix_audit_log_actor_at", "actor_user_id", text("at DESC")),
        Index("ix_audit_log_action_at", "action", text("at DESC")),
        # No RETURNING on insert: row-level security would check it against the read policy.
        {"implicit_returning": False},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    community_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(80))
    # JSON of the object's fields (`Any`: each its own type).
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
