"""How a mutation is written: it declares what it may check and what it answers, and its body
does the work (docs/architecture.md, "Writing a mutation").

    @mutation(Permission.MEMBERSHIP_MANAGE, description="...")
    async def add_member(self, attempt: Attempt, input: AddMemberInput) -> AddMemberPayload:
        community = await attempt.context.access_community(input.community_slug)
        async with attempt.transaction(community.id) as session:
            ...

Not signed in, or not allowed, stays a top-level error; any other refusal the body raises
becomes the payload's `errors`, after its one transaction rolled back, so nothing changed."""

import inspect
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from schema.core.context import Context, Info
from schema.core.errors import UserError, carries_refusals
from server.access.guard import Actor, Guard
from server.errors import AccessError, ErrorCode, GongxueError

TOP_LEVEL = {ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN}


class Undeclared(Exception):
    """A mutation checked a permission it does not declare: its declaration is wrong."""


@dataclass
class DeclaredGuard(Guard):
    """The guard a mutation's body gets: it answers only for the permissions the mutation
    declares, so the declaration cannot drift from what the services check."""

    declared: frozenset[Permission] = field(default_factory=frozenset)

    def allows(self, permission: Permission, community_id: int | None = None) -> bool:
        if permission not in self.declared:
            raise Undeclared(f"{permission.name} is checked but not declared by this mutation")
        return super().allows(permission, community_id)


class Attempt:
    """One run of a mutation's body: who is asking, and its one transaction."""

    def __init__(self, context: Context, guard: DeclaredGuard) -> None:
        self.context = context
        self.guard = guard
        self._opened = False

    @property
    def actor(self) -> Actor:
        return self.guard.signed_in()

    def transaction(
        self, community_id: int | None = None, *, all_communities: bool = False
    ) -> AbstractAsyncContextManager[AsyncSession]:
        """The mutation's transaction: a second would commit half of it before a refusal."""
        if self._opened:
            raise RuntimeError("a mutation runs in one transaction")
        self._opened = True
        return self.context.transaction(community_id, all_communities=all_communities)


Body = Callable[..., Awaitable[object]]


def mutation(
    *permissions: Permission, signed_in: bool = False, description: str
) -> Callable[[Body], Any]:
    """A mutation field of `body(self, attempt, input...) -> Payload`. `permissions`: every
    permission the body may check; declaring one, or `signed_in`, refuses an anonymous request
    before the body reads its input. A refusal answers `Payload(errors=[...])`, or is a
    top-level error when the payload needs more than its errors."""
    declared = frozenset(permissions)

    def declare(body: Body) -> Any:  # strawberry types a field's value `Any`
        itself, attempted, *arguments = inspect.signature(body).parameters.values()
        hints = {k: v for k, v in body.__annotations__.items() if k != attempted.name}
        payload = hints.pop("return")
        carried = carries_refusals(payload)

        async def resolve(self: object, info: Info, **inputs: object) -> object:
            guard = await info.context.guard()
            if declared or signed_in:
                guard.signed_in()
            attempt = Attempt(info.context, DeclaredGuard(guard.policy, guard.actor, declared))
            try:
                return await body(self, attempt, **inputs)
            except GongxueError as error:
                if not carried or (isinstance(error, AccessError) and error.code in TOP_LEVEL):
                    raise
                return payload(errors=[UserError.of(error, info.context.language)])

        # What strawberry reads: the body's arguments and payload, with `info` for `attempt`.
        info = inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info)
        # inspect.signature reads __signature__, which functions do not declare.
        resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [itself, info, *arguments], return_annotation=payload
        )
        resolve.__annotations__ = {"info": Info, **hints, "return": payload}
        resolve.__name__ = body.__name__
        resolve.__qualname__ = body.__qualname__
        resolve.__module__ = body.__module__
        return strawberry.mutation(resolve, description=description)

    return declare
