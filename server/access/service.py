"""Granting and revoking roles, assigning experts: each a row in `casbin_rule`, an audit entry,
and a `PolicyChange` the caller publishes once the transaction has committed."""

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.enforcer import EXPERT, EXPERT_ASSIGNED, PROJECT_GROUP
from policies.permissions import Permission
from server.access.guard import Guard
from server.access.policy import PolicyChange
from server.access.roles import Role
from server.accounts.models import CasbinRule, User
from server.accounts.service import create_user, deactivate, get_user, subject
from server.audit.service import record
from server.db import rows_changed
from server.errors import ErrorCode, UserFacingError
from server.units.service import get_unit


def _rule(user_id: int, role: str, community_id: int | None) -> tuple[str, ...]:
    if community_id is None:
        return ("g2", subject(user_id), role)
    return ("g", subject(user_id), role, str(community_id))


def _matches(rule: tuple[str, ...]) -> list[ColumnElement[bool]]:
    ptype, *values = rule
    conditions = [CasbinRule.ptype == ptype]
    for column, value in zip((CasbinRule.v0, CasbinRule.v1, CasbinRule.v2), values, strict=False):
        conditions.append(column == value)
    return conditions


def _check_scope(role: Role, community_id: int | None) -> None:
    if role.is_national and community_id is not None:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"{role.zh}是全国性角色，不属于某个共同体",
            f"{role.en} is a national role: give no community",
            "communitySlug",
        )
    if not role.is_national and community_id is None:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"{role.zh}角色须指定共同体",
            f"the {role.en} role is held in a community: give its slug",
            "communitySlug",
        )


async def _active_user(session: AsyncSession, user_id: int) -> User:
    user = await get_user(session, user_id)
    if not user.is_active:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION, "该用户已停用", "the user is deactivated", "userId"
        )
    return user


async def _add(
    session: AsyncSession, guard: Guard, rule: tuple[str, ...], community_id: int | None
) -> PolicyChange:
    if await session.scalar(select(CasbinRule.id).where(*_matches(rule))) is not None:
        raise UserFacingError(ErrorCode.DUPLICATE, "该角色已授予", "the role is already held")
    ptype, *values = rule
    session.add(CasbinRule(ptype=ptype, **{f"v{i}": v for i, v in enumerate(values)}))
    await record(
        session,
        actor_user_id=guard.signed_in().user_id,
        action="role.grant",
        target_type="User",
        target_id=values[0].removeprefix("user:"),
        community_id=community_id,
        after={"role": values[1], "community": community_id},
    )
    return PolicyChange("add", rule)


async def grant_role(
    session: AsyncSession, guard: Guard, user_id: int, role: Role, community_id: int | None
) -> PolicyChange:
    guard.require(Permission.ROLE_GRANT, community_id)
    _check_scope(role, community_id)
    await _active_user(session, user_id)
    return await _add(session, guard, _rule(user_id, role.value, community_id), community_id)


async def assign_expert(
    session: AsyncSession, guard: Guard, user_id: int, community_id: int
) -> PolicyChange:
    guard.require(Permission.EXPERT_ASSIGN, community_id)
    await _active_user(session, user_id)
    if not guard.policy.holds(subject(user_id), EXPERT):
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            "只能指派具有专家角色的用户",
            "only a user holding the EXPERT role can be assigned",
            "userId",
        )
    return await _add(session, guard, _rule(user_id, EXPERT_ASSIGNED, community_id), community_id)


async def revoke_role(
    session: AsyncSession, guard: Guard, user_id: int, role: Role, community_id: int | None
) -> list[PolicyChange]:
    """Revoking EXPERT nationally also ends the expert's assignments."""
    guard.require(Permission.ROLE_REVOKE, community_id)
    _check_scope(role, community_id)
    await get_user(session, user_id)
    rule = _rule(user_id, role.value, community_id)
    if role is Role.PROJECT_GROUP:
        await refuse_removing_last_project_group(session, user_id)
    removed = await session.execute(delete(CasbinRule).where(*_matches(rule)))
    if rows_changed(removed) == 0:
        raise UserFacingError(ErrorCode.NOT_FOUND, "该用户没有此角色", "the user does not hold it")
    changes = [PolicyChange("remove", rule)]
    if role is Role.EXPERT:
        assignments = (
            await session.execute(
                delete(CasbinRule)
                .where(*_matches(("g", subject(user_id), EXPERT_ASSIGNED)))
                .returning(CasbinRule.v2)
            )
        ).scalars()
        changes += [
            PolicyChange("remove", ("g", subject(user_id), EXPERT_ASSIGNED, c)) for c in assignments
        ]
    await record(
        session,
        actor_user_id=guard.signed_in().user_id,
        action="role.revoke",
        target_type="User",
        target_id=user_id,
        community_id=community_id,
        before={"role": role.value, "community": community_id},
    )
    return changes


async def refuse_removing_last_project_group(session: AsyncSession, user_id: int) -> None:
    """The programme always keeps one active project-group account (someone must run it).

    Locks the project group's grant rows, so two concurrent removals cannot both pass.
    """
    holders = (
        (
            await session.execute(
                select(CasbinRule.v0)
                .join(User, func.concat("user:", User.id) == CasbinRule.v0)
                .where(CasbinRule.ptype == "g2", CasbinRule.v1 == PROJECT_GROUP, User.is_active)
                .with_for_update(of=CasbinRule)
            )
        )
        .scalars()
        .all()
    )
    if holders == [subject(user_id)]:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            "不能移除最后一个项目组账号",
            "the last project-group account cannot be removed",
            "userId",
        )


async def create_account(
    session: AsyncSession,
    guard: Guard,
    email: str,
    password: str,
    display_name: str,
    unit_id: int | None,
) -> User:
    """The project group opens an account for someone (a leader, an expert, staff)."""
    actor = guard.require(Permission.USER_CREATE)
    if unit_id is not None:
        await get_unit(session, unit_id)  # else the foreign key fails the insert, unexplained
    user = await create_user(session, email, password, display_name, unit_id)
    await record(
        session,
        actor_user_id=actor.user_id,
        action="user.create",
        target_type="User",
        target_id=user.id,
        after={"email": user.email, "displayName": user.display_name, "unit": unit_id},
    )
    return user


async def deactivate_account(session: AsyncSession, guard: Guard, user_id: int) -> User:
    """Ends an account; the caller then ends its tokens (`Revocations.revoke_all_of`)."""
    actor = guard.require(Permission.USER_DEACTIVATE)
    user = await get_user(session, user_id)
    if user.id == actor.user_id:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION, "不能停用自己的账号", "you cannot deactivate yourself"
        )
    await refuse_removing_last_project_group(session, user_id)
    await deactivate(session, user)
    await record(
        session,
        actor_user_id=actor.user_id,
        action="user.deactivate",
        target_type="User",
        target_id=user.id,
        before={"isActive": True},
        after={"isActive": False},
    )
    return user
