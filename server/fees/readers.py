"""Who reads which invoices: the project group every one (`Permission.INVOICE_READ`
everywhere), a community's leader those charged through its community (Art. 18(6): it
collects them), and a unit's staff their own unit's (Art. 19(4)); nobody another unit's.

One rule, two forms, as `server/units/reasons.py`: a check for a row in hand, and the same
check as SQL for the statements that list invoices."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, false, or_, true

from policies.permissions import Permission
from server.access.guard import Guard


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
