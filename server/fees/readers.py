"""Who reads which invoices: the project group every one (`Permission.INVOICE_READ`
everywhere), a community's leader those charged through its community (Art. 18(6): it
collects them), and a unit's staff their own unit's (Art. 19(4)); nobody another unit's.

One rule, three forms, as `server/units/reasons.py`: a check for a row in hand, the same
check as SQL for the statements that list invoices, and as SQL over parameters (`walls`) for
the statements kept for every reader (the compiled reads), valued by `walls_of`."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, false, func, or_, select, true

from policies.permissions import Permission
from server.access.guard import Guard
from server.accounts.models import User


@dataclass(frozen=True)
class InvoiceReaders:
    everywhere: bool
    communities: frozenset[int]
    staff_unit: int | None

    @classmethod
    def of(cls, guard: Guard, staff_unit: int | None) -> "InvoiceReaders":
        if guard.actor is None:
            return cls(False, frozenset(), None)
        return cls(
            guard.allows(Permission.INVOICE_READ),
            frozenset(guard.communities(Permission.INVOICE_READ)),
            staff_unit,
        )

    @property
    def anyone(self) -> bool:
        """Whether this reader may read any invoice at all."""
        return self.everywhere or bool(self.communities) or self.staff_unit is not None

    def may_read(self, community_id: int, unit_id: int | None) -> bool:
        return (
            self.everywhere
            or community_id in self.communities
            or (self.staff_unit is not None and unit_id == self.staff_unit)
        )

    def readable(
        self, community_id: SQLColumnExpression[int], unit_id: SQLColumnExpression[int | None]
    ) -> ColumnElement[bool]:
        """`may_read` in SQL over a row's community and unit columns."""
        if self.everywhere:
            return true()
        conditions: list[ColumnElement[bool]] = []
        if self.communities:
            conditions.append(community_id.in_(sorted(self.communities)))
        if self.staff_unit is not None:
            conditions.append(and_(unit_id.is_not(None), unit_id == self.staff_unit))
        return or_(*conditions) if conditions else false()


@dataclass(frozen=True)
class Walls:
    """What `walls` is given for a reader (`walls_of`): each wall None where it opens
    nothing, so that a statement kept for every reader says only which kinds of wall it
    has, never whose."""

    everywhere: bool | None
    communities: list[int] | None
    # The signed-in user, whose staff unit the statement reads itself (no round trip).
    staff_user: int | None


def walls_of(guard: Guard) -> Walls:
    """`InvoiceReaders.of` as `walls`' values."""
    if guard.actor is None:
        return Walls(None, None, None)
    if guard.allows(Permission.INVOICE_READ):
        return Walls(True, None, None)  # every invoice: the other walls add nothing
    communities = sorted(guard.communities(Permission.INVOICE_READ))
    return Walls(None, communities or None, guard.actor.user_id)


def walls(
    community_id: SQLColumnExpression[int],
    unit_id: SQLColumnExpression[int | None],
    everywhere: ColumnElement[bool] | None,
    communities: ColumnElement[list[int]] | None,
    staff_user: ColumnElement[int] | None,
) -> ColumnElement[bool]:
    """`readable` over parameters (`Walls`), None where the reader has no such wall; the
    staff's unit read in the statement, as `STAFF_UNIT` reads it for `InvoiceReaders`."""
    conditions: list[ColumnElement[bool]] = []
    if everywhere is not None:
        conditions.append(everywhere)
    if communities is not None:
        conditions.append(community_id == func.any(communities))
    if staff_user is not None:
        staff_unit = (
            select(User.unit_id)
            .where(User.id == staff_user, User.is_active.is_(True))
            .scalar_subquery()
        )
        conditions.append(and_(unit_id.is_not(None), unit_id == staff_unit))
    return or_(*conditions) if conditions else false()
