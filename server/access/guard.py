"""What the person behind one request may do. Services take a `Guard` and call `require`
before they act; GraphQL fields declare the same checks. Decisions come from the casbin
policy (`policies/`), which remembers them until it changes, since `enforce()` costs CPU."""

from dataclasses import dataclass

from policies.enforcer import NATIONAL, PROJECT_GROUP
from policies.permissions import Permission
from server.access.policy import Policy
from server.accounts.service import subject
from server.accounts.tokens import Claims
from server.errors import AccessError, ErrorCode


@dataclass(frozen=True)
class Actor:
    user_id: int
    claims: Claims

    @property
    def subject(self) -> str:
        return subject(self.user_id)


def forbidden() -> AccessError:
    return AccessError(ErrorCode.FORBIDDEN, "没有权限执行此操作", "you are not allowed to do this")


@dataclass
class Guard:
    policy: Policy
    actor: Actor | None

    def allows(self, permission: Permission, community_id: int | None = None) -> bool:
        if self.actor is None:
            return False
        domain = NATIONAL if community_id is None else str(community_id)
        return self.policy.allows(self.actor.subject, domain, permission.object, permission.action)

    def require(self, permission: Permission, community_id: int | None = None) -> Actor:
        """The actor, if allowed; UNAUTHENTICATED when nobody signed in, FORBIDDEN otherwise."""
        actor = self.signed_in()
        if not self.allows(permission, community_id):
            raise forbidden()
        return actor

    def signed_in(self) -> Actor:
        if self.actor is None:
            raise AccessError(ErrorCode.UNAUTHENTICATED, "请先登录", "sign in first")
        return self.actor

    @property
    def is_project_group(self) -> bool:
        return self.actor is not None and self.policy.holds(self.actor.subject, PROJECT_GROUP)

    def communities(self, permission: Permission) -> list[int]:
        """The communities where the actor holds a role that allows this."""
        if self.actor is None:
            return []
        held = {c for _, c in self.policy.roles_of(self.actor.subject) if c is not None}
        return sorted(int(c) for c in held if self.allows(permission, int(c)))
