from typing import Any

import strawberry
from sqlalchemy import bindparam, select

from schema.accounts.types import User
from schema.core.compiled import Unplanned
from schema.core.context import Info
from schema.core.projection import Root, root
from server.accounts.models import User as UserRow
from server.reads import Fixed

USER = Fixed(select(UserRow).where(UserRow.id == bindparam("id")))


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in user, or null when nobody is signed in.")
    async def me(self, info: Info) -> User | None:
        guard = await info.context.guard()
        if guard.actor is None:
            return None
        async with info.context.read() as read:
            row = await read.one_or_none(USER, id=guard.actor.user_id)
        if row is None or not row.is_active:
            return None
        return User.of(row)


async def _signed_in(run: Any, arguments: dict[str, Any]) -> int:
    """As `me` finds its user: the token's; nobody signed in is `me: null`, the usual way's."""
    guard = await run.context.guard()
    if guard.actor is None:
        raise Unplanned
    return guard.actor.user_id


root("me", Root("User", find=_signed_in, only=lambda user: user.c.is_active))
