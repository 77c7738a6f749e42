"""Two communities, A and B, with a row of every kind a community owns, written as the owner
of the tables: for proving that each read returns its own community's rows and not the
other's even where row-level security would not hide them."""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from server.activities.models import Activity, Attendance
from server.admission.models import Application, ApplicationCall
from server.audit.models import AuditEntry
from server.communities.models import Community
from server.compliance.models import AuditRun, Finding
from server.notifications.models import Notification
from server.reports.models import Report
from server.runtime import Runtime
from server.units.models import ExitRecord, Unit
from server.vocabulary import (
    ActivityKind,
    AuditRunStatus,
    ExitScope,
    FindingStatus,
    Level,
    Region,
    ReportKind,
    Severity,
    SiteStatus,
)
from tests.factories import bearer, make_community, make_user


@dataclass
class Side:
    """One community and what it owns, each row titled with the community's slug."""

    community: Community
    units: list[Unit]
    leader: dict[str, str]
    member: dict[str, str]
    leader_id: int
    member_id: int
    activity_id: int = 0
    report_id: int = 0
    finding_id: int = 0
    run_id: int = 0
    exit_id: int = 0
    application_id: int = 0
    notification_ids: list[int] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.community.id

    @property
    def slug(self) -> str:
        return self.community.slug


@dataclass
class TwoCommunities:
    a: Side
    b: Side
    expert: dict[str, str]  # assigned to A only
    project_group: dict[str, str]


async def _side(
    runtime: Runtime,
    owner: AsyncEngine,
    slug: str,
    *,
    size: int,
    region: Region,
    province: str,
    held_on: dt.date,
    call_id: int,
) -> Side:
    community, units = await make_community(
        runtime, slug, size=size, region=region, province=province
    )
    leader, leader_token = await make_user(runtime, f"leader@{slug}.cn", ("LEADER", community.id))
    member, member_token = await make_user(runtime, f"member@{slug}.cn", ("MEMBER", community.id))
    side = Side(community, units, bearer(leader_token), bearer(member_token), leader.id, member.id)
    now = dt.datetime.now(dt.UTC)
    async with AsyncSession(owner, expire_on_commit=False) as session, session.begin():
        activity = Activity(
            community_id=community.id,
            kind=ActivityKind.SEMINAR,
            title=f"{slug} 研讨会",
            held_on=held_on,
            expected_count=len(units),
        )
        report = Report(
            community_id=community.id,
            kind=ReportKind.SEMI_ANNUAL,
            year=2026,
            half=1,
            title=f"{slug} 半年报",
            body=f"{slug} 半年报正文",
            due_on=dt.date(2026, 7, 15),
            submitted_on=dt.date(2026, 7, 1),
            late=False,
        )
        finding = Finding(
            community_id=community.id,
            rule="structure",
            article="14",
            severity=Severity.ERROR,
            status=FindingStatus.OPEN,
            subject="community:person",
            period="",
            message_zh=f"{slug} 问题",
            message_en=f"{slug} finding",
            evidence=[],
            fingerprint=slug,
            first_seen_at=now,
            last_seen_at=now,
        )
        run = AuditRun(community_id=community.id, status=AuditRunStatus.SUCCEEDED, counts={})
        gone = ExitRecord(
            unit_id=units[-1].id,
            community_id=community.id,
            scope=ExitScope.COMMUNITY,
            kind=SiteStatus.WITHDRAWN,
            exited_on=dt.date(2026, 3, 1),
            reason=f"{slug} 退出",
        )
        application = Application(
            call_id=call_id,
            applicant_user_id=leader.id,
            unit_name=f"{slug} 申报单位",
            level=Level.COUNTY,
            division_code=f"{province}0101",
            province=province,
            address="杭州",
            responsible_person="王老师",
            project_team="王老师",
        )
        notifications = [
            Notification(user_id=user_id, kind="test", title=f"{slug} 通知", body=slug)
            for user_id in (leader.id, member.id)
        ]
        session.add_all([activity, report, finding, run, gone, application, *notifications])
        session.add(
            AuditEntry(
                community_id=community.id,
                action=f"{slug}.action",
                target_type="Community",
                target_id=str(community.id),
            )
        )
        await session.flush()
        session.add_all(
            Attendance(community_id=community.id, activity_id=activity.id, unit_id=unit.id)
            for unit in units
        )
    side.activity_id = activity.id
    side.report_id = report.id
    side.finding_id = finding.id
    side.run_id = run.id
    side.exit_id = gone.id
    side.application_id = application.id
    side.notification_ids = [n.id for n in notifications]
    return side


async def seed(runtime: Runtime, owner: AsyncEngine) -> TwoCommunities:
    """A (3 members, Yangtze River Delta, activity on 1 May) and B (4 members, another
    region, activity later, on 1 June): a count, a latest day or a region that mixed the two
    would come out different."""
    async with AsyncSession(owner, expire_on_commit=False) as session, session.begin():
        call = ApplicationCall(
            title="2026年度申报",
            year=2026,
            opens_on=dt.date(2026, 1, 1),
            closes_on=dt.date(2026, 12, 31),
        )
        session.add(call)
        await session.flush()
        call_id = call.id
    a = await _side(
        runtime,
        owner,
        "scope-a",
        size=3,
        region=Region.YANGTZE_RIVER_DELTA,
        province="33",
        held_on=dt.date(2026, 5, 1),
        call_id=call_id,
    )
    b = await _side(
        runtime,
        owner,
        "scope-b",
        size=4,
        region=Region.PEARL_RIVER_DELTA,
        province="44",
        held_on=dt.date(2026, 6, 1),
        call_id=call_id,
    )
    _, expert = await make_user(
        runtime, "expert@scope.cn", ("EXPERT", None), ("EXPERT_ASSIGNED", a.id)
    )
    _, group = await make_user(runtime, "group@scope.cn", ("PROJECT_GROUP", None))
    return TwoCommunities(a, b, bearer(expert), bearer(group))
