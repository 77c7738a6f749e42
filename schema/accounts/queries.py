from typing import TYPE_CHECKING, Any

import strawberry

from schema.accounts.types import User
from schema.core.context import Context, Info
from schema.core.pagination import Connection, paginate
from schema.core.projection import Root, found, roots
from server.access.roles import Role
from server.accounts.models import User as UserRow
from server.accounts.queries import users_statement

if TYPE_CHECKING:
    from schema.core.compiled import Run


async def signed_in(context: Context) -> int | None:
    """The user `me` is: the token's, None when nobody is signed in."""
    guard = await context.guard()
    return None if guard.actor is None else guard.actor.user_id


# `arguments`: the field's, as graphql-core coerced them from the request (`Any`).
async def _signed_in(run: "Run", arguments: dict[str, Any]) -> int | None:
    return await signed_in(run.context)


@roots
@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in user, or null when nobody is signed in.")
    @found(Root("User", find=_signed_in, only=lambda user: user.c.is_active, absent_is_null=True))
    async def me(self, info: Info) -> User | None:
        user_id = await signed_in(info.context)
        if user_id is None:
            return None
        row = await info.context.loaders.of(info.context.loaders.rows_of(UserRow)).load(user_id)
        if row is None or not row.is_active:
            return None
        return User.of(row)

    @strawberry.field(
        description="The project group's list of accounts, in the order they were made "
        "(`newestFirst`: the latest first), "
        "deactivated ones too, each with its roles: `search` finds a piece of the email or "
        "the display name (any case), `role` keeps who holds that role nationally or in a "
        "community (the roles of Art. 14 and 17). FORBIDDEN to anyone else."
    )
    async def users(
        self,
        info: Info,
        search: str | None = None,
        role: Role | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[User]:
        guard = await info.context.guard()
        statement = users_statement(guard, search, role)
        return await paginate(
            info.context, statement, UserRow.id, first, after, User.of, newest_first=newest_first
        )
