import datetime as dt

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base, Timestamped
from server.vocabulary import CommunityStatus, Level, MembershipRole, MembershipStatus

# A community's slug, as its sub-platform's path names it (`/c/{slug}/`).
SLUG_RULE = "^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"


class Community(Timestamped, Base):
    """A regional community (共同体) of 3-15 units: the tenant. Its profile is public."""

    __tablename__ = "communities"
    __table_args__ = (
        CheckConstraint(f"slug ~ '{SLUG_RULE}'", name="slug_format"),
        CheckConstraint("cycle_end > cycle_start", name="cycle_order"),
        Index("ix_communities_region_level_status_id", "region", "level", "status", "id"),
        Index("ix_communities_status_id", "status", "id"),
        CheckConstraint("colour ~ '^#[0-9a-f]{6}$'", name="colour_hex"),
        # Is an upload part of a profile (public, `GET /uploads/{id}`)?
        Index("ix_communities_profile_upload_ids", "profile_upload_ids", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    level: Mapped[Level] = mapped_column(vocabulary(Level))
    themes: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default=text("'{}'"))
    status: Mapped[CommunityStatus] = mapped_column(
        vocabulary(CommunityStatus), default=CommunityStatus.ACTIVE
    )
    cycle_start: Mapped[dt.date] = mapped_column(Date)
    cycle_end: Mapped[dt.date] = mapped_column(Date)
    agreement_signed_on: Mapped[dt.date | None] = mapped_column(Date)
    office_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    mixed_level_reason: Mapped[str | None] = mapped_column(Text)
    # The sub-platform's profile, written by its leader and deputies; public.
    intro: Mapped[str | None] = mapped_column(Text)
    intro_html: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String(7))
    logo_upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    banner_upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    # The logo, the banner and the introduction's pictures: public with the profile.
    profile_upload_ids: Mapped[list[int]] = mapped_column(
        postgresql.ARRAY(BigInteger), server_default=text("'{}'"), default=list
    )


class Membership(Timestamped, Base):
    """A unit's place in a community. Never deleted: leaving sets a status, a date and a reason.

    Tenant-owned: `community_id` leads the primary key and every index, so the table can be
    distributed by community.
    """

    __tablename__ = "memberships"
    __table_args__ = (
        Index(
            "uq_memberships_active_unit",
            "community_id",
            "unit_id",
            unique=True,
            postgresql_where=text("status = 'ACTIVE'"),
        ),
        Index(
            "uq_memberships_active_leader",
            "community_id",
            unique=True,
            postgresql_where=text("status = 'ACTIVE' AND role = 'LEADER'"),
        ),
        Index("ix_memberships_unit_id", "unit_id"),
        CheckConstraint("(status = 'ACTIVE') = (left_on IS NULL)", name="left_on_matches_status"),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[MembershipRole] = mapped_column(vocabulary(MembershipRole))
    status: Mapped[MembershipStatus] = mapped_column(
        vocabulary(MembershipStatus), default=MembershipStatus.ACTIVE
    )
    joined_on: Mapped[dt.date] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    left_reason: Mapped[str | None] = mapped_column(Text)
