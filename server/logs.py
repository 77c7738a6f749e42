"""What a log may say about a failure: where it happened, never the data it happened to.

A database error carries the data it failed on: SQLAlchemy prints a statement's parameters
(an email, an argon2 hash), PostgreSQL's DETAIL names the key's value, and asyncpg quotes an
argument it could not encode. Such errors are logged by class, SQLSTATE, constraint and
statement (its placeholders, not its values); any other exception as Python prints it. The
GraphQL endpoint logs its errors so (`schema/core/errors.py`); `FailuresLogged` does for any
other route."""

import logging
import traceback

import asyncpg
from sqlalchemy import exc
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# Where the database's errors come from: SQLAlchemy's own, its asyncpg adapter's, asyncpg's.
DATABASE_MODULES = ("sqlalchemy.", "asyncpg.")


def traceback_text(error: BaseException) -> str:
    """The traceback Python would print, with each database error's message redacted."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and not any(current is seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts = [
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_tb(e.__traceback__))
        + f"{type(e).__module__}.{type(e).__qualname__}: {described(e)}\n"
        for e in reversed(chain)
    ]
    return "\nwhich led to:\n\n".join(parts)


def described(error: BaseException) -> str:
    """The exception's message, or for a database error what names the failure only."""
    if not type(error).__module__.startswith(DATABASE_MODULES):
        return str(error)
    said = []
    postgres = _postgres_error(error)
    if postgres is not None:
        said.append(f"SQLSTATE {postgres.sqlstate}")
        said += [
            f"{name} {value}"
            for name, value in (
                ("table", postgres.table_name),
                ("column", postgres.column_name),
                ("constraint", postgres.constraint_name),
            )
            if value
        ]
    if isinstance(error, exc.StatementError) and error.statement:
        said.append(f"statement: {error.statement}")
    return "; ".join(said) or "(message withheld: it may quote the data)"


def _postgres_error(error: BaseException) -> asyncpg.PostgresError | None:
    seen: BaseException | None = error
    for _ in range(5):  # SQLAlchemy's error, its adapter's, asyncpg's
        if seen is None or isinstance(seen, asyncpg.PostgresError):
            return seen
        seen = getattr(seen, "orig", None) or seen.__cause__
    return None


class FailuresLogged:
    """An exception no route answered: a 500 for the client and, in the log, the traceback
    as `traceback_text` writes it. Left to the server, uvicorn would log the exception's own
    message, a database error's data included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            log.error("%s %r failed\n%s", scope["method"], scope["path"], traceback_text(error))
            if not started:
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)


class DataWithheld(logging.Filter):
    """For a library's logger that logs exceptions as Python prints them (arq's worker logs
    a failed job's exception with its message): the record's exception arguments and
    traceback are written as `described` and `traceback_text` write them."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(record.args, tuple) and any(
            isinstance(a, BaseException) for a in record.args
        ):
            record.args = tuple(
                described(a) if isinstance(a, BaseException) else a for a in record.args
            )
        if error is not None:
            record.msg = f"{record.getMessage()}\n{traceback_text(error)}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


class QueryWithheld(logging.Filter):
    """uvicorn's access log writes each request's path with its query string: a GraphQL GET
    carries the document and its variables there. The line keeps the path only."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, asked, _ = args[2].partition("?")
            record.args = (*args[:2], path + ("?…" if asked else ""), *args[3:])
        return True
