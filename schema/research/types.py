import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry
from sqlalchemy import func, select
from strawberry.extensions.field_extension import FieldExtension

from policies.permissions import Permission
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.pagination import Connection
from schema.core.permissions import requires
from schema.core.projection import OWN, Listed, computed, label, page, projected, related
from schema.units.types import Unit
from server.research import models
from server.research.queries import topic_reports_statement, topic_sub_topics_statement
from server.research.rules import CARRIED
from server.units.models import Unit as UnitRow
from server.vocabulary import SubTopicStatus, TopicStage

if TYPE_CHECKING:
    # Its module imports this one: strawberry reads it lazily, the type checker directly.
    from schema.communities.types import Community
else:
    Community = Annotated["Community", strawberry.lazy("schema.communities.types")]

# What only the community's own readers see of a sub-topic: its members, its assigned experts
# and the project group (Art. 16(7), 18(4)).
IN_ITS_COMMUNITY: list[FieldExtension] = [
    *requires(Permission.TENANT_READ, in_community=lambda s: s.community_id)
]


@projected(models.ResearchTopic)
@strawberry.type(
    description="总课题: the programme's national research topic (Art. 5(4), 17(3)); the "
    "communities carry sub-topics under it. Public."
)
class ResearchTopic(Node):
    id: strawberry.ID
    title: str
    year: int
    description: str | None
    created_at: dt.datetime
    db_id: strawberry.Private[int]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.ResearchTopic], "ResearchTopic"]]

    @strawberry.field(
        description="The approved and concluded sub-topics under it, every community's, "
        "oldest first (public programme information)."
    )
    @page("SubTopic", topic_sub_topics_statement, parent={"topic_id": "id"})
    async def sub_topics(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["SubTopic"]:
        raise NotImplementedError  # `page` answers the field: this body never runs


async def _member_units(root: "SubTopic", info: Info) -> list[Unit]:
    loaded = await info.context.loaders.of(info.context.loaders.rows_of(UnitRow)).load_many(
        list(root.member_unit_ids)
    )
    return sorted((Unit.of(row) for row in loaded if row is not None), key=lambda u: u.db_id)


@projected(
    models.SubTopic,
    id=("community_id", "id"),
    community="community_id",
    held={"written_plan": "plan", "written_review_comment": "review_comment"},
)
@strawberry.type(
    description="子课题: a community's research under a national topic (Art. 16(7)). Once "
    "approved, its title and who carries it are public; its plan, review comment and reports "
    "are read by the community's members, its assigned experts and the project group."
)
class SubTopic(Node):
    id: strawberry.ID
    title: str
    leader_name: str = strawberry.field(description="子课题负责人")
    status: SubTopicStatus
    status_label: str = label("status", SubTopicStatus)
    # Read by their resolvers, not the compiled statement: their check is the row's own
    # community, which a list across communities (`researchTopics`) cannot decide in SQL.
    written_plan: strawberry.Private[str]
    written_review_comment: strawberry.Private[str | None]
    created_at: dt.datetime = strawberry.field(description="when it was registered")
    reviewed_at: dt.datetime | None
    concluded_at: dt.datetime | None
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    topic_id: strawberry.Private[int]
    unit_id: strawberry.Private[int | None]
    member_unit_ids: strawberry.Private[list[int]]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.SubTopic], "SubTopic"]]

    topic: ResearchTopic = related("ResearchTopic", "topic_id", description="Its national topic.")
    community: Community = related("Community", "community_id", same_community=True)
    unit: Unit | None = related(
        "Unit", "unit_id", description="The member unit that carries it; null: the community."
    )
    member_units: list[Unit] = computed(
        Listed(
            "Unit",
            rows=lambda row: select(UnitRow).where(UnitRow.id == func.any(row.c.member_unit_ids)),
            order=lambda rows: [rows.c.id],
        ),
        _member_units,
        description="The member units that take part in it.",
    )

    @strawberry.field(
        description="研究计划: the community's readers only", extensions=IN_ITS_COMMUNITY
    )
    def plan(self) -> str:
        return self.written_plan

    @strawberry.field(
        description="the project group's comment: the community's readers only",
        extensions=IN_ITS_COMMUNITY,
    )
    def review_comment(self) -> str | None:
        return self.written_review_comment

    @strawberry.field(
        description="Its progress and conclusion reports, oldest first: the community's "
        "readers only.",
        extensions=IN_ITS_COMMUNITY,
    )
    @page(
        "TopicReport",
        topic_reports_statement,
        parent={"community_id": "community_id", "sub_topic_id": "id"},
        scope=OWN,
        same_community=True,
    )
    async def reports(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["TopicReport"]:
        raise NotImplementedError  # `page` answers the field: this body never runs


@projected(models.TopicReport, id=("community_id", "id"), community="community_id")
@strawberry.type(description="A sub-topic's progress or conclusion report (进展/结题报告).")
class TopicReport(Node):
    id: strawberry.ID
    stage: TopicStage
    stage_label: str = label("stage", TopicStage)
    body: str
    created_at: dt.datetime = strawberry.field(description="when it was submitted")
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.TopicReport], "TopicReport"]]


@fetches("ResearchTopic")
async def fetch_research_topic(context: Context, keys: tuple[int, ...]) -> ResearchTopic | None:
    async with context.transaction() as session:
        row = await session.get(models.ResearchTopic, keys[0])
    return ResearchTopic.of(row) if row else None


@fetches("SubTopic", arity=2)
async def fetch_sub_topic(context: Context, keys: tuple[int, ...]) -> SubTopic | None:
    """An approved or concluded one for anyone; the others for the community's readers."""
    guard = await context.guard()
    async with context.transaction(keys[0]) as session:
        row = await session.get(models.SubTopic, keys)
    if row is None:
        return None
    if row.status not in CARRIED and not guard.allows(Permission.TENANT_READ, keys[0]):
        return None
    return SubTopic.of(row)


@fetches("TopicReport", arity=2)
async def fetch_topic_report(context: Context, keys: tuple[int, ...]) -> TopicReport | None:
    (await context.guard()).require(Permission.TENANT_READ, keys[0])
    async with context.transaction(keys[0]) as session:
        row = await session.get(models.TopicReport, keys)
    return TopicReport.of(row) if row else None
