"""Each demo community's sub-platform as its leader would keep it: an introduction and a
colour, a few published news items (the first communities' first item featured on the main
platform), one draft only its leader and deputies see, and its learning week and citizens'
learning day shown publicly. Written once: a community that has news already is left alone."""

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import markdown
from server.accounts.models import User
from server.activities.models import Activity
from server.communities.models import Community
from server.demo.dataset import COMMUNITIES
from server.news.models import News
from server.vocabulary import ActivityKind, NewsStatus

# One colour per community, in the order of the data set: calm, readable on white.
COLOURS = ("#1a5fb4", "#26a269", "#c64600", "#613583", "#1c71d8", "#2ec27e", "#a51d2d", "#865e3c")
SHOWN = (ActivityKind.LEARNING_WEEK, ActivityKind.CITIZEN_LEARNING)
FEATURED = 2  # the first communities whose first item the project group features


def _stories(name: str) -> list[tuple[str, str]]:
    """Title and Markdown body of each item, oldest first; the last one stays a draft."""
    return [
        (
            f"{name}召开年度工作研讨会",
            f"{name}各成员单位齐聚一堂，交流一年来的**社区教育**与**老年教育**实践，"
            "商定下一阶段的联合活动与课题安排。\n\n- 各单位汇报工作进展\n- 讨论年度工作计划",
        ),
        (
            "全民终身学习活动周联合展示圆满举行",
            "活动周期间，共同体成员单位联合开展市民学习体验、老年大学成果展演等活动，"
            "吸引了大批居民参与。",
        ),
        (
            "社区教育工作者专题培训顺利结业",
            "本次培训围绕课程设计、学习资源建设与数字化教学展开，参训教师表示收获颇丰。",
        ),
        ("下半年联合课题推进计划（草稿）", "待组长单位审定后发布。"),
    ]


async def keep_sub_platform(session: AsyncSession, community: Community, leader: User) -> None:
    """The community's profile, news and public activities, unless it has news already."""
    order = [demo.slug for demo in COMMUNITIES].index(community.slug)
    if await session.scalar(select(News.id).where(News.community_id == community.id).limit(1)):
        return
    intro = (
        f"## {community.name}\n\n"
        "本共同体由同一片区、同一层级的成员单位组成，按照《区域终身学习发展共同体管理办法》"
        "共同开展市民学习、教育工作者培训、课题研究和成果展示，推动区域终身学习发展。"
    )
    community.intro = intro
    community.intro_html = markdown.rendered(intro)
    community.colour = COLOURS[order % len(COLOURS)]
    stories = _stories(community.name)
    for n, (title, body) in enumerate(stories):
        published = n < len(stories) - 1
        session.add(
            News(
                community_id=community.id,
                title=title,
                body=body,
                body_html=markdown.rendered(body),
                status=NewsStatus.PUBLISHED if published else NewsStatus.DRAFT,
                published_at=dt.datetime(2026, 3 + 3 * n, 15, 2, 0, tzinfo=dt.UTC)
                if published
                else None,
                featured=n == 0 and order < FEATURED,
                author_user_id=leader.id,
            )
        )
    await session.execute(
        update(Activity)
        .where(Activity.community_id == community.id, Activity.kind.in_(SHOWN))
        .values(is_public=True)
    )
    await session.flush()
