"""The news search is one its GIN index can answer: a condition that wrapped the indexed
column in anything else would scan every item, fine on a demo and slow at national scale,
and no test of results would notice."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

from server.news.models import News
from server.news.queries import matching
from tests.factories import make_community, make_user

ITEMS = """
INSERT INTO news (community_id, title, body, body_html, status, featured, author_user_id)
SELECT :c, '第' || i || '期工作简报', '本期简报介绍第' || i || '项社区学习活动', '<p></p>',
       'PUBLISHED', false, :u
FROM generate_series(1, 3000) AS i
"""


@pytest.mark.parametrize("search", ["老年", "老", "AI 老年", "workshop"])
async def test_a_search_reads_the_index_of_its_words(runtime, owner, search):
    community, _ = await make_community(runtime, "yrd-search")
    author, _ = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    async with owner.begin() as conn:
        await conn.execute(text(ITEMS), {"c": community.id, "u": author.id})
        await conn.execute(text("ANALYZE news"))
    found = select(News.id).where(matching(search))
    sql = found.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})

    async with owner.connect() as conn:
        # 3,000 items are a table PostgreSQL would rather read whole: the question is whether
        # the index can answer the search.
        await conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join((await conn.scalars(text(f"EXPLAIN {sql}"))).all())

    assert "Bitmap Index Scan on ix_news_search" in plan, plan
