"""How many SQL statements a request costs: an `X-SQL-Statements` response header when
`GONGXUE_COUNT_SQL` is on (the benchmark, and the tests that pin each operation's cost)."""

from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_counter: ContextVar[list[int] | None] = ContextVar("sql_statements", default=None)
HEADER = b"x-sql-statements"


def count_statements(engine: AsyncEngine) -> None:
    """Counts every statement the engine sends, into the current request's counter."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def counted(*_: object) -> None:  # the connection, cursor, statement and its parameters
        note_statement()


def note_statement() -> None:
    """Counts a statement sent outside the engine's events (the driver-level reads)."""
    box = _counter.get()
    if box is not None:
        box[0] += 1


class StatementCount:
    """Adds the request's statement count to its response (resolvers run in tasks that copy
    this context, so they share the one counter)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        box = [0]
        token = _counter.set(box)

        async def send_with_count(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((HEADER, str(box[0]).encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_count)
        finally:
            _counter.reset(token)
