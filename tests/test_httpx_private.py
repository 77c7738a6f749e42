"""What the tests rely on in httpx's private API (`tests/httpx_private.py`)."""

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from tests.httpx_private import app_of


async def test_a_client_on_an_asgi_transport_gives_back_its_app():
    app = Starlette(routes=[Route("/healthz", lambda request: None)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        assert app_of(client) is app
