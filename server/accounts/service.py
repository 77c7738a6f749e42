"""Accounts: registering, signing in, creating and deactivating users."""

import datetime as dt
import re

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import rate_limit
from server.accounts.models import CasbinRule, User
from server.errors import ErrorCode, UserFacingError, not_found
from server.passwords import MIN_LENGTH, hash_password, verify_password

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PROJECT_GROUP = "PROJECT_GROUP"
# Verified against when the email is unknown, so a miss costs what a wrong password costs.
_NOBODY = hash_password("no account has this password")


def subject(user_id: int) -> str:
    """The casbin subject of a user."""
    return f"user:{user_id}"


async def create_user(
    session: AsyncSession,
    email: str,
    password: str,
    display_name: str,
    unit_id: int | None = None,
) -> User:
    email = email.strip()
    if not EMAIL.match(email):
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "邮箱格式不正确", "the email address is malformed", "email"
        )
    if len(password) < MIN_LENGTH:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"密码至少需要 {MIN_LENGTH} 个字符",
            f"the password needs at least {MIN_LENGTH} characters",
            "password",
        )
    if not display_name.strip():
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "请填写姓名", "a display name is required", "displayName"
        )
    if await find_user_by_email(session, email) is not None:
        raise UserFacingError(
            ErrorCode.DUPLICATE, "该邮箱已注册", "this email is already registered", "email"
        )
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        unit_id=unit_id,
        is_active=True,
    )
    session.add(user)
    await session.flush()
    return user


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


async def grant_project_group(session: AsyncSession, user: User) -> None:
    exists = await session.scalar(
        select(CasbinRule.id).where(
            CasbinRule.ptype == "g2",
            CasbinRule.v0 == subject(user.id),
            CasbinRule.v1 == PROJECT_GROUP,
        )
    )
    if exists is None:
        session.add(CasbinRule(ptype="g2", v0=subject(user.id), v1=PROJECT_GROUP))
        await session.flush()


def invalid_credentials() -> UserFacingError:
    # One message for "no such email", "wrong password" and "deactivated": never say which.
    return UserFacingError(
        ErrorCode.INVALID_CREDENTIALS, "邮箱或密码不正确", "wrong email or password"
    )


async def authenticate(
    session: AsyncSession, redis: Redis, email: str, password: str, client: str
) -> User:
    """The active user with this email and password; refused after too many failures."""
    keys = rate_limit.failure_keys(email, client)
    await rate_limit.refuse_if_limited(redis, keys)
    user = await find_user_by_email(session, email)
    valid = verify_password(user.password_hash if user else _NOBODY, password)
    if user is None or not valid or not user.is_active:
        await rate_limit.record_failure(redis, keys)
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
