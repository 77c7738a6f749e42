import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamped


class Notification(Timestamped, Base):
    """A message to one user (a unit's staff, a leader): an exit, a deadline."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_id", "user_id", "id"),
        # A reminder is sent once: the same key to the same user is not sent again.
        Index("uq_notifications_user_id_key", "user_id", "key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    key: Mapped[str | None] = mapped_column(String(120))
