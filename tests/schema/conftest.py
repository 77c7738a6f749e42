"""A client whose responses count their SQL statements (`X-SQL-Statements`), and the small
national data set the compiled reads are compared on."""

import datetime as dt

import httpx
import pytest
from sqlalchemy import func, select, update

from schema.asgi import build
from server.accounts.models import User
from server.achievements.models import Achievement
from server.activities.models import Activity
from server.communities.models import Community, Membership
from server.compliance.audit import run_now
from server.compliance.models import Finding
from server.national.load import seed_national
from server.news.models import News
from server.recognition.models import Recognition
from server.reports.models import Report
from server.research.models import ResearchTopic, SubTopic, TopicReport
from server.runtime import open_runtime
from server.uploads.models import Upload
from server.vocabulary import (
    AchievementKind,
    FindingStatus,
    MembershipRole,
    MembershipStatus,
    NewsStatus,
    Prize,
    RecognitionKind,
    Severity,
    SubTopicStatus,
    TopicStage,
    Visibility,
)
from tests.factories import bearer, make_user
from tests.schema.documents import COMMUNITY_PAGE as PAGE


@pytest.fixture
async def counted(settings, services):
    runtime = open_runtime(settings.model_copy(update={"count_sql": True}), services)
    await runtime.start()
    transport = httpx.ASGITransport(app=build(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as client:
        yield runtime, client
    await runtime.close()


@pytest.fixture
async def national(counted):
    """A small national data set with its audit's findings, one unit that left its community
    with a reason, and a report reviewed (a timestamp with microseconds): the rows behind
    every projected field, nulls included. Its two largest communities are the ones asked."""
    runtime, client = counted
    await seed_national(runtime, 0.004)
    await run_now(runtime)
    async with runtime.database.transaction(all_communities=True) as session:
        largest = (
            select(Community)
            .join(Membership, Membership.community_id == Community.id)
            .group_by(Community.id)
            .order_by(func.count().desc(), Community.id)
            .limit(2)
        )
        communities = list((await session.scalars(largest)).all())
        first = communities[0]
        leaving = await session.scalar(
            select(func.max(Membership.id)).where(
                Membership.community_id == first.id, Membership.role == MembershipRole.MEMBER
            )
        )
        await session.execute(
            update(Membership)
            .where(Membership.community_id == first.id, Membership.id == leaving)
            .values(
                status=MembershipStatus.WITHDRAWN,
                left_on=dt.date(2026, 6, 1),
                left_reason="书面申请退出",
            )
        )
        await session.execute(
            update(Report)
            .where(Report.community_id == first.id)
            .values(
                review_comment="按时提交",
                reviewed_at=dt.datetime(2026, 7, 20, 9, 30, 15, 120000, tzinfo=dt.UTC),
            )
        )
        activities = (
            await session.scalars(
                select(Activity.id).where(Activity.community_id == first.id).limit(2)
            )
        ).all()
        seen = dt.datetime(2026, 11, 3, 3, 0, tzinfo=dt.UTC)  # no microseconds
        session.add(
            Finding(
                community_id=first.id,
                rule="seminars",
                article="16(12)",
                severity=Severity.WARNING,
                status=FindingStatus.WAIVED,
                subject="community",
                period="2026",
                message_zh="研讨会议不足",
                message_en="Too few seminars",
                evidence=[f"Activity:{first.id}:{a}" for a in activities],
                fingerprint="0" * 64,
                first_seen_at=seen,
                last_seen_at=seen,
                waived_reason="年底前补开",
                waived_at=seen,
            )
        )
        await _sub_platforms(session, communities, activities)
        await _research(session, communities)
        await _recognitions(session, communities)
    _, leader = await make_user(runtime, "leader@example.cn", ("LEADER", first.id))
    _, admin = await make_user(runtime, "admin@example.cn", ("PROJECT_GROUP", None))
    for community in communities:  # the doors, looked up once: then a page is one statement
        await client.post("/graphql", json={"query": PAGE, "variables": {"slug": community.slug}})
    return runtime, client, communities, bearer(leader), bearer(admin)


async def _research(session, communities: list[Community]) -> None:
    """Three national topics; under the first, a sub-topic of each status in the first
    community (the approved one carried by a member unit with two others, the concluded one
    with both its reports) and an approved one in the second."""
    first, second = communities
    topics = [
        ResearchTopic(title=f"总课题{n}", year=2025 + n, description=None if n == 2 else "说明")
        for n in (1, 2, 3)
    ]
    session.add_all(topics)
    await session.flush()
    units = (
        await session.scalars(
            select(Membership.unit_id)
            .where(Membership.community_id == first.id)
            .order_by(Membership.unit_id)
            .limit(3)
        )
    ).all()
    reviewed = dt.datetime(2026, 4, 2, 8, 15, 30, 250000, tzinfo=dt.UTC)
    rows = [
        SubTopic(
            community_id=community.id,
            topic_id=topics[0].id,
            unit_id=units[0] if status is SubTopicStatus.APPROVED else None,
            title=f"子课题{status.zh}",
            leader_name="王研究",
            member_unit_ids=list(units[1:]) if status is SubTopicStatus.APPROVED else [],
            plan="调研、试点、总结",
            status=status,
            review_comment=None if status is SubTopicStatus.PENDING else "审核意见",
            reviewed_at=None if status is SubTopicStatus.PENDING else reviewed,
            concluded_at=reviewed if status is SubTopicStatus.CONCLUDED else None,
        )
        for community, status in [
            *((first, s) for s in SubTopicStatus),
            (second, SubTopicStatus.APPROVED),
        ]
    ]
    session.add_all(rows)
    await session.flush()
    concluded = next(r for r in rows if r.status is SubTopicStatus.CONCLUDED)
    session.add_all(
        TopicReport(
            community_id=first.id, sub_topic_id=concluded.id, stage=stage, body=f"{stage.zh}正文"
        )
        for stage in TopicStage
    )


async def _recognitions(session, communities: list[Community]) -> None:
    """A demonstration community (with its citation), its honour certificate and a national
    brand of a team of its, an award to an achievement of the second community with its
    prize, a member unit's national brand, and one revoked."""
    first, second = communities
    unit = await session.scalar(
        select(Membership.unit_id).where(Membership.community_id == first.id).limit(1)
    )
    granted = dt.date(2026, 11, 20)
    awarded = Achievement(
        community_id=second.id,
        kind=AchievementKind.CASE,
        title="社区教育典型案例",
        summary="案例简介",
        authors=["王老师"],
        visibility=Visibility.PUBLIC,
    )
    session.add(awarded)
    await session.flush()
    session.add_all(
        [
            Recognition(
                community_id=first.id,
                kind=RecognitionKind.MODEL_COMMUNITY,
                year=2026,
                holder_name=first.name,
                citation="协同推进老年教育",
                number="GX-2026-0001",
                granted_on=granted,
            ),
            Recognition(
                community_id=second.id,
                kind=RecognitionKind.ACHIEVEMENT_AWARD,
                prize=Prize.SECOND,
                achievement_id=awarded.id,
                year=2026,
                holder_name="社区教育典型案例",
                number="GX-2026-0002",
                granted_on=granted,
            ),
            Recognition(
                unit_id=unit,
                kind=RecognitionKind.NATIONAL_BRAND,
                year=2025,
                holder_name="银龄学习团队",
                number="GX-2025-0001",
                granted_on=granted,
            ),
            Recognition(
                community_id=first.id,
                kind=RecognitionKind.FEATURED_COMMUNITY,
                year=2025,
                holder_name=first.name,
                number="GX-2025-0002",
                granted_on=granted,
                revoked_at=dt.datetime(2026, 11, 21, 3, 4, 5, 600000, tzinfo=dt.UTC),
                revoked_reason="录入错误",
            ),
            *(
                Recognition(
                    community_id=first.id,
                    kind=kind,
                    year=2026,
                    holder_name=holder,
                    number=f"GX-2026-000{n}",
                    granted_on=granted,
                )
                for n, kind, holder in (
                    (3, RecognitionKind.HONOUR_CERTIFICATE, first.name),
                    (4, RecognitionKind.NATIONAL_BRAND, "社区学习共同体团队"),
                )
            ),
        ]
    )


async def _sub_platforms(session, communities: list[Community], public: list[int]) -> None:
    """News of the two communities asked (published, featured, with a cover, a draft), the
    first one's profile and two of its activities shown on its sub-platform."""
    first, second = communities
    author = await session.scalar(select(func.min(User.id)))
    picture = Upload(
        owner_user_id=author,
        filename="封面.png",
        content_type="image/png",
        size=1,
        sha256="0" * 64,
        storage_key="00/0",
    )
    session.add(picture)
    await session.flush()
    written = [
        (first, "社区学习周开幕", NewsStatus.PUBLISHED, True, picture.id),
        (first, "老年教育进社区", NewsStatus.PUBLISHED, False, None),
        (first, "第11期工作简报", NewsStatus.PUBLISHED, False, None),
        (first, "研讨会筹备", NewsStatus.DRAFT, False, None),
        (second, "社区治理论坛", NewsStatus.PUBLISHED, True, None),
        (second, "家庭教育讲座", NewsStatus.PUBLISHED, False, None),
    ]
    for n, (community, title, status, featured, cover) in enumerate(written):
        published = status is NewsStatus.PUBLISHED
        session.add(
            News(
                community_id=community.id,
                title=title,
                body=f"**{title}**",
                body_html=f"<p><strong>{title}</strong></p>",
                status=status,
                featured=featured,
                published_at=dt.datetime(2026, 9, 1 + n, 8, 0, 0, 250000, tzinfo=dt.UTC)
                if published
                else None,
                author_user_id=author,
                cover_upload_id=cover,
                upload_ids=[] if cover is None else [cover],
            )
        )
    await session.execute(
        update(Community)
        .where(Community.id == first.id)
        .values(
            intro="## 简介\n\n长三角老年教育共同体",
            intro_html="<h2>简介</h2>\n<p>长三角老年教育共同体</p>",
            colour="#1a5fb4",
            logo_upload_id=picture.id,
            profile_upload_ids=[picture.id],
        )
    )
    await session.execute(
        update(Activity)
        .where(Activity.community_id == first.id, Activity.id.in_(public))
        .values(is_public=True)
    )
