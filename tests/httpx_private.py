"""What the tests take from httpx beyond its public API: the app behind a client made with an
`ASGITransport`, whose routes some tests walk. httpx keeps a client's transport private;
`tests/test_httpx_private.py` pins it, so that an upgrade which changes it fails there by
name."""

import httpx
from starlette.applications import Starlette


def app_of(client: httpx.AsyncClient) -> Starlette:
    """The Starlette app a test client sends its requests to, in-process."""
    transport = client._transport
    if not isinstance(transport, httpx.ASGITransport):
        raise TypeError("the client does not send to an app in-process")
    app = transport.app
    if not isinstance(app, Starlette):
        raise TypeError(f"the client's app is a {type(app).__name__}, not a Starlette app")
    return app
