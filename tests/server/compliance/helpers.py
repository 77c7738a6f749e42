"""Running the audits in tests, and reading what they found, on the real database."""

import datetime as dt

from sqlalchemy import select

from server.activities.models import Activity
from server.communities.models import Community
from server.compliance import audit
from server.compliance.checks import Found, check_community
from server.compliance.facts import community_facts
from server.compliance.models import Finding
from server.vocabulary import ActivityKind


async def audit_now(runtime, community_id: int | None = None) -> audit.Counts:
    return await audit.run_now(runtime, community_id)


async def found_on(runtime, community: Community, on: dt.date) -> list[Found]:
    """What the checks find for `community` as of the day `on`, from its rows in the database."""
    async with runtime.database.transaction(community.id) as session:
        facts = await community_facts(session, on, [community.id])
    return check_community(facts, facts.communities[0])


def of_rule(found: list[Found], rule: str) -> list[Found]:
    return [f for f in found if f.rule == rule]


async def findings(runtime, rule: str | None = None) -> list[Finding]:
    async with runtime.database.transaction(all_communities=True) as session:
        statement = select(Finding).order_by(Finding.community_id, Finding.id)
        if rule is not None:
            statement = statement.where(Finding.rule == rule)
        return list((await session.scalars(statement)).all())


async def hold(runtime, community: Community, kind: ActivityKind, *days: dt.date) -> list[int]:
    """Activities of `kind` on these days (attendance does not matter to these rules)."""
    async with runtime.database.transaction(community.id) as session:
        rows = [
            Activity(community_id=community.id, kind=kind, title=kind.zh, held_on=day)
            for day in days
        ]
        session.add_all(rows)
    return [r.id for r in rows]
