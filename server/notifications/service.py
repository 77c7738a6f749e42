"""Telling people: a unit's staff and its community's leader."""

from collections.abc import Iterable

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.models import CasbinRule, User
from server.db import announce_after_commit, rows_changed
from server.notifications.models import Notification


async def unit_staff(session: AsyncSession, unit_id: int) -> list[int]:
    return list(
        (
            await session.scalars(select(User.id).where(User.unit_id == unit_id, User.is_active))
        ).all()
    )


async def leaders_of(session: AsyncSession, community_ids: Iterable[int]) -> list[int]:
    """Users holding the LEADER role in any of these communities."""
    by_community = await leaders_by_community(session, community_ids)
    return [user for users in by_community.values() for user in users]


async def leaders_by_community(
    session: AsyncSession, community_ids: Iterable[int]
) -> dict[int, list[int]]:
    """The users holding LEADER in each of these communities, in one statement."""
    rows = await session.execute(
        select(CasbinRule.v2, CasbinRule.v0).where(
            CasbinRule.ptype == "g",
            CasbinRule.v1 == "LEADER",
            CasbinRule.v2.in_([str(c) for c in community_ids]),
        )
    )
    leaders: dict[int, list[int]] = {}
    for community, user in rows:
        leaders.setdefault(int(community), []).append(int(user.removeprefix("user:")))
    return leaders


async def staff_by_unit(session: AsyncSession, unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """The active users on the staff of each of these units, in one statement."""
    rows = await session.execute(
        select(User.unit_id, User.id).where(User.unit_id.in_(set(unit_ids)), User.is_active)
    )
    staff: dict[int, list[int]] = {}
    for unit_id, user_id in rows:
        if unit_id is not None:  # always, by the statement: for the type checker
            staff.setdefault(unit_id, []).append(user_id)
    return staff


def inbox_topic(user_id: int) -> str:
    """What moves when the user gets a notification (`notificationAdded` follows it)."""
    return f"notifications:{user_id}"


def announce_to(session: AsyncSession, user_ids: Iterable[int]) -> None:
    for user_id in set(user_ids):
        announce_after_commit(session, inbox_topic(user_id))


async def notify(
    session: AsyncSession, user_ids: Iterable[int], kind: str, title: str, body: str
) -> None:
    recipients = sorted(set(user_ids))
    session.add_all(
        Notification(user_id=user_id, kind=kind, title=title, body=body) for user_id in recipients
    )
    await session.flush()
    announce_to(session, recipients)


def inbox_statement(user_id: int, unread_only: bool = False) -> Select[Notification]:
    statement = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return statement


async def mark_read(session: AsyncSession, user_id: int, notification_ids: Iterable[int]) -> int:
    """Marks the user's own notifications read; others' ids are ignored. Returns how many."""
    marked = await session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.id.in_(list(notification_ids)),
            Notification.read_at.is_(None),
        )
        .values(read_at=func.now())
    )
    return rows_changed(marked)
