"""The composition root: the server's app with this schema's GraphQL endpoint.

`uvicorn --factory schema.asgi:serve_app` is how `gongxue serve` (and production) runs it.
"""

from starlette.applications import Starlette

from schema.api import sdl
from schema.core import ids
from schema.view import GraphQLView
from schema.web import PageExecution
from server.app import create_app
from server.runtime import Runtime, locate_services, open_runtime
from server.settings import get_settings


def build(runtime: Runtime, *, run_worker: bool = False) -> Starlette:
    return create_app(
        runtime,
        GraphQLView,
        sdl(),
        ids.encode,
        decode_id=ids.decode_as,
        pages=PageExecution,
        run_worker=run_worker,
    )


def serve_app() -> Starlette:
    settings = get_settings()
    services = locate_services(settings)
    run_worker = settings.serve_worker and services.redis_embedded
    return build(open_runtime(settings, services), run_worker=run_worker)
