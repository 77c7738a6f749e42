from sqlalchemy import CHAR, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamped


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(CHAR(2), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(40))


class RegionRow(Timestamped, Base):
    """An Art. 9 region (片区). Named `RegionRow` beside the `Region` vocabulary it stores."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))


class RegionProvince(Base):
    __tablename__ = "region_provinces"

    region: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    province: Mapped[str] = mapped_column(ForeignKey("provinces.code"), primary_key=True)
