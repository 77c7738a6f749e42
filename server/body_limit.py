"""Refuses request bodies over the limit (413) before anything parses them, whether the
client declares the length or streams it; and websocket messages over the same limit, by
closing the socket with 1009 (message too big)."""

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(
        self, app: ASGIApp, max_bytes: int, overrides: dict[str, int] | None = None
    ) -> None:
        """`overrides`: a larger (or smaller) cap for paths whose start matches a regular
        expression (a plain prefix such as `/uploads` is one)."""
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = [(re.compile(start), cap) for start, cap in (overrides or {}).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except TooLarge:
            if not started:
                await self._refuse(send, limit)

    def _limit(self, scope: Scope) -> int:
        return next(
            (cap for start, cap in self.overrides if start.match(scope["path"])),
            self.max_bytes,
        )

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app sees a message over the limit as the client going away, after the socket
        is closed with 1009: nothing parses it."""
        limit = self._limit(scope)

        async def limited_receive() -> Message:
            message = await receive()
            if message["type"] == "websocket.receive":
                text = message.get("text")
                size = (
                    len(message.get("bytes") or b"") if text is None else _utf8_length(text, limit)
                )
                if size > limit:
                    reason = "PAYLOAD_TOO_LARGE"
                    await send({"type": "websocket.close", "code": 1009, "reason": reason})
                    return {"type": "websocket.disconnect", "code": 1009, "reason": reason}
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": f"请求体超过 {limit} 字节上限",
                        "extensions": {"code": "PAYLOAD_TOO_LARGE", "maxBytes": limit},
                    }
                ]
            },
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _utf8_length(text: str, limit: int) -> int:
    """Its length in UTF-8, without encoding a text that is over the limit in characters."""
    return len(text) if len(text) > limit else len(text.encode())
