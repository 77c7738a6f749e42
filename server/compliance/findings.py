"""Keeping findings: one row per (rule, subject, period), updated by every run that sees it,
resolved by the first run that does not, a waiver kept until what the finding says changes."""

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.compliance.checks import Found
from server.compliance.models import Finding, ProgrammeFinding
from server.db import rows_changed
from server.vocabulary import FindingStatus


@dataclass
class Recorded:
    seen: int = 0
    opened: int = 0
    resolved: int = 0


def fingerprint(found: Found) -> str:
    """What a waiver was given for: the same severity, message and evidence."""
    said = [found.severity.value, found.en, list(found.evidence), found.unit_id]
    return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()


async def record(
    session: AsyncSession,
    table: type[Finding] | type[ProgrammeFinding],
    found: Sequence[Found],
    rules_checked: Sequence[str],
    now: dt.datetime,
    community_ids: Sequence[int] | None = None,
) -> Recorded:
    """Writes what this run saw for these communities (or the programme's findings, with
    `community_ids` None): each finding upserted with `last_seen_at = now`, then every open or
    waived one of the checked rules that this run did not touch is resolved. Running it twice
    on the same data changes nothing but `last_seen_at`."""
    outcome = Recorded(seen=len(found))
    if found:
        await _upsert(session, table, found, now)
    if community_ids is None:
        in_scope = []
    elif table is Finding:
        in_scope = [Finding.community_id.in_(list(community_ids))]
    else:
        raise ValueError("the programme's findings belong to no community")
    opened = await session.scalar(select(func.count()).where(*in_scope, table.first_seen_at == now))
    outcome.opened = opened or 0
    resolved = await session.execute(
        update(table)
        .where(
            *in_scope,
            table.status.in_([FindingStatus.OPEN, FindingStatus.WAIVED]),
            table.rule.in_(list(rules_checked)),
            table.last_seen_at < now,
        )
        .values(status=FindingStatus.RESOLVED, resolved_at=now)
    )
    outcome.resolved = rows_changed(resolved)
    return outcome


async def _upsert(
    session: AsyncSession,
    table: type[Finding] | type[ProgrammeFinding],
    found: Sequence[Found],
    now: dt.datetime,
) -> None:
    rows = [
        {
            **({"community_id": f.community_id} if table is Finding else {}),
            "rule": f.rule,
            "article": f.article,
            "severity": f.severity,
            "status": FindingStatus.OPEN,
            "subject": f.subject,
            "period": f.period,
            "unit_id": f.unit_id,
            "message_zh": f.zh,
            "message_en": f.en,
            "evidence": list(f.evidence),
            "fingerprint": fingerprint(f),
            "first_seen_at": now,
            "last_seen_at": now,
        }
        for f in found
    ]
    statement = insert(table)
    new = statement.excluded
    keep_waiver = and_(table.status == FindingStatus.WAIVED, table.fingerprint == new.fingerprint)
    key = ["rule", "subject", "period"]
    statement = statement.on_conflict_do_update(
        index_elements=["community_id", *key] if table is Finding else key,
        set_={
            "severity": new.severity,
            "article": new.article,
            "unit_id": new.unit_id,
            "message_zh": new.message_zh,
            "message_en": new.message_en,
            "evidence": new.evidence,
            "fingerprint": new.fingerprint,
            "last_seen_at": new.last_seen_at,
            "resolved_at": None,
            "status": case((keep_waiver, table.status), else_=literal(FindingStatus.OPEN.value)),
            "waived_reason": case((keep_waiver, table.waived_reason), else_=None),
            "waived_by": case((keep_waiver, table.waived_by), else_=None),
            "waived_at": case((keep_waiver, table.waived_at), else_=None),
        },
    )
    # One cached statement, the rows as an executemany (asyncpg pipelines them), through Core
    # rather than the ORM's row-by-row bulk path.
    connection = await session.connection()
    await connection.execute(statement, rows)
