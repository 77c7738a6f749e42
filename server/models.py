"""Every mapped table, imported once so the metadata (and Alembic) sees them all."""

from server.accounts.models import CasbinRule, User
from server.audit.models import AuditEntry
from server.communities.models import Community, Membership
from server.db import Base
from server.regions.models import Province, RegionProvince, RegionRow
from server.units.models import Unit

__all__ = [
    "AuditEntry",
    "Base",
    "CasbinRule",
    "Community",
    "Membership",
    "Province",
    "RegionProvince",
    "RegionRow",
    "Unit",
    "User",
]
