import datetime as dt
from typing import TypeVar

from sqlalchemy import (
    ARRAY,
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base
from server.vocabulary import AuditRunStatus, FindingStatus, Severity


class FindingColumns:
    """One finding per (rule, subject, period), updated by every run that sees it again."""

    rule: Mapped[str] = mapped_column(String(40))
    article: Mapped[str] = mapped_column(String(20))
    severity: Mapped[Severity] = mapped_column(vocabulary(Severity))
    status: Mapped[FindingStatus] = mapped_column(vocabulary(FindingStatus))
    subject: Mapped[str] = mapped_column(String(80))  # what it is about: "community", "unit:7"
    period: Mapped[str] = mapped_column(String(40))  # "2026", "2026H1", "cycle:2026-01-01", ""
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(ARRAY(String(80)))
    # What the finding said when last seen: a waiver holds until this changes.
    fingerprint: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    waived_reason: Mapped[str | None] = mapped_column(Text)
    waived_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    waived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Finding(FindingColumns, Base):
    """A community's finding. Tenant-owned."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("uq_findings_key", "community_id", "rule", "subject", "period", unique=True),
        Index("ix_findings_community_id_status_severity", "community_id", "status", "severity"),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)


class ProgrammeFinding(FindingColumns, Base):
    """A finding about the programme as a whole or a site outside any community's view
    (admission evidence, the project group's own cadence): the project group's."""

    __tablename__ = "programme_findings"
    __table_args__ = (Index("uq_programme_findings_key", "rule", "subject", "period", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)


# A community's finding or the programme's, where code serves both alike.
AnyFinding = TypeVar("AnyFinding", bound=Finding | ProgrammeFinding)


class AuditRun(Base):
    """One run of the rule audits, over every community or one."""

    __tablename__ = "audit_runs"
    __table_args__ = (
        # At most one queued run per scope: a second request joins it.
        Index(
            "uq_audit_runs_queued_scope",
            text("coalesce(community_id, 0)"),
            unique=True,
            postgresql_where=text("status = 'QUEUED'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    status: Mapped[AuditRunStatus] = mapped_column(vocabulary(AuditRunStatus))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    queued_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    communities_total: Mapped[int] = mapped_column(Integer, default=0)
    communities_done: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
