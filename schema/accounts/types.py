from collections.abc import Callable
from typing import ClassVar

import strawberry
from sqlalchemy import ScalarSelect, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from schema.communities.types import Community
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.projection import Listed, computed, label, per_row, projected, related
from schema.units.types import Unit
from server.access.queries import grants_statement
from server.access.roles import Role, role_of_grant
from server.accounts import models
from server.accounts.service import subject
from server.notifications.models import Notification

strawberry.enum(Role, description="A role in the programme (casbin)")


@projected(None, id=None)
@strawberry.type(description="A role a user holds: nationally (no community) or in one community.")
class RoleGrant:
    role: Role
    community_id: strawberry.Private[int | None]

    role_label: str = label("role", Role, description=None)
    community: Community | None = related("Community", "community_id")


def _roles(root: "User", info: Info) -> list[RoleGrant]:
    grants = info.context.runtime.policy.roles_of(subject(root.db_id))
    return sorted(
        (
            RoleGrant(role=role_of_grant(role), community_id=int(c) if c else None)
            for role, c in grants
        ),
        key=lambda g: (g.community_id or 0, list(Role).index(g.role)),
    )


def unread_count(user_id: ColumnElement[int]) -> ScalarSelect[int]:
    """How many of a user's notifications are unread: one indexed count, cheap enough for the
    header of every page a signed-in user sees."""
    return (
        select(func.count())
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


@projected(models.User)
@strawberry.type(description="A person who signs in. Seen by themselves and the project group.")
class User(Node):
    id: strawberry.ID
    email: str
    display_name: str
    is_active: bool
    db_id: strawberry.Private[int]
    unit_id: strawberry.Private[int | None]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.User], "User"]]

    unit: Unit | None = related(
        "Unit", "unit_id", description="The unit the user works for, if any."
    )

    unread_notifications: int = per_row(
        unread_count, description="How many of the user's notifications are still unread."
    )

    roles: list[RoleGrant] = computed(
        # In the policy's order: by community (national ones first), then as roles are listed.
        Listed(
            "RoleGrant",
            rows=lambda row: grants_statement(row.c.id),
            order=lambda rows: [
                func.coalesce(rows.c.community_id, 0),
                case({r.value: i for i, r in enumerate(Role)}, value=rows.c.role),
            ],
        ),
        _roles,
    )


@fetches("User")
async def fetch_user(context: Context, keys: tuple[int, ...]) -> User | None:
    guard = await context.guard()
    actor = guard.signed_in()
    if actor.user_id != keys[0] and not guard.is_project_group:
        return None  # someone else's account: as if it did not exist
    async with context.transaction() as session:
        row = await session.get(models.User, keys[0])
    return User.of(row) if row else None
