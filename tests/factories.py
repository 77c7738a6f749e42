"""Seed data for tests, written through the real models."""

import datetime as dt
import itertools

from server.accounts import tokens
from server.accounts.models import CasbinRule, User
from server.accounts.service import subject
from server.communities.models import Community, Membership
from server.communities.rules import cycle_end_for
from server.passwords import hash_password
from server.runtime import Runtime
from server.units.models import Unit
from server.vocabulary import (
    CommunityStatus,
    Level,
    MembershipRole,
    MembershipStatus,
    Region,
    SiteStatus,
    Theme,
)

_codes = itertools.count(1)


def division_code(province: str = "33", level: Level = Level.COUNTY) -> str:
    """A well-formed, unique GB/T 2260 style code in `province`."""
    n = next(_codes)
    if level is Level.TOWNSHIP:
        return f"{province}{n % 100:02d}{n // 100 % 100 + 1:02d}{n % 1000:03d}"
    return f"{province}{n // 100 % 100 + 1:02d}{n % 100 + 1:02d}"


async def make_units(
    runtime: Runtime, count: int, *, level: Level = Level.COUNTY, province: str = "33"
) -> list[Unit]:
    async with runtime.database.transaction() as session:
        units = [
            Unit(
                name=f"测试单位{next(_codes)}社区学院",
                level=level,
                province=province,
                division_code=division_code(province, level),
                site_status=SiteStatus.ACTIVE,
                responsible_person="张老师",
            )
            for _ in range(count)
        ]
        session.add_all(units)
    return units


async def make_community(
    runtime: Runtime,
    slug: str,
    *,
    size: int = 3,
    region: Region = Region.YANGTZE_RIVER_DELTA,
    level: Level = Level.COUNTY,
    province: str = "33",
    cycle_start: dt.date = dt.date(2026, 1, 1),
    name: str | None = None,
) -> tuple[Community, list[Unit]]:
    units = await make_units(runtime, size, level=level, province=province)
    async with runtime.database.transaction(all_communities=True) as session:
        community = Community(
            slug=slug,
            name=name or f"{slug}共同体",
            region=region.value,
            level=level,
            themes=[Theme.ELDERLY_EDUCATION.value],
            status=CommunityStatus.ACTIVE,
            cycle_start=cycle_start,
            cycle_end=cycle_end_for(cycle_start),
            office_unit_id=units[0].id,
        )
        session.add(community)
        await session.flush()
        for i, unit in enumerate(units):
            role = MembershipRole.LEADER if i == 0 else MembershipRole.MEMBER
            session.add(
                Membership(
                    community_id=community.id,
                    unit_id=unit.id,
                    role=role,
                    status=MembershipStatus.ACTIVE,
                    joined_on=cycle_start,
                )
            )
    return community, units


_PASSWORD_HASHES: dict[str, str] = {}
PASSWORD = "correct-horse-battery"


async def make_user(
    runtime: Runtime,
    email: str,
    *grants: tuple[str, int | None],
    display_name: str = "测试用户",
    password: str = PASSWORD,
    unit_id: int | None = None,
) -> tuple[User, str]:
    """A user holding `grants` ((role, community id or None) as casbin stores them), on the
    staff of `unit_id` if given, and a token signed as `login` signs it. The argon2 hash is made once per password."""
    if password not in _PASSWORD_HASHES:
        _PASSWORD_HASHES[password] = hash_password(password)
    async with runtime.database.transaction() as session:
        user = User(
            email=email,
            password_hash=_PASSWORD_HASHES[password],
            display_name=display_name,
            is_active=True,
            unit_id=unit_id,
        )
        session.add(user)
        await session.flush()
        for role, community_id in grants:
            if community_id is None:
                session.add(CasbinRule(ptype="g2", v0=subject(user.id), v1=role))
            else:
                session.add(
                    CasbinRule(ptype="g", v0=subject(user.id), v1=role, v2=str(community_id))
                )
    await runtime.policy.load()
    token, _ = tokens.issue(runtime.settings.secret_key.get_secret_value(), user.id)
    return user, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
