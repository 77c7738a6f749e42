import datetime as dt
from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base, Timestamped
from server.vocabulary import ActivityKind, AttendanceStatus


class ActivityCounts:
    """Attendance counts kept at write time, so listings and audits never scan attendance."""

    expected_count: Mapped[int] = mapped_column(Integer, default=0)
    attended_count: Mapped[int] = mapped_column(Integer, default=0)
    absent_count: Mapped[int] = mapped_column(Integer, default=0)
    excused_count: Mapped[int] = mapped_column(Integer, default=0)
    # When attendance was last recorded: the audits re-read only what changed since their
    # last run. Whoever writes attendance rows directly sets it too.
    attendance_recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Activity(ActivityCounts, Timestamped, Base):
    """A community activity (Art. 16, 18(2)). Tenant-owned."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_community_id_held_on", "community_id", "held_on"),
        # A sub-platform's public activities, newest first: a few among hundreds.
        Index("ix_activities_public", "community_id", "id", postgresql_where=text("is_public")),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[ActivityKind] = mapped_column(vocabulary(ActivityKind))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Shown on the community's sub-platform, as its leader or a deputy decided.
    is_public: Mapped[bool] = mapped_column(Boolean, server_default=text("false"), default=False)


class Attendance(Base):
    """One expected unit at one community activity; `status` is empty until recorded."""

    __tablename__ = "attendance"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community_id", "activity_id"], ["activities.community_id", "activities.id"]
        ),
        Index("ix_attendance_community_id_unit_id", "community_id", "unit_id"),
    )

    community_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    activity_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    status: Mapped[AttendanceStatus | None] = mapped_column(vocabulary(AttendanceStatus))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ProgrammeActivity(ActivityCounts, Timestamped, Base):
    """A project-wide activity of the project group (Art. 6(3), 17(2)); every site may be
    expected. Not tenant-owned."""

    __tablename__ = "programme_activities"
    __table_args__ = (Index("ix_programme_activities_held_on", "held_on"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[ActivityKind] = mapped_column(vocabulary(ActivityKind))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# A community's activity or a programme-wide one, where code serves both alike.
AnyActivity = TypeVar("AnyActivity", bound=Activity | ProgrammeActivity)


class ProgrammeAttendance(Base):
    __tablename__ = "programme_attendance"
    __table_args__ = (Index("ix_programme_attendance_unit_id", "unit_id"),)

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("programme_activities.id"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    status: Mapped[AttendanceStatus | None] = mapped_column(vocabulary(AttendanceStatus))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SignInSheet(Timestamped, Base):
    """A sign-in sheet imported for a community activity: who may record that activity's
    attendance may download it. Tenant-owned."""

    __tablename__ = "sign_in_sheets"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community_id", "activity_id"], ["activities.community_id", "activities.id"]
        ),
        Index("ix_sign_in_sheets_community_id_upload_id", "community_id", "upload_id"),
    )

    community_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    activity_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), primary_key=True)
    imported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
