"""`gongxue audit [--community SLUG]`: the same audit as the workers run, from the shell, with
a progress bar and a summary of what is open."""

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.regulation import CATALOGUE
from server.compliance import audit
from server.compliance.models import Finding, ProgrammeFinding
from server.runtime import Runtime
from server.vocabulary import FindingStatus
from tenants.resolution import find_tenant

ENACTED = "two-absences"  # not a finding: the audit enacts the exit the records call for


async def audit_from_shell(runtime: Runtime, console: Console, slug: str | None) -> int:
    community_id = None
    if slug is not None:
        async with runtime.database.transaction() as session:
            community_id = (await find_tenant(session, slug)).id
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("审核共同体 auditing communities", total=None)
        counts = await audit.run_now(
            runtime, community_id, lambda done, total: bar.update(task, completed=done, total=total)
        )
    scope = {"all_communities": True} if community_id is None else {}
    async with runtime.database.transaction(community_id, **scope) as session:
        open_by_rule = await _open_by_rule(session, community_id)
    table = Table(title="规则审核 / rule audit")
    for column in ("规则 rule", "条款 article", "未整改 open", "状态 status"):
        table.add_column(column)
    for rule in CATALOGUE:
        status = "待数据 awaits " + rule.awaits if rule.awaits else ""
        if rule.id == ENACTED:
            status = f"本次执行退出 enacted now: {counts.exits}"
        table.add_row(rule.id, rule.article, str(open_by_rule.get(rule.id, 0)), status)
    console.print(table)
    console.print(
        f"共同体 communities: {counts.communities}; 发现 seen: {counts.findings}; "
        f"新增 opened: {counts.opened}; 消除 resolved: {counts.resolved}; "
        f"自动退出 exits: {counts.exits}; 提醒 reminders: {counts.reminders}"
    )
    return 0


async def _open_by_rule(session: AsyncSession, community_id: int | None) -> dict[str, int]:
    open_by_rule: dict[str, int] = {}
    tables: list[type[Finding] | type[ProgrammeFinding]] = [Finding]
    if community_id is None:
        tables.append(ProgrammeFinding)
    for table in tables:
        statement = (
            select(table.rule, func.count())
            .where(table.status == FindingStatus.OPEN)
            .group_by(table.rule)
        )
        if community_id is not None:
            statement = statement.where(Finding.community_id == community_id)
        for rule, n in await session.execute(statement):
            open_by_rule[rule] = open_by_rule.get(rule, 0) + n
    return open_by_rule
