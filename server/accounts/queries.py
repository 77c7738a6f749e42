"""Who reads the list of accounts, and the statement that lists them."""

from sqlalchemy import Select, Text, cast, func, literal_column, or_, select

from policies.permissions import Permission
from server.access.guard import Guard
from server.access.queries import holders_statement
from server.access.roles import Role
from server.accounts.models import User


def users_statement(guard: Guard, search: str | None, role: Role | None) -> Select[User]:
    """Every account, deactivated ones too, for the project group alone (the ones who create
    and deactivate accounts): FORBIDDEN to anyone else. `search` is a plain substring of the
    email or the display name, any case (a few thousand accounts: no index needed);
    `role` keeps the accounts that hold it somewhere."""
    guard.require(Permission.USER_CREATE)
    statement = select(User)
    words = (search or "").strip()
    if words:
        # `strpos`, not LIKE: a `%` or `_` the user types is a character like any other.
        needle = func.lower(words)
        statement = statement.where(
            or_(
                func.strpos(func.lower(User.email), needle) > 0,
                func.strpos(func.lower(User.display_name), needle) > 0,
            )
        )
    if role is not None:
        subject = literal_column("'user:'").op("||")(cast(User.id, Text))
        statement = statement.where(subject.in_(holders_statement(role)))
    return statement
