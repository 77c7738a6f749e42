"""A graphql-transport-ws client for tests: connect, send operations, read messages."""

import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

PROTOCOL = "graphql-transport-ws"


class Socket:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, within: float = 5.0) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.connection.recv(), within))

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def subscribe(self, id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": id, "type": "subscribe", "payload": payload})

    async def result(self, id: str, query: str, variables=None) -> dict[str, Any]:
        """The first message answering a query or mutation sent now."""
        await self.subscribe(id, query, variables)
        return await self.answer(id)

    async def answer(self, id: str, within: float = 5.0) -> dict[str, Any]:
        """The next `next`, `error` or `complete` message of operation `id`."""
        while True:
            message = await self.receive(within)
            if message.get("id") == id:
                return message

    async def closed(self, within: float = 5.0) -> tuple[int, str]:
        """The close code and reason, once the server closes the socket."""
        try:
            while True:
                await asyncio.wait_for(self.connection.recv(), within)
        except ConnectionClosed as closed:
            return closed.rcvd.code, closed.rcvd.reason


@asynccontextmanager
async def socket(url: str, path: str = "/graphql", headers: dict[str, str] | None = None):
    async with connect(
        url + path, subprotocols=[PROTOCOL], additional_headers=headers or {}, max_size=None
    ) as connection:
        yield Socket(connection)
