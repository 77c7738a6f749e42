"""Why a unit left (an exit's reason, a membership's `leftReason`, a reinstatement's reason)
is not published. The exit list of Art. 8(2) names the unit, the community, how and when it
left; the written reason is read only by the project group, the community's leader and
deputies (`Permission.EXIT_REASON_READ`) and the unit's own staff.

One rule, two forms: a check for an object in hand, and the same check as SQL for the
compiled reads, which decide it row by row inside their one statement."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, bindparam, false, func, or_, select

from policies.permissions import Permission
from server.access.guard import Guard
from server.accounts.models import User
from server.reads import Fixed

# The unit the signed-in user is on the staff of (none for a deactivated account).
STAFF_UNIT = Fixed(
    select(User.unit_id).where(User.id == bindparam("user_id"), User.is_active.is_(True))
)


@dataclass(frozen=True)
class ReasonReaders:
    """Where the person behind a request may read reasons."""

    everywhere: bool  # the project group: every community's and the programme's exits
    communities: frozenset[int]  # as leader or deputy
    staff_unit: int | None  # the unit whose staff they are: its own exits

    @classmethod
    def of(cls, guard: Guard, staff_unit: int | None) -> "ReasonReaders":
        return cls(everywhere(guard), frozenset(communities(guard)), staff_unit)

    def may_read(self, community_id: int | None, unit_id: int) -> bool:
        """A reason given on leaving `community_id` (None: the programme) by `unit_id`."""
        return (
            self.everywhere
            or (community_id is not None and community_id in self.communities)
            or (self.staff_unit is not None and unit_id == self.staff_unit)
        )


def everywhere(guard: Guard) -> bool:
    return guard.allows(Permission.EXIT_REASON_READ)


def communities(guard: Guard) -> list[int]:
    return guard.communities(Permission.EXIT_REASON_READ)


def user_id(guard: Guard) -> int | None:
    return None if guard.actor is None else guard.actor.user_id


def readable(
    community_id: ColumnElement[int | None],
    unit_id: ColumnElement[int],
    everywhere: ColumnElement[bool],
    communities: ColumnElement[list[int]],
    user_id: ColumnElement[int | None],
) -> ColumnElement[bool]:
    """`may_read` in SQL for a row's community and unit columns, given as parameters what
    `everywhere`, `communities` and `user_id` say of the reader; the staff's unit is read in
    the same statement (no round trip of its own)."""
    staff_unit = (
        select(User.unit_id).where(User.id == user_id, User.is_active.is_(True)).scalar_subquery()
    )
    return or_(
        everywhere,
        and_(community_id.is_not(None), community_id == func.any(communities)),
        func.coalesce(unit_id == staff_unit, false()),
    )
