"""The two error channels: `UserError` in payloads, `extensions.code` on top-level errors."""

from typing import Any

import strawberry
from graphql import GraphQLError

from server.errors import ErrorCode, GongxueError

ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode")

# Codes of top-level errors that do not come from the domain (GraphQL-over-HTTP usage).
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL_SERVER_ERROR"
# Requests that are not GraphQL over HTTP at all (`schema/core/over_http.py`).
BAD_REQUEST = "BAD_REQUEST"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"


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
    # own fault, worth telling. A domain refusal: meant for the client.
    return not isinstance(error.original_error, type(None) | GraphQLError | GongxueError)


def format_error(error: GraphQLError, language: str) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    original = error.original_error
    if isinstance(original, GongxueError):
        formatted["message"] = original.message(language)
        extensions["code"] = original.code.value
    elif "code" not in extensions:
        extensions["code"] = _classify(error)
    formatted["extensions"] = extensions
    return formatted


def is_request_error(error: GraphQLError) -> bool:
    """Parse, validation and variable coercion errors: the request never reached execution.
    (A variable that does not coerce carries the scalar's GraphQLError as its original.)"""
    return error.path is None and isinstance(error.original_error, type(None) | GraphQLError)


def _classify(error: GraphQLError) -> str:
    if error.path is not None:
        return INTERNAL  # masked by then: an execution error the domain did not raise
    if error.message.startswith("Syntax Error"):
        return PARSE_FAILED
    if error.message.startswith("Variable '$"):
        return BAD_USER_INPUT
    return VALIDATION_FAILED
