"""the published news across communities, indexed newest first

Revision ID: a4c2e9d17b58
Revises: f81c4e2a6b93
Create Date: 2026-12-03 21:10:00

The main platform shows the latest published news of every community, and the news the
project group featured. Their only index led with the community, so PostgreSQL read and
sorted every published item on each visit (about 90 ms at national scale); a partial index
on the id holds the published items in the page's order.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a4c2e9d17b58"
down_revision: str | None = "f81c4e2a6b93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_news_published_id", "news", ["id"], postgresql_where="status = 'PUBLISHED'")


def downgrade() -> None:
    op.drop_index("ix_news_published_id", table_name="news")
