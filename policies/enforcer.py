"""The casbin enforcer: the model and the permission table from this folder, the role grants
(g, g2 rows) handed in by whoever loads them from the database."""

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import casbin
from casbin import persist
from casbin.model import Model

HERE = Path(__file__).parent
MODEL = HERE / "model.conf"
PERMISSIONS = HERE / "permissions.csv"

# Roles as casbin knows them.
PROJECT_GROUP = "PROJECT_GROUP"
EXPERT = "EXPERT"
EXPERT_ASSIGNED = "EXPERT_ASSIGNED"
LEADER = "LEADER"
DEPUTY = "DEPUTY"
MEMBER = "MEMBER"
GLOBAL_ROLES = (PROJECT_GROUP, EXPERT)
COMMUNITY_ROLES = (LEADER, DEPUTY, MEMBER, EXPERT_ASSIGNED)
NATIONAL = ""  # the domain of a request that concerns no single community


def permission_rules() -> list[list[str]]:
    """The `p` rows of permissions.csv (comments and blank lines skipped)."""
    rules = []
    with PERMISSIONS.open(encoding="utf-8") as f:
        for row in csv.reader(f):
            if not row or row[0].startswith("#"):
                continue
            rules.append([cell.strip() for cell in row])
    return rules


class _Rows(persist.Adapter):  # type: ignore[misc]  # casbin ships no types
    """Feeds casbin rows already in memory. Saving is the database's business, not casbin's:
    the adapter's save methods are the base class's, which do nothing."""

    def __init__(self, rows: Iterable[Sequence[str]]) -> None:
        self._rows = list(rows)

    def load_policy(self, model: Model) -> None:
        for row in self._rows:
            persist.load_policy_line(", ".join(row), model)


def build_enforcer(grants: Iterable[Sequence[str]]) -> casbin.Enforcer:
    """An enforcer with the permission table and these `g`/`g2` grant rows."""
    return casbin.Enforcer(str(MODEL), _Rows([*permission_rules(), *grants]))
