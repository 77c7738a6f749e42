"""The two error channels: `UserError` in payloads, `extensions.code` on top-level errors; and
what the logs say of them."""

import dataclasses
import logging
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError, GraphQLFormattedError, OperationDefinitionNode

from server.errors import ErrorCode, GongxueError
from server.logs import traceback_text
from server.outages import ServiceUnavailable, is_outage

log = logging.getLogger(__name__)

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


def refusals() -> Any:  # strawberry types a field's value `Any`, for any annotation
    """A payload's `errors`: none, unless the mutation was refused."""
    return strawberry.field(default_factory=list)


def carries_refusals(payload: type) -> bool:
    """The payload can be made from its `errors` alone; when it needs more (logout's `ok`),
    a refusal is a top-level error instead."""
    fields = {f.name: f for f in dataclasses.fields(payload)}
    required = {
        name
        for name, f in fields.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    return "errors" in fields and required <= {"errors"}


def should_mask(error: GraphQLError) -> bool:
    """Mask what the server did not mean to say; keep what describes the query or a refusal."""
    # No original error, or a GraphQLError one (a variable that does not coerce): the query's
    # own fault, worth telling. A domain refusal: meant for the client. A service gone away:
    # told as SERVICE_UNAVAILABLE (`format_error`), so the client knows to retry.
    original = error.original_error
    if isinstance(original, type(None) | GraphQLError | GongxueError):
        return False
    return not is_outage(original)


def format_error(error: GraphQLError, language: str) -> GraphQLFormattedError:
    formatted = error.formatted.copy()
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


def log_errors(errors: list[GraphQLError], context: object, operation_name: str | None) -> None:
    """Each error in one line (its code, the operation's name, the user's id), never the
    document's text or its variables, which hold what users typed (a password); an
    unexpected one with its traceback too, database errors without the data
    (`server/logs.py`)."""
    user = _user_id(context)
    for error in errors:
        original = error.original_error
        if isinstance(original, GongxueError):
            log.info("refused %s: operation %r, user %s", original.code.value, operation_name, user)
        elif (original is None and error.path is None) or isinstance(original, GraphQLError):
            # The request's own fault (parse, validation, variables): its message may quote them.
            log.info("rejected %s: operation %r, user %s", _classify(error), operation_name, user)
        elif is_outage(original):
            # One line an outage's every request: the traceback says nothing new.
            log.warning(
                "unavailable %s: operation %r, user %s",
                type(original).__name__,
                operation_name,
                user,
            )
        elif original is None:
            log.error(
                "failed: operation %r, user %s, at %s: %s",
                operation_name,
                user,
                _path(error),
                error.message,
            )
        else:
            log.error(
                "failed %s: operation %r, user %s, at %s\n%s",
                type(original).__name__,
                operation_name,
                user,
                _path(error),
                traceback_text(original),
            )


def operation_named(document: DocumentNode, asked: str | None) -> str | None:
    """The name of the operation a request runs: the one it asked for, else its document's."""
    if asked is not None:
        return asked
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) == 1 and operations[0].name is not None:
        return operations[0].name.value
    return None


def _user_id(context: object) -> int | None:
    signed_in = getattr(context, "signed_in_user_id", None)
    return signed_in() if callable(signed_in) else None


def _path(error: GraphQLError) -> str:
    return ".".join(str(p) for p in error.path) if error.path else "-"
