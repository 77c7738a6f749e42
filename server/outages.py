"""A service gone away (PostgreSQL or Redis unreachable, a connection dropped), told apart
from a bug: the first is worth retrying and answers SERVICE_UNAVAILABLE, the second stays
masked as INTERNAL_SERVER_ERROR."""

from asyncpg import PostgresConnectionError
from asyncpg.exceptions import OperatorInterventionError, TooManyConnectionsError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, OperationalError

from server.errors import ErrorCode, GongxueError


class ServiceUnavailable(GongxueError):
    """What a client is told when a request failed on a service gone away."""

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.SERVICE_UNAVAILABLE,
            "服务暂时不可用，请稍后重试",
            "the service is temporarily unavailable, please retry",
        )


def is_outage(error: BaseException | None) -> bool:
    """True when `error`, or what caused it, is a lost or refused connection."""
    seen = 0
    while error is not None and seen < 8:  # a cause chain is short; never loop on a cycle
        if isinstance(error, ServiceUnavailable):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(
            error,
            OperationalError
            | PostgresConnectionError
            | OperatorInterventionError  # shutting down, restarting
            | TooManyConnectionsError
            | RedisConnectionError
            | RedisTimeoutError
            | TimeoutError
            | ConnectionError,
        ):
            return True
        # A socket that could not connect (a unix socket whose server is gone is a missing
        # file to asyncpg); a file the server itself reads names its file and is no outage.
        if isinstance(error, OSError) and error.filename is None:
            return True
        error = error.__cause__ or (error.orig if isinstance(error, DBAPIError) else None)
        seen += 1
    return False
