import datetime as dt

from sqlalchemy import ARRAY, CHAR, BigInteger, Date, ForeignKey, Identity, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base, Timestamped
from server.vocabulary import ExitScope, Level, SiteStatus


class Unit(Timestamped, Base):
    """An education body admitted to the programme: an experiment site (项目实验点)."""

    __tablename__ = "units"
    __table_args__ = (
        Index("ix_units_level_province_id", "level", "province", "id"),
        Index("ix_units_site_status_id", "site_status", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[Level] = mapped_column(vocabulary(Level))
    province: Mapped[str] = mapped_column(CHAR(2), ForeignKey("provinces.code"))
    division_code: Mapped[str] = mapped_column(String(12), unique=True)
    address: Mapped[str | None] = mapped_column(String(200))
    responsible_person: Mapped[str | None] = mapped_column(String(60))
    site_status: Mapped[SiteStatus] = mapped_column(
        vocabulary(SiteStatus), default=SiteStatus.ACTIVE
    )
    admitted_on: Mapped[dt.date | None] = mapped_column(Date)
    status_changed_on: Mapped[dt.date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(Text)
    plaque_number: Mapped[str | None] = mapped_column(String(20), unique=True)


class ExitRecord(Timestamped, Base):
    """退出名单: a unit leaving the programme or a community, written or deemed (Art. 8(2),
    12), with its evidence; reinstatement is recorded on the same row, never by deleting it."""

    __tablename__ = "exits"
    __table_args__ = (Index("ix_exits_exited_on_id", "exited_on", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    scope: Mapped[ExitScope] = mapped_column(vocabulary(ExitScope))
    kind: Mapped[SiteStatus] = mapped_column(vocabulary(SiteStatus))
    exited_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list)
    reinstated_on: Mapped[dt.date | None] = mapped_column(Date)
    reinstated_reason: Mapped[str | None] = mapped_column(Text)
