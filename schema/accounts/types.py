import strawberry
from sqlalchemy import case, func

from schema.communities.types import Community
from schema.core import ids
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.projection import Listed, Related, project
from schema.units.types import Unit
from server.access.queries import grants_statement
from server.access.roles import Role, role_of_grant
from server.accounts import models
from server.accounts.service import subject

strawberry.enum(Role, description="A role in the programme (casbin)")


@strawberry.type(description="A role a user holds: nationally (no community) or in one community.")
class RoleGrant:
    role: Role
    community_id: strawberry.Private[int | None]

    @strawberry.field
    def role_label(self, info: Info) -> str:
        return self.role.label(info.context.language)

    @strawberry.field
    async def community(self, info: Info) -> Community | None:
        if self.community_id is None:
            return None
        row = await info.context.loaders.community.load(self.community_id)
        return Community.of(row) if row else None


@strawberry.type(description="A person who signs in. Seen by themselves and the project group.")
class User(Node):
    id: strawberry.ID
    email: str
    display_name: str
    is_active: bool
    db_id: strawberry.Private[int]
    unit_id: strawberry.Private[int | None]

    @strawberry.field(description="The unit the user works for, if any.")
    async def unit(self, info: Info) -> Unit | None:
        if self.unit_id is None:
            return None
        row = await info.context.loaders.unit.load(self.unit_id)
        return Unit.of(row) if row else None

    @strawberry.field
    def roles(self, info: Info) -> list[RoleGrant]:
        grants = info.context.runtime.policy.roles_of(subject(self.db_id))
        return sorted(
            (
                RoleGrant(role=role_of_grant(role), community_id=int(c) if c else None)
                for role, c in grants
            ),
            key=lambda g: (g.community_id or 0, list(Role).index(g.role)),
        )

    @classmethod
    def of(cls, row: models.User) -> "User":
        return cls(
            id=strawberry.ID(ids.encode("User", row.id)),
            email=row.email,
            display_name=row.display_name,
            is_active=row.is_active,
            db_id=row.id,
            unit_id=row.unit_id,
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


project(
    "RoleGrant",
    None,
    id=None,
    columns=("role",),
    labels={"role_label": ("role", Role)},
    community=Related("Community", key="community_id"),
)
project(
    "User",
    models.User,
    id=("id",),
    columns=("email", "display_name", "is_active"),
    unit=Related("Unit", key="unit_id"),
    # In `roles`' order: by community (national ones first), then as the roles are listed.
    roles=Listed(
        "RoleGrant",
        rows=lambda row: grants_statement(row.c.id),
        order=lambda rows: [
            func.coalesce(rows.c.community_id, 0),
            case({r.value: i for i, r in enumerate(Role)}, value=rows.c.role),
        ],
    ),
)
