"""Who may print a recognition's certificate: the project group, the holder community's
leader and deputies (`Permission.CERTIFICATE_DOWNLOAD`), and the staff of the holder unit.
Anyone may verify one (`/verify/{number}`); the PDF is the holders' copy.

One rule, two forms, as `server/units/reasons.py`: a check for a row in hand, and the same
check in SQL for the compiled reads."""

from sqlalchemy import ColumnElement, and_, false, func, or_, select

from policies.permissions import Permission
from server.access.guard import Guard
from server.accounts.models import User


def everywhere(guard: Guard) -> bool:
    return guard.allows(Permission.CERTIFICATE_DOWNLOAD)


def communities(guard: Guard) -> list[int]:
    return guard.communities(Permission.CERTIFICATE_DOWNLOAD)


def user_id(guard: Guard) -> int | None:
    return None if guard.actor is None else guard.actor.user_id


def may_print(
    guard: Guard, staff_unit: int | None, community_id: int | None, unit_id: int | None
) -> bool:
    return (
        everywhere(guard)
        or (community_id is not None and community_id in communities(guard))
        or (staff_unit is not None and unit_id == staff_unit)
    )


def printable(
    community_id: ColumnElement[int | None],
    unit_id: ColumnElement[int | None],
    everywhere: ColumnElement[bool],
    communities: ColumnElement[list[int]],
    user_id: ColumnElement[int | None],
) -> ColumnElement[bool]:
    """`may_print` in SQL, the reader's rights given as parameters of the run."""
    staff_unit = (
        select(User.unit_id).where(User.id == user_id, User.is_active.is_(True)).scalar_subquery()
    )
    return or_(
        everywhere,
        and_(community_id.is_not(None), community_id == func.any(communities)),
        func.coalesce(unit_id == staff_unit, false()),
    )
