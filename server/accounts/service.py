"""Accounts: registering, signing in, creating and deactivating users."""

import asyncio
import datetime as dt
import re
from collections.abc import Callable

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.access.policy import PolicyChange
from server.accounts import rate_limit
from server.accounts.models import EMAIL_LENGTH, NAME_LENGTH, CasbinRule, User
from server.errors import ErrorCode, UserFacingError, not_found
from server.passwords import hash_password, refuse_weak_password, verify_password

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PROJECT_GROUP = "PROJECT_GROUP"
# Verified against when the email is unknown, so a miss costs what a wrong password costs.
_NOBODY = hash_password("no account has this password")


def subject(user_id: int) -> str:
    """The casbin subject of a user."""
    return f"user:{user_id}"


def _checked(email: str, password: str, display_name: str) -> tuple[str, str]:
    """The email and display name, trimmed; INVALID_INPUT on the first bad field."""
    email, display_name = email.strip(), display_name.strip()
    if not EMAIL.match(email) or len(email) > EMAIL_LENGTH:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "邮箱格式不正确", "the email address is malformed", "email"
        )
    refuse_weak_password(password, email, display_name)
    if not display_name:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "请填写姓名", "a display name is required", "displayName"
        )
    if len(display_name) > NAME_LENGTH:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"姓名不能超过 {NAME_LENGTH} 个字符",
            f"a display name has at most {NAME_LENGTH} characters",
            "displayName",
        )
    return email, display_name


async def _insert(
    session: AsyncSession, email: str, password: str, display_name: str, unit_id: int | None
) -> User | None:
    """The new user; None when the email has one, even one another transaction is adding
    now (the unique index decides, not a look beforehand)."""
    password_hash = await asyncio.to_thread(hash_password, password)  # argon2: CPU-bound
    return await session.scalar(
        insert(User)
        .values(
            email=email,
            password_hash=password_hash,
            display_name=display_name,
            unit_id=unit_id,
            is_active=True,
        )
        .on_conflict_do_nothing()
        .returning(User)
    )


async def create_user(
    session: AsyncSession,
    email: str,
    password: str,
    display_name: str,
    unit_id: int | None = None,
) -> User:
    """An account someone responsible opens (the project group, `create-admin`): being told
    the email is taken is theirs to know."""
    email, display_name = _checked(email, password, display_name)
    user = await _insert(session, email, password, display_name, unit_id)
    if user is None:
        raise UserFacingError(
            ErrorCode.DUPLICATE, "该邮箱已注册", "this email is already registered", "email"
        )
    return user


async def register(
    session: AsyncSession,
    redis: Redis,
    email: str,
    password: str,
    display_name: str,
    client: str,
    clock: Callable[[], float],
) -> User | None:
    """An applicant's own account; None when the email already has one. The caller answers
    both alike, and both cost a password hash, so nobody learns which emails are registered;
    the existing account is left as it was. Limited per client."""
    await rate_limit.count_registration(redis, client, clock())
    email, display_name = _checked(email, password, display_name)
    return await _insert(session, email, password, display_name, None)


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


async def grant_project_group(session: AsyncSession, user: User) -> PolicyChange | None:
    """The change to publish once the transaction commits; None if the user holds it."""
    rule = ("g2", subject(user.id), PROJECT_GROUP)
    exists = await session.scalar(
        select(CasbinRule.id).where(
            CasbinRule.ptype == rule[0], CasbinRule.v0 == rule[1], CasbinRule.v1 == rule[2]
        )
    )
    if exists is not None:
        return None
    session.add(CasbinRule(ptype=rule[0], v0=rule[1], v1=rule[2]))
    await session.flush()
    return PolicyChange("add", rule)


def invalid_credentials() -> UserFacingError:
    # One message for "no such email", "wrong password" and "deactivated": never say which.
    return UserFacingError(
        ErrorCode.INVALID_CREDENTIALS, "邮箱或密码不正确", "wrong email or password"
    )


async def authenticate(
    session: AsyncSession,
    redis: Redis,
    email: str,
    password: str,
    client: str,
    clock: Callable[[], float],
) -> User:
    """The active user with this email and password; refused after too many failures."""
    await rate_limit.refuse_sign_in_if_limited(redis, email, client, clock())
    user = await find_user_by_email(session, email)
    # argon2 is slow on purpose and frees the GIL: in a thread, a burst of sign-ins leaves the
    # event loop, and every other request, free.
    valid = await asyncio.to_thread(
        verify_password, user.password_hash if user else _NOBODY, password
    )
    if user is None or not valid or not user.is_active:
        await rate_limit.record_sign_in_failure(redis, email, client, clock())
        raise invalid_credentials()
    return user


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise not_found("用户", "user")
    return user


async def deactivate(session: AsyncSession, user: User) -> None:
    if not user.is_active:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION, "该用户已停用", "the user is already deactivated"
        )
    user.is_active = False
    user.deactivated_at = dt.datetime.now(dt.UTC)
    await session.flush()


async def works_for(session: AsyncSession, user_id: int, unit_id: int | None) -> bool:
    """Whether the user is on the staff of this unit (may speak for it in writing)."""
    if unit_id is None:
        return False
    return await session.scalar(select(User.unit_id).where(User.id == user_id)) == unit_id
