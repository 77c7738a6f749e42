"""The two error channels: `UserError` in payloads, `extensions.code` on top-level errors."""

from typing import Any

import strawberry
from graphql import GraphQLError

from server.errors import ErrorCode, GongxueError
from server.outages import ServiceUnavailable, is_outage

ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode")

# Codes of top-level errors that do not come from the domain (GraphQL-over-HTTP usage).
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL_SERVER_ERROR"


@strawberry.type(description="A refusal: what was wrong, in the request's language.")
class UserError:
    code: ErrorCode
    message: str
    field: str | None = None

    @classmethod
    def of(cls, error: GongxueError, language: str) -> "UserError":
        return cls(code=error.code, message=error.message(language), field=error.field)


def should_mask(error: GraphQLError) -> bool:
    """Mask what the server did not mean to say; keep what describes the query or a refusal."""
    # No original error, or a GraphQLError one (a variable that does not coerce): the query's
    # own fault, worth telling. A domain refusal: meant for the client. A service gone away:
    # told as SERVICE_UNAVAILABLE (`format_error`), so the client knows to retry.
    original = error.original_error
    if isinstance(original, type(None) | GraphQLError | GongxueError):
        return False
    return not is_outage(original)


def format_error(error: GraphQLError, language: str) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    original = error.original_error
    if original is not None and not isinstance(original, GongxueError) and is_outage(original):
        original = ServiceUnavailable()
    if isinstance(original, GongxueError):
        formatted["message"] = original.message(language)
        extensions["code"] = original.code.value
    elif "code" not in extensions:
        extensions["code"] = _classify(error)
    formatted["extensions"] = extensions
    return formatted


def is_outage_error(error: GraphQLError) -> bool:
    """The request failed because PostgreSQL or Redis is unreachable."""
    return error.original_error is not None and is_outage(error.original_error)


def is_request_error(error: GraphQLError) -> bool:
    """Parse and validation errors: the request never reached execution."""
    return error.path is None and error.original_error is None


def _classify(error: GraphQLError) -> str:
    if error.path is not None:
        return INTERNAL  # masked by then: an execution error the domain did not raise
    if error.message.startswith("Syntax Error"):
        return PARSE_FAILED
    if error.message.startswith("Variable '$"):
        return BAD_USER_INPUT
    return VALIDATION_FAILED
