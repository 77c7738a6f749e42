"""The floor: the data of each benchmarked operation fetched by one hand-written asyncpg
query behind a bare Starlette endpoint, as JSON built by PostgreSQL. What the platform does
on top of this (GraphQL, tokens, roles, row-level security) is what the ratios measure.

Run by `bench/run.py` as `uvicorn bench.floor:app`; BENCH_FLOOR_DATABASE_URL names the
database (a plain `postgresql://` URL)."""

import os
from contextlib import asynccontextmanager

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

COMMUNITY_PAGE = """
SELECT json_build_object(
  'name', c.name,
  'members', (SELECT json_agg(m) FROM (
      SELECT ms.role, u.name FROM memberships ms JOIN units u ON u.id = ms.unit_id
      WHERE ms.community_id = c.id ORDER BY ms.id LIMIT 15) m),
  'activities', (SELECT json_agg(a) FROM (
      SELECT title, held_on, attended_count, absent_count FROM activities
      WHERE community_id = c.id ORDER BY id DESC LIMIT 20) a),
  'report', (SELECT row_to_json(r) FROM (
      SELECT kind, submitted_on FROM reports WHERE community_id = c.id ORDER BY id LIMIT 1) r),
  'findings', (SELECT json_agg(f) FROM (
      SELECT rule, message_zh FROM findings WHERE community_id = c.id AND status = 'OPEN'
      ORDER BY id LIMIT 20) f)
)::text FROM communities c WHERE c.slug = $1
"""

LISTING = """
SELECT coalesce(json_agg(l), '[]')::text FROM (
  SELECT c.slug, c.name,
    (SELECT count(*) FROM memberships m WHERE m.community_id = c.id AND m.status = 'ACTIVE')
      AS member_count,
    (SELECT max(held_on) FROM activities a WHERE a.community_id = c.id AND a.held_on <= current_date)
      AS last_activity_on
  FROM communities c WHERE c.status = 'ACTIVE' AND c.id > $1 ORDER BY c.id LIMIT 50) l
"""

RECORD = """
WITH changed AS (
  UPDATE attendance SET status = 'ATTENDED', recorded_at = now()
  WHERE community_id = $1 AND activity_id = $2 AND unit_id = ANY($3::bigint[])
  RETURNING 1)
UPDATE activities SET attended_count = (SELECT count(*) FROM changed), attendance_recorded_at = now()
WHERE community_id = $1 AND id = $2 RETURNING json_build_object('attended', attended_count)::text
"""

LOCK = "SELECT 1 FROM activities WHERE community_id = $1 AND id = $2 FOR UPDATE"

ME = """
SELECT json_build_object('email', u.email, 'roles', (
  SELECT json_agg(json_build_object('role', r.v1, 'slug', c.slug)) FROM casbin_rule r
  LEFT JOIN communities c ON c.id::text = r.v2 WHERE r.v0 = 'user:' || u.id))::text
FROM users u WHERE u.id = $1
"""

LARGE_LIST = """
SELECT json_agg(a)::text FROM (
  SELECT id, kind, title, held_on FROM activities
  WHERE community_id IN (SELECT id FROM communities WHERE region = $1)
  ORDER BY id DESC LIMIT 2000) a
"""

# The sub-platform page's data (`server/web/templates/public/community.graphql`), as JSON: the
# page's HTML is what the platform adds on top.
SUB_PLATFORM = """
SELECT json_build_object(
  'slug', c.slug, 'name', c.name, 'region', c.region, 'level', c.level, 'status', c.status,
  'themes', c.themes, 'cycle_start', c.cycle_start, 'cycle_end', c.cycle_end,
  'agreement_signed_on', c.agreement_signed_on,
  'last_activity_on', (SELECT held_on FROM activities a WHERE a.community_id = c.id
      AND a.held_on <= current_date ORDER BY held_on DESC LIMIT 1),
  'member_count', (SELECT count(*) FROM memberships m WHERE m.community_id = c.id
      AND m.status = 'ACTIVE'),
  'office', (SELECT name FROM units WHERE id = c.office_unit_id),
  'members', (SELECT json_agg(m) FROM (
      SELECT ms.role, ms.joined_on, u.name, u.level, u.province, u.plaque_number
      FROM memberships ms JOIN units u ON u.id = ms.unit_id
      WHERE ms.community_id = c.id AND ms.status = 'ACTIVE' ORDER BY ms.id LIMIT 100) m)
)::text FROM communities c WHERE c.slug = $1
"""

