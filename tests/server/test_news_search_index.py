"""The main platform's news search reads its GIN index first, as the application reads it:
under row-level security PostgreSQL uses an index only for a leakproof operator, and `@@` is
not one, so a GIN index on `news` itself answered the tables' owner and never the application,
which read every published item. And a page is `ORDER BY id DESC LIMIT n`, which PostgreSQL
may answer by walking the newest items one by one until it has met enough matches: quick for a
common word, a walk through every item for a rare one, and no test of results would notice."""

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.dialects import postgresql

from schema.core.pagination import keyset
from server.news.models import News
from server.news.queries import programme_news_statement
from tests.factories import make_community, make_user

# 3,000 published items, every other one about 老年教育 (a common word), the three oldest about
# 古琴 (a rare one); none holds 量子.
ITEMS = """
INSERT INTO news (community_id, title, body, body_html, status, featured, author_user_id)
SELECT :c, '第' || i || '期工作简报',
       CASE WHEN i <= 3 THEN '古琴雅集' WHEN i % 2 = 0 THEN '老年教育进社区' ELSE '家庭教育讲座' END
       || '，本期简报介绍第' || i || '项社区学习活动', '<p></p>', 'PUBLISHED', false, :u
FROM generate_series(1, 3000) AS i
"""
INDEX = "Bitmap Index Scan on ix_published_news_search_search"
NEWEST_MATCHES = "Index Scan Backward using ix_published_news_search_news_id"
WALK = "Index Scan Backward"


def _page_sql() -> str:
    """The first page of `programmeNews(search: $1, first: 20)` as the API asks it."""
    page, _ = keyset(
        programme_news_statement(bindparam("search", "WORD")), News.id, 20, None, newest_first=True
    )
    sql = str(page.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    return sql.replace("'WORD'", "$1")


@pytest.fixture
async def items(runtime, owner) -> None:
    community, _ = await make_community(runtime, "yrd-search")
    author, _ = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    async with owner.begin() as conn:
        await conn.execute(text(ITEMS), {"c": community.id, "u": author.id})
        await conn.execute(text("ANALYZE news, published_news_search"))


@pytest.mark.parametrize("search", ["古琴", "量子", "老年", "AI 老年"])
@pytest.mark.parametrize("plan", ["custom", "generic"])
async def test_the_main_platform_search_reads_the_index_of_its_words(runtime, items, search, plan):
    """A custom plan knows the word; a prepared statement's generic plan, which PostgreSQL
    may choose after five runs, knows nothing of it, and must not walk the items either."""
    async with runtime.database.transaction() as session:  # the application, anonymous
        # 3,000 items are a table PostgreSQL would rather read whole: the question is whether
        # the index can answer the search.
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        await session.execute(text(f"SET LOCAL plan_cache_mode = force_{plan}_plan"))
        await session.execute(text(f"PREPARE news_page (text) AS {_page_sql()}"))
        try:
            explained = await session.scalars(text(f"EXPLAIN EXECUTE news_page ('{search}')"))
            shown = "\n".join(explained.all())
        finally:
            await session.execute(text("DEALLOCATE news_page"))

    # Read from the lexemes of published news, by one of their indexes: the words' GIN index,
    # or for a word the planner takes for common the newest items' `news_id`, stopping at the
    # page's end; never a walk or a scan of the items themselves.
    assert INDEX in shown or NEWEST_MATCHES in shown, shown
    assert "Seq Scan on news" not in shown and f"{WALK} using pk_news" not in shown, shown
