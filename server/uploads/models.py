from sqlalchemy import BigInteger, ForeignKey, Identity, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamped


class Upload(Timestamped, Base):
    """A file someone uploaded (evidence, a sign-in sheet), kept under the data dir."""

    __tablename__ = "uploads"
    # The daily quota counts one user's uploads since midnight.
    __table_args__ = (Index(None, "owner_user_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
