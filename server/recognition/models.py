import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.columns import vocabulary
from server.db import Base, Timestamped
from server.vocabulary import Prize, RecognitionKind


class Recognition(Timestamped, Base):
    """A recognition the project group grants (Art. 6(5)) and the certificate it issues: a
    unique number, never reused, and a public verification page. Public programme
    information, like the exit list: `community_id` is the holder community (or the awarded
    achievement's), none for a unit's; row-level security keeps writes to its community's
    scope or, for a unit's, to the project group's all-communities scope. Never deleted: a
    recognition granted in error is revoked, and its verification page says so."""

    __tablename__ = "recognitions"
    __table_args__ = (
        # The national brands of a year are counted on every grant (Art. 6(5): 3-5 a year).
        Index("ix_recognitions_year_kind", "year", "kind"),
        Index("ix_recognitions_community_id_id", "community_id", "id"),
        ForeignKeyConstraint(
            ["community_id", "achievement_id"], ["achievements.community_id", "achievements.id"]
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    kind: Mapped[RecognitionKind] = mapped_column(vocabulary(RecognitionKind))
    year: Mapped[int] = mapped_column(Integer)
    prize: Mapped[Prize | None] = mapped_column(vocabulary(Prize))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # The awarded achievement, of `community_id` (a composite foreign key to achievements).
    achievement_id: Mapped[int | None] = mapped_column(BigInteger)
    # The name printed on the certificate, as it was when granted: a unit renamed later
    # does not change a certificate already issued.
    holder_name: Mapped[str] = mapped_column(String(200))
    citation: Mapped[str | None] = mapped_column(Text)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    granted_on: Mapped[dt.date] = mapped_column(Date)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
