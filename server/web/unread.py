"""The header's count of unread notifications, kept current while a page stays open
(`static/unread.js`): `GET /me/unread` answers how many of the session's user's notifications
are unread, as JSON; the websocket `/me/unread/live` says "moved" each time the user gets one
(and at least every `LIVE_SECONDS`), and the script then asks `GET /me/unread` again.

The API's `notificationAdded` subscription signs in with a bearer token, and the browser
session's token lives in an HttpOnly cookie that no script may read (`sessions.py`): handing
it to one would undo that, and the API never reads the cookie. So the page talks to these
same-origin routes, which read the cookie as every page does. A page of another site cannot
use them: the cookie is SameSite=Lax (not sent with its requests or its websockets), the JSON
is not readable across origins (no CORS), and the websocket refuses an `Origin` other than
this site. Neither says anything but a number, and "moved"."""

import asyncio
import contextlib
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from server.notifications.service import inbox_topic
from server.runtime import Runtime
from server.web.execution import Execute, PageFailed
from server.web.routes import Pages
from server.web.workspace import DecodeId, EncodeId, Workspace

PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
# A move is told at once; this bounds how late a lost message (or Redis away) makes the count,
# and how long a socket outlives its sign-in (checked at each tell).
LIVE_SECONDS = 60.0
# As the API's sockets close: 4000 + the status HTTP would answer.
UNAUTHENTICATED, FORBIDDEN = 4401, 4403


class Unread(Workspace):
    def home(self, request: Request) -> str:
        return "/me/notifications/"

    async def count(self, request: Request) -> Response:
        if self.actor(request) is None:
            return JSONResponse({"unread": None}, 401, PRIVATE)
        answer = await self.run("header/unread", request, {})
        if answer.data is None or answer.errors:
            raise PageFailed(answer)
        me = answer.data["me"]
        if me is None:  # an account switched off meanwhile
            return JSONResponse({"unread": None}, 401, PRIVATE)
        return JSONResponse({"unread": me["unreadNotifications"]}, headers=PRIVATE)

    async def live(self, websocket: WebSocket) -> None:
        origin = websocket.headers.get("origin")
        if not origin or urlsplit(origin).netloc != websocket.url.netloc:
            await websocket.close(FORBIDDEN)  # another site's page, or no browser at all
            return
        actor = self.actor(websocket)
        if actor is None:
            await websocket.close(UNAUTHENTICATED)
            return
        await websocket.accept()
        telling = asyncio.create_task(self._tell(websocket, actor.user_id))
        try:
            while True:
                await websocket.receive_text()  # nothing is asked: this notices the close
        except WebSocketDisconnect:
            pass
        finally:
            telling.cancel()
            # A tell that found the browser gone (it left between two tells) is no failure.
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, OSError):
                await telling

    async def _tell(self, websocket: WebSocket, user_id: int) -> None:
        moved = self.runtime.topics.moves(inbox_topic(user_id), LIVE_SECONDS)
        async with contextlib.aclosing(moved):
            first = True
            async for _ in moved:
                # The handshake's cookie, read again: logged out, cut off or expired since?
                if self.actor(websocket) is None:
                    await websocket.close(UNAUTHENTICATED)
                    return
                if not first:  # the first is at once: the page was just rendered
                    await websocket.send_text("moved")
                first = False


def unread_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    unread = Unread(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    return [
        Route("/me/unread", guarded(unread.count), methods=["GET"]),
        WebSocketRoute("/me/unread/live", unread.live),
    ]
