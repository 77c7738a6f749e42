"""Communities an expert guides, for the expert's workspace tests: two assigned to the expert,
each with a semi-annual report waiting for review (Art. 18(4)), and one the expert is not
assigned to, with a report and a finding of its own that the expert must never see."""

import datetime as dt
from dataclasses import dataclass

from schema.core.ids import encode
from server.activities.models import Activity
from server.communities.models import Community
from server.compliance.models import Finding
from server.reports.models import Report
from server.runtime import Runtime
from server.vocabulary import ActivityKind, FindingStatus, Level, Region, ReportKind, Severity
from tests.factories import make_community

NOW = dt.datetime(2026, 8, 1, 2, 0, tzinfo=dt.UTC)


@dataclass
class Guided:
    yrd: Community
    chengyu: Community
    other: Community
    # Report global ids: the YRD's first half of 2026 (submitted on 3 July), Chengyu's
    # (submitted on 1 July, earlier, and late), the YRD's annual plan (the project group's to
    # review), and the unassigned community's half-year report.
    yrd_half: str
    chengyu_half: str
    yrd_plan: str
    other_half: str


async def _report(runtime: Runtime, community: Community, **values: object) -> str:
    async with runtime.database.transaction(community.id) as session:
        report = Report(community_id=community.id, **values)
        session.add(report)
        await session.flush()
        return encode("Report", community.id, report.id)


async def seed(runtime: Runtime, prefix: str = "") -> Guided:
    yrd, _ = await make_community(
        runtime, f"{prefix}yrd-county-elderly", size=4, name="长三角县域老年教育共同体"
    )
    chengyu, _ = await make_community(
        runtime,
        f"{prefix}chengyu-community",
        size=3,
        region=Region.SOUTHWEST,
        level=Level.COUNTY,
        province="51",
        name="成渝社区治理共同体",
    )
    other, _ = await make_community(
        runtime,
        f"{prefix}jingjinji-reading",
        size=3,
        region=Region.BEIJING_TIANJIN_HEBEI,
        level=Level.COUNTY,
        province="13",
        name="京津冀全民阅读共同体",
    )
    half = {
        "kind": ReportKind.SEMI_ANNUAL,
        "year": 2026,
        "half": 1,
        "due_on": dt.date(2026, 7, 5),
    }
    yrd_half = await _report(
        runtime,
        yrd,
        **half,
        title="长三角2026年上半年工作报告",
        body="上半年开展市民学习活动两次。\n下半年计划举办学习周。",
        submitted_on=dt.date(2026, 7, 3),
        late=False,
    )
    chengyu_half = await _report(
        runtime,
        chengyu,
        **half,
        title="成渝2026年上半年工作报告",
        body="上半年召开研讨会一次。",
        submitted_on=dt.date(2026, 7, 1),
        late=False,
    )
    yrd_plan = await _report(
        runtime,
        yrd,
        kind=ReportKind.PLAN,
        year=2027,
        half=None,
        due_on=dt.date(2026, 12, 15),
        title="长三角2027年工作计划",
        body="计划全年开展四次联合活动。",
        submitted_on=dt.date(2026, 7, 20),
        late=False,
    )
    other_half = await _report(
        runtime,
        other,
        **half,
        title="京津冀2026年上半年工作报告",
        body="京津冀的正文，不给别的专家看。",
        submitted_on=dt.date(2026, 6, 20),
        late=False,
    )
    async with runtime.database.transaction(yrd.id) as session:
        session.add(
            Activity(
                community_id=yrd.id,
                kind=ActivityKind.SEMINAR,
                title="县域老年教育研讨会",
                held_on=dt.date(2026, 3, 12),
                expected_count=4,
            )
        )
        session.add(_finding(yrd.id, "citizen-learning", "16(3)", "2026年只开展了一次市民学习活动"))
    async with runtime.database.transaction(other.id) as session:
        session.add(_finding(other.id, "seminars", "16(12)", "京津冀2026年没有召开研讨会"))
    return Guided(yrd, chengyu, other, yrd_half, chengyu_half, yrd_plan, other_half)


def _finding(community_id: int, rule: str, article: str, message: str) -> Finding:
    return Finding(
        community_id=community_id,
        rule=rule,
        article=article,
        severity=Severity.ERROR,
        status=FindingStatus.OPEN,
        subject="community",
        period="2026",
        message_zh=message,
        message_en=message,
        evidence=[],
        fingerprint=rule,
        first_seen_at=NOW,
        last_seen_at=NOW,
    )


def expert_grants(guided: Guided) -> list[tuple[str, int | None]]:
    """An expert assigned to the YRD and Chengyu communities, not to the third."""
    return [
        ("EXPERT", None),
        ("EXPERT_ASSIGNED", guided.yrd.id),
        ("EXPERT_ASSIGNED", guided.chengyu.id),
    ]
