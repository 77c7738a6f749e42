import datetime as dt

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Identity, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamped

EMAIL_LENGTH = 254  # the longest address SMTP carries (RFC 5321)
NAME_LENGTH = 80


class User(Timestamped, Base):
    """A person who signs in. Deactivated, never deleted."""

    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", text("lower(email)"), unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CasbinRule(Base):
    """casbin's policy rows, in the layout its SQL adapters use (ptype, v0..v5).

    Subjects are `user:<id>`; domains are community ids; see `policies/`.
    """

    __tablename__ = "casbin_rule"
    __table_args__ = (Index("ix_casbin_rule_ptype_v0", "ptype", "v0"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    ptype: Mapped[str] = mapped_column(String(8))
    v0: Mapped[str] = mapped_column(String(120), default="")
    v1: Mapped[str] = mapped_column(String(120), default="")
    v2: Mapped[str] = mapped_column(String(120), default="")
    v3: Mapped[str] = mapped_column(String(120), default="")
    v4: Mapped[str] = mapped_column(String(120), default="")
    v5: Mapped[str] = mapped_column(String(120), default="")
