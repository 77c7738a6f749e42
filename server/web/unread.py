"""`GET /me/unread`: how many of the session's user's notifications are unread, as JSON, for
the script that keeps the header's count current while a page stays open (`unread.js`).

The API's `notificationAdded` subscription would push the count, but it signs in with a
bearer token, and the browser session's token lives in an HttpOnly cookie that no script may
read (`sessions.py`): handing it to one would undo that. So the page asks this same-origin
endpoint instead; a cross-site page can neither send the cookie with it (SameSite=Lax) nor
read its answer (no CORS)."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from server.runtime import Runtime
from server.web.execution import Execute, PageFailed
from server.web.routes import Pages
from server.web.workspace import DecodeId, EncodeId, Workspace

PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


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
        if me is None:  # a token revoked meanwhile, or an account switched off
            return JSONResponse({"unread": None}, 401, PRIVATE)
        return JSONResponse({"unread": me["unreadNotifications"]}, headers=PRIVATE)


def unread_routes(
    runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
) -> list[BaseRoute]:
    unread = Unread(runtime, execute, encode_id, decode_id)
    guarded = Pages(runtime, execute).guarded
    return [Route("/me/unread", guarded(unread.count), methods=["GET"])]
