import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from sqlalchemy import func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from policies.permissions import Permission
from policies.regulation import RULES
from schema.core import ids
from schema.core.context import Context
from schema.core.node import Node, fetches
from schema.core.projection import (
    Bind,
    Expression,
    Row,
    base64url,
    computed,
    in_language,
    label,
    projected,
    related,
)
from schema.units.types import Unit
from server.compliance import models
from server.compliance.service import may_read_run
from server.vocabulary import AuditRunStatus, FindingStatus, Severity

if TYPE_CHECKING:
    # Its module imports this one: strawberry reads it lazily, the type checker directly.
    from schema.communities.types import Community
else:
    Community = Annotated["Community", strawberry.lazy("schema.communities.types")]


# `ColumnElement[Any]`: SQLAlchemy types `coalesce` of JSON by no Python value.
def _evidence(row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
    """The evidence's references as global ids (`ids.of_reference`), in their order."""
    refs = func.unnest(row.c.evidence).table_valued("ref", with_ordinality="n").render_derived()
    ordered = aggregate_order_by(base64url(refs.c.ref), refs.c.n)
    listed = select(func.json_agg(ordered)).select_from(refs).scalar_subquery()
    return func.coalesce(listed, literal_column("'[]'::json"))


RULE_TITLES = tuple((r.id, r.title_zh, r.title_en) for r in RULES.values())
RULE_REMEDIES = tuple((r.id, r.remedy_zh, r.remedy_en) for r in RULES.values())


@projected(
    models.Finding,
    id=("community_id", "id"),
    community="community_id",
    held={"references": "evidence"},
    programme=models.ProgrammeFinding,
)
@strawberry.type(description="What an audit found: one rule broken by one subject in one period.")
class Finding(Node):
    id: strawberry.ID
    of: ClassVar[Callable[[models.Finding | models.ProgrammeFinding], "Finding"]]
    rule: str = strawberry.field(description="the rule's id in the catalogue, e.g. community-size")
    article: str = strawberry.field(
        description=(
            'the article of the regulation it applies: "11", "16(3)" (Art. 16, item 3); the '
            "first where several do"
        )
    )
    severity: Severity
    severity_label: str = label("severity", Severity)
    status: FindingStatus
    status_label: str = label("status", FindingStatus)
    period: str = strawberry.field(description='"2026", "2026H1", "cycle:2026-01-01" or empty')
    evidence: list[str] = computed(
        Expression(_evidence),
        lambda root: [ids.of_reference(r) for r in root.references],
        description="ids (for `node`) of the activities or reports behind it",
    )
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    resolved_at: dt.datetime | None
    waived_reason: str | None
    waived_at: dt.datetime | None
    message_zh: strawberry.Private[str]
    message_en: strawberry.Private[str]
    references: strawberry.Private[list[str]]
    community_id: strawberry.Private[int | None]
    unit_id: strawberry.Private[int | None]

    message: str = in_language("message_zh", "message_en")
    remedy: str = label("rule", RULE_REMEDIES, description="What to do about it.")
    title: str = label("rule", RULE_TITLES, description="The rule as the regulation puts it.")
    community: Community | None = related(
        "Community",
        "community_id",
        same_community=True,
        description="The community; none for a finding about the programme.",
    )
    unit: Unit | None = related("Unit", "unit_id", description="The unit it is about, if one.")


@strawberry.type(description="Open findings of a community by severity.")
class Compliance:
    errors: int
    warnings: int
    notices: int
    waived: int

    @strawberry.field(description="No open error.")
    def compliant(self) -> bool:
        return self.errors == 0


@strawberry.type(description="One run of the rule audits: follow it by polling `auditRun(id)`.")
class AuditRun(Node):
    id: strawberry.ID
    status: AuditRunStatus
    status_label: str = label("status", AuditRunStatus)
    queued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    communities_total: int
    communities_done: int
    findings: int = strawberry.field(description="findings seen by the run")
    opened: int = strawberry.field(description="findings it raised for the first time")
    resolved: int = strawberry.field(description="findings it no longer saw")
    exits: int = strawberry.field(description="two-absences exits it enacted")
    reminders: int = strawberry.field(description="reminders it sent")
    duration_ms: int | None
    error: str | None
    community_id: strawberry.Private[int | None]

    community: Community | None = related(
        "Community", "community_id", description="The community audited; none for a national run."
    )

    @classmethod
    def of(cls, row: models.AuditRun) -> "AuditRun":
        counts = row.counts or {}
        return cls(
            id=strawberry.ID(ids.encode("AuditRun", row.id)),
            status=row.status,
            queued_at=row.queued_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            communities_total=row.communities_total,
            communities_done=row.communities_done,
            findings=counts.get("findings", 0),
            opened=counts.get("opened", 0),
            resolved=counts.get("resolved", 0),
            exits=counts.get("exits", 0),
            reminders=counts.get("reminders", 0),
            duration_ms=counts.get("durationMs"),
            error=row.error,
            community_id=row.community_id,
        )


@fetches("Finding", arity=2)
async def fetch_finding(context: Context, keys: tuple[int, ...]) -> Finding | None:
    (await context.guard()).require(Permission.TENANT_READ, keys[0])
    async with context.transaction(keys[0]) as session:
        row = await session.get(models.Finding, keys)
    return Finding.of(row) if row else None


@fetches("ProgrammeFinding")
async def fetch_programme_finding(context: Context, keys: tuple[int, ...]) -> Finding | None:
    (await context.guard()).require(Permission.FINDING_WAIVE)
    async with context.transaction() as session:
        row = await session.get(models.ProgrammeFinding, keys[0])
    return Finding.of(row) if row else None


@fetches("AuditRun")
async def fetch_run(context: Context, keys: tuple[int, ...]) -> AuditRun | None:
    guard = await context.guard()
    guard.signed_in()
    async with context.transaction(all_communities=True) as session:
        row = await session.get(models.AuditRun, keys[0])  # then the check in code
    return AuditRun.of(row) if row and may_read_run(guard, row) else None
