"""Running a mutation: one transaction; a refusal becomes the payload's `errors` with nothing
changed; not signed in / not allowed stays a top-level error."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from schema.core.context import Context
from schema.core.errors import UserError
from server.errors import AccessError, ErrorCode, GongxueError

T = TypeVar("T")
TOP_LEVEL = {ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN}


async def attempt(
    context: Context, work: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """`(result, [])`, or `(None, [the refusal])` after `work`'s transaction rolled back."""
    try:
        return await work(), []
    except GongxueError as error:
        if isinstance(error, AccessError) and error.code in TOP_LEVEL:
            raise
        return None, [UserError.of(error, context.language)]