# The programme's published news holding a word, newest first, from the lexemes of published
# news (by their GIN index for a rare word, newest first by `news_id` for a common one), each
# run of three Hanzi or more confirmed as written, then the newest twenty.
NEWS_SEARCH = """
SELECT coalesce(json_agg(n), '[]')::text FROM (
  SELECT n.title, n.published_at, c.name
  FROM published_news_search f
  JOIN news n ON n.community_id = f.community_id AND n.id = f.news_id
  JOIN communities c ON c.id = n.community_id
  WHERE f.search @@ search_query($1) AND n.status = 'PUBLISHED'
    AND (n.title || ' ' || n.body) ILIKE ALL (search_patterns($1))
  ORDER BY n.id DESC LIMIT 20) n
"""

# The project group's arrears (`arrears(region, first: 50)`): the open invoices past their due
# date, oldest first, each with its balance summed from its ledger, its unit and community.
ARREARS = """
SELECT coalesce(json_agg(a), '[]')::text FROM (
  SELECT i.number, i.due_on, current_date - i.due_on AS days_overdue,
    (SELECT sum(e.amount_fen) FROM fee_entries e
      WHERE e.community_id = i.community_id AND e.invoice_id = i.id) AS balance_fen,
    u.name AS unit_name, c.slug, c.name
  FROM invoices i JOIN communities c ON c.id = i.community_id
  LEFT JOIN units u ON u.id = i.unit_id
  WHERE i.status = 'OPEN' AND i.due_on < current_date {region}
  ORDER BY i.id LIMIT 50) a
"""
ARREARS_ALL = ARREARS.format(region="")
ARREARS_REGION = ARREARS.format(region="AND c.region = $1")


@asynccontextmanager
async def lifespan(app: Starlette):
    app.state.pool = await asyncpg.create_pool(
        os.environ["BENCH_FLOOR_DATABASE_URL"], min_size=4, max_size=16
    )
    yield
    await app.state.pool.close()


async def _one(request: Request, sql: str, *args) -> Response:
    async with request.app.state.pool.acquire() as conn:
        body = await conn.fetchval(sql, *args)
    return Response(body, media_type="application/json")


async def community_page(request: Request) -> Response:
    return await _one(request, COMMUNITY_PAGE, request.query_params["slug"])


async def listing(request: Request) -> Response:
    return await _one(request, LISTING, int(request.query_params.get("after", 0)))


async def record(request: Request) -> Response:
    """The activity's row is locked first, as the platform locks it: concurrent recordings of
    one activity queue instead of deadlocking on its attendance rows."""
    units = [int(u) for u in request.query_params["units"].split(",")]
    community, activity = int(request.query_params["c"]), int(request.query_params["a"])
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        await conn.execute(LOCK, community, activity)
        body = await conn.fetchval(RECORD, community, activity, units)
    return Response(body, media_type="application/json")


async def me(request: Request) -> Response:
    return await _one(request, ME, int(request.query_params["user"]))


async def large_list(request: Request) -> Response:
    return await _one(request, LARGE_LIST, request.query_params["region"])


async def sub_platform(request: Request) -> Response:
    return await _one(request, SUB_PLATFORM, request.query_params["slug"])


async def news_search(request: Request) -> Response:
    return await _one(request, NEWS_SEARCH, request.query_params["q"])


async def arrears(request: Request) -> Response:
    region = request.query_params.get("region")
    if region is None:
        return await _one(request, ARREARS_ALL)
    return await _one(request, ARREARS_REGION, region)


app = Starlette(
    routes=[
        Route("/community_page", community_page),
        Route("/listing", listing),
        Route("/record", record),
        Route("/me", me),
        Route("/large_list", large_list),
        Route("/sub_platform", sub_platform),
        Route("/news_search", news_search),
        Route("/arrears", arrears),
    ],
    lifespan=lifespan,
)
