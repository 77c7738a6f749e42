"""Checks declared on fields: `extensions=requires(Permission.AUDITLOG_READ, in_community=...)`.
The check is the guard's (`server/access/guard.py`), the one the services call too."""

from collections.abc import Callable
from typing import Any

from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from policies.permissions import Permission

# The field's object (`Any`: each declaration's lambda reads it by its attributes).
CommunityOf = Callable[[Any], int | None]


class Requires(BasePermission):
    def __init__(self, permission: Permission, in_community: CommunityOf | None) -> None:
        self.permission = permission
        self.in_community = in_community

    async def has_permission(self, source: object, info: Info, **kwargs: object) -> bool:
        guard = await info.context.guard()
        community_id = self.in_community(source) if self.in_community else None
        guard.require(self.permission, community_id)  # raises UNAUTHENTICATED / FORBIDDEN
        return True


def requires(
    permission: Permission, *, in_community: CommunityOf | None = None
) -> list[PermissionExtension]:
    """`in_community(source)`: the community a nested field's object belongs to."""
    return [
        PermissionExtension(permissions=[Requires(permission, in_community)], fail_silently=False)
    ]
