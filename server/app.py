"""The Starlette application: the HTTP surface (README.md, "HTTP surface") around a GraphQL
endpoint.

The GraphQL layer is handed in (`graphql`, and `pages`: what the web pages execute their
documents with), so the server never imports `schema/`; the composition root is
`schema/asgi.py`.
"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp

from server import health
from server.body_limit import BodyLimit
from server.logs import FailuresLogged, QueryWithheld
from server.memory import settle_garbage_collector
from server.runtime import Runtime
from server.sql_count import StatementCount, count_statements
from server.units.http import export_routes
from server.uploads import service as uploads
from server.uploads.http import upload_endpoints
from server.web.achievements import achievement_routes
from server.web.activities import activity_routes
from server.web.admin import admin_routes
from server.web.admission import admission_routes
from server.web.evaluation import evaluation_routes
from server.web.execution import Execute
from server.web.expert import expert_routes
from server.web.exports import list_export_routes
from server.web.manage import manage_routes
from server.web.me import staff_routes
from server.web.members import members_routes
from server.web.rendering import render
from server.web.routes import web_routes
from server.web.unread import unread_routes
from server.worker import InProcessWorker

# uvicorn logs each request (`GONGXUE_ACCESS_LOG`): without its query string, which may hold
# a GraphQL document's literals and variables.
logging.getLogger("uvicorn.access").addFilter(QueryWithheld())


def create_app(
    runtime: Runtime,
    graphql: Callable[[Runtime], ASGIApp],
    sdl: str,
    encode_id: Callable[..., str],
    *,
    decode_id: Callable[[str, str], tuple[int, ...]],
    pages: Callable[[Runtime], Execute],
    run_worker: bool = False,
) -> Starlette:
    """`encode_id`, `decode_id`: the GraphQL layer's global ids (`decode_id(id, type name)`).
    `pages`: makes what the web pages run their GraphQL documents with.
    `run_worker`: also run the arq worker in this process (the embedded default)."""
    endpoint = graphql(runtime)
    execute = pages(runtime)
    upload, download = upload_endpoints(runtime, encode_id, decode_id)
    worker = InProcessWorker(runtime) if run_worker else None
    counting = []
    if runtime.settings.count_sql:
        count_statements(runtime.database.engine)
        counting = [Middleware(StatementCount)]

    async def healthz(request: Request) -> Response:
        report = await health.check(runtime, worker)
        return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)

    async def schema_sdl(request: Request) -> Response:
        return PlainTextResponse(sdl, media_type="text/plain; charset=utf-8")

    async def not_found(request: Request, exc: Exception) -> Response:
        """A path nothing serves: the styled page in Chinese, still a 404; other refusals of
        the router (a method not allowed) keep their plain answer."""
        if isinstance(exc, HTTPException) and exc.status_code != 404:
            return PlainTextResponse(exc.detail, exc.status_code, exc.headers)
        return render(request, runtime.settings, "public/not_found.html", status=404)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        settle_garbage_collector()
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await runtime.close()

    # The GraphQL routes take every method, so the endpoint refuses the others itself: a 405
    # in JSON with a code, not the router's plain text.
    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/schema.graphql", schema_sdl, methods=["GET"]),
            Route("/graphql", endpoint),
            WebSocketRoute("/graphql", endpoint),
            Route("/c/{slug}/graphql", endpoint),
            WebSocketRoute("/c/{slug}/graphql", endpoint),
            Route("/uploads", upload, methods=["POST"]),
            Route("/uploads/{id}", download, methods=["GET"]),
            *export_routes(runtime),
            *web_routes(runtime, execute),
            *manage_routes(runtime, execute, encode_id, decode_id),
            *list_export_routes(runtime, execute, encode_id, decode_id),
            *unread_routes(runtime, execute, encode_id, decode_id),
            *admission_routes(runtime, execute, encode_id, decode_id),
            *staff_routes(runtime, execute, encode_id, decode_id),
            *activity_routes(runtime, execute, encode_id, decode_id),
            *expert_routes(runtime, execute, encode_id, decode_id),
            *members_routes(runtime, execute, encode_id, decode_id),
            *achievement_routes(runtime, execute, encode_id, decode_id),
            *admin_routes(runtime, execute, encode_id, decode_id),
            *evaluation_routes(runtime, execute, encode_id, decode_id),
        ],
        exception_handlers={404: not_found},
        middleware=[
            Middleware(FailuresLogged),
            *counting,
            Middleware(
                BodyLimit,
                max_bytes=runtime.settings.max_body_bytes,
                overrides={
                    "/uploads": uploads.MAX_BYTES,
                    # A workspace form may carry a logo and a banner besides its text.
                    r"/c/[^/]+/manage/": 2 * uploads.MAX_BYTES + runtime.settings.max_body_bytes,
                    # An application carries an evidence file for each of the seven conditions.
                    r"/apply/calls/": 7 * uploads.MAX_BYTES + runtime.settings.max_body_bytes,
                },
            ),
        ],
        lifespan=lifespan,
    )
