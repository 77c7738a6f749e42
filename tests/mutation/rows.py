"""The permission table's mutants, which no Python mutator makes: each row of
`policies/permissions.csv` dropped, and each row granted as well to the next weaker role
(a leader's permission to deputies, a deputy's to members, an assigned expert's to every
expert, the project group's to experts) where that role does not hold it already. Those are
the slips a reviewer would miss in a table: a line lost in a merge, a line copied under the
wrong role."""

import csv
from dataclasses import dataclass

from policies.enforcer import DEPUTY, EXPERT, EXPERT_ASSIGNED, LEADER, MEMBER, PROJECT_GROUP

WEAKER = {PROJECT_GROUP: EXPERT, LEADER: DEPUTY, DEPUTY: MEMBER, EXPERT_ASSIGNED: EXPERT}


@dataclass(frozen=True)
class RowMutant:
    kind: str  # "dropped" or "widened"
    line: int  # 0-based, in the table's lines
    row: str  # the row as written
    added: str = ""  # the row a widening adds

    @property
    def key(self) -> str:
        return f"{self.kind} {self.line + 1}: {self.row}" + (
            f" + {self.added}" if self.added else ""
        )

    @property
    def diff(self) -> str:
        return f"- {self.row}" if self.kind == "dropped" else f"  {self.row}\n+ {self.added}"

    def apply(self, lines: list[str]) -> list[str]:
        """The table's lines with this mutant in them."""
        changed = list(lines)
        changed[self.line] = "" if self.kind == "dropped" else f"{self.row}\n{self.added}"
        return changed


def _rows(lines: list[str]) -> list[tuple[int, list[str]]]:
    rows = []
    for number, line in enumerate(lines):
        cells = [cell.strip() for cell in next(csv.reader([line]), [])]
        if cells and cells[0] == "p":
            rows.append((number, cells))
    return rows


def row_mutants(lines: list[str]) -> list[RowMutant]:
    rows = _rows(lines)
    held = {(cells[1], cells[3], cells[4]) for _, cells in rows}
    mutants = []
    for number, cells in rows:
        row = lines[number].strip()
        mutants.append(RowMutant("dropped", number, row))
        _, role, domain, obj, act = cells
        weaker = WEAKER.get(role)
        covered = {(weaker, obj, act), (weaker, "*", "*"), (weaker, obj, "*"), (weaker, "*", act)}
        if weaker and not covered & held:
            added = ", ".join(("p", weaker, domain, obj, act))
            mutants.append(RowMutant("widened", number, row, added))
    return mutants
