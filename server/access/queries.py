"""Statements that read the role grants (casbin's `g` and `g2` rows) as clients name them."""

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Text,
    case,
    cast,
    func,
    literal_column,
    select,
)

from policies.enforcer import EXPERT_ASSIGNED
from server.access.roles import Role
from server.accounts.models import CasbinRule


def grants_statement(user_id: int | ColumnElement[int]) -> Select[str, int]:
    """Each role a user holds, once: `role` as `roles.role_of_grant` names it, `community_id`
    None for a national one. `user_id` a value, or the column of an outer query; the subject
    is `accounts.service.subject`'s."""
    role = case((CasbinRule.v1 == EXPERT_ASSIGNED, Role.EXPERT.value), else_=CasbinRule.v1)
    community = cast(func.nullif(CasbinRule.v2, ""), BigInteger)
    subject = literal_column("'user:'").op("||")(cast(user_id, Text))
    return (
        select(role.label("role"), community.label("community_id"))
        .distinct()
        .where(CasbinRule.ptype.in_(("g", "g2")), CasbinRule.v0 == subject)
    )


def holders_statement(role: Role) -> Select[str]:
    """The casbin subjects (`user:<id>`) holding `role` nationally or in any community, as
    `grants_statement` names roles (an expert's assignment counts as EXPERT)."""
    names = (role.value, EXPERT_ASSIGNED) if role is Role.EXPERT else (role.value,)
    return select(CasbinRule.v0).where(CasbinRule.ptype.in_(("g", "g2")), CasbinRule.v1.in_(names))
