import datetime as dt

from sqlalchemy import (
    CHAR,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base, Timestamped
from server.vocabulary import AdmissionCondition, ApplicationStatus, Level


class ApplicationCall(Timestamped, Base):
    """申报通知: the association's call for experiment sites (Art. 8(1))."""

    __tablename__ = "application_calls"
    __table_args__ = (CheckConstraint("closes_on >= opens_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    published_on: Mapped[dt.date | None] = mapped_column(Date)


class Application(Timestamped, Base):
    """A unit's application to a call, with the seven Art. 7 conditions evidenced."""

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("call_id", "division_code"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("application_calls.id"))
    applicant_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit_name: Mapped[str] = mapped_column(String(120))
    level: Mapped[Level] = mapped_column(vocabulary(Level))
    division_code: Mapped[str] = mapped_column(String(12))
    province: Mapped[str] = mapped_column(CHAR(2), ForeignKey("provinces.code"))
    address: Mapped[str] = mapped_column(String(200))
    responsible_person: Mapped[str] = mapped_column(String(60))
    project_team: Mapped[str] = mapped_column(Text)
    status: Mapped[ApplicationStatus] = mapped_column(
        vocabulary(ApplicationStatus), default=ApplicationStatus.SUBMITTED
    )
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))


class ApplicationCondition(Base):
    __tablename__ = "application_conditions"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    condition: Mapped[AdmissionCondition] = mapped_column(
        vocabulary(AdmissionCondition), primary_key=True
    )
    evidence: Mapped[str] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
