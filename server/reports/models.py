import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base
from server.vocabulary import ReportKind


class Report(Base):
    """A report of Art. 18(4), 18(5) or 19(3): one per community, kind, period (and unit)."""

    __tablename__ = "reports"
    __table_args__ = (
        Index(
            "uq_reports_period",
            "community_id",
            "kind",
            "year",
            text("coalesce(half, 0)"),
            text("coalesce(unit_id, 0)"),
            unique=True,
        ),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(vocabulary(ReportKind))
    year: Mapped[int] = mapped_column(Integer)
    half: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    due_on: Mapped[dt.date] = mapped_column(Date)
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
