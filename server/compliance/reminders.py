"""Deadline reminders: 30 and 7 days before a deadline and on the day after it, once each
(a notification key per user), whichever day the audit happens to run within each window.
Reports, the cycle's end, the educator training, and invoices still owed: to the leader,
who collects its community's fees (Art. 18(6)), and to the staff of the unit that owes
(Art. 19(4): a member pays its own)."""

import datetime as dt
from typing import TypedDict

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.communities.models import Community
from server.compliance.facts import Facts
from server.db import rows_changed
from server.fees.rules import yuan
from server.notifications.models import Notification
from server.notifications.service import announce_to
from server.reports import rules as report_rules
from server.vocabulary import ActivityKind

AFTER_WINDOW_DAYS = 14  # the day-after reminder still goes out if the audit missed that day


def stage(today: dt.date, deadline: dt.date) -> str | None:
    """Which reminder is due today for `deadline`: "30d", "7d", "after", or none."""
    days = (deadline - today).days
    if 8 <= days <= 30:
        return "30d"
    if 0 <= days <= 7:
        return "7d"
    if -AFTER_WINDOW_DAYS <= days <= -1:
        return "after"
    return None


WHEN_ZH = {"30d": "30 天内到期", "7d": "7 天内到期", "after": "已过期"}


class Reminder(TypedDict):
    """A row of notifications."""

    user_id: int
    kind: str
    title: str
    body: str
    key: str


BATCH = 2000


def _to(recipients: list[int], key: str, title: str, body: str) -> list[Reminder]:
    return [
        {"user_id": user_id, "kind": "reminder", "title": title, "body": body, "key": key}
        for user_id in sorted(set(recipients))
    ]


async def send(session: AsyncSession, reminders: list[Reminder]) -> int:
    """Inserts the reminders not sent before (the key is unique per user). Returns how many."""
    sent = 0
    for start in range(0, len(reminders), BATCH):
        inserted = await session.execute(
            insert(Notification)
            .values(reminders[start : start + BATCH])
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
        )
        sent += rows_changed(inserted)
    if sent:
        announce_to(session, (r["user_id"] for r in reminders))
    return sent


def due(
    facts: Facts, community: Community, leaders: list[int], payers: dict[int, list[int]]
) -> list[Reminder]:
    """The community's reminders due today: reports not yet in, the cycle's end, the
    educator training still owed when the cycle is ending, and invoices still owed (also to
    `payers`, the staff of each unit owing)."""
    today = facts.today
    members = {m.unit_id: m.name for m in facts.members.get(community.id, [])}
    reminders: list[Reminder] = []
    horizon = today + dt.timedelta(days=30)
    owed_reports = report_rules.owed(community.cycle_start, members, horizon, community.cycle_end)
    for owed in owed_reports:
        when = stage(today, owed.due_on)
        if when is None or facts.submitted(community.id, owed):
            continue
        period = owed.period
        who = f"{members[owed.unit_id]}的" if owed.unit_id else ""
        reminders += _to(
            leaders,
            f"report:{community.id}:{owed.kind.value}:{period}:{owed.unit_id or 0}:{when}",
            f"{community.name}：{who}{period} {owed.kind.zh}{WHEN_ZH[when]}",
            f"截止日期 {owed.due_on}。",
        )
    when = stage(today, community.cycle_end)
    if when is not None:
        reminders += _to(
            leaders,
            f"cycle:{community.id}:{community.cycle_start}:{when}",
            f"{community.name}：合作周期{WHEN_ZH[when]}",
            f"合作周期截止 {community.cycle_end}，请及时办理续期（第十五条）。",
        )
        trained, _ = facts.in_cycle(community, ActivityKind.TRAINING)
        if not trained:
            reminders += _to(
                leaders,
                f"training:{community.id}:{community.cycle_start}:{when}",
                f"{community.name}：本周期尚未开展社区教育工作者培训",
                f"合作周期截止 {community.cycle_end}，每周期至少开展一次培训（第十六条第五项）。",
            )
    for owing in facts.owing.get(community.id, []):
        when = stage(today, owing.due_on)
        if when is None:
            continue
        who = members.get(owing.unit_id, "成员单位") if owing.unit_id else "共同体"
        payer = payers.get(owing.unit_id, []) if owing.unit_id else []
        reminders += _to(
            leaders + payer,
            f"invoice:{community.id}:{owing.invoice_id}:{when}",
            f"{community.name}：{who}应收单 {owing.number} {WHEN_ZH[when]}",
            f"待缴 {yuan(owing.balance_fen)} 元，缴费截止 {owing.due_on}（第七条第六项）。",
        )
    return reminders
