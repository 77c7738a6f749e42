import strawberry
from sqlalchemy import select

from schema.accounts.types import User
from schema.core.context import Info
from server.accounts.models import User as UserRow


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in user, or null when nobody is signed in.")
    async def me(self, info: Info) -> User | None:
        guard = await info.context.guard()
        if guard.actor is None:
            return None
        async with info.context.read() as read:
            row = await read.one_or_none(select(UserRow).where(UserRow.id == guard.actor.user_id))
        if row is None or not row.is_active:
            return None
        return User.of(row)
