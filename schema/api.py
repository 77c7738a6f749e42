"""The one schema every client shares: the domains' queries merged, with the limits and caches
that keep it safe and fast."""

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

import schema.core.vocabulary  # noqa: F401  (registers the vocabularies as GraphQL enums)
from schema.access.mutations import AccessMutations
from schema.accounts.mutations import AccountMutations
from schema.accounts.queries import AccountQueries
from schema.achievements.mutations import AchievementMutations
from schema.achievements.queries import AchievementQueries
from schema.activities.mutations import ActivityMutations
from schema.activities.queries import ActivityQueries
from schema.admission.mutations import AdmissionMutations
from schema.admission.queries import AdmissionQueries
from schema.audit.queries import AuditQueries
from schema.communities.mutations import CommunityMutations
from schema.communities.queries import CommunityQueries
from schema.compliance.mutations import ComplianceMutations
from schema.compliance.queries import ComplianceQueries
from schema.compliance.subscriptions import ComplianceSubscriptions
from schema.core.errors import UserError, log_errors, should_mask
from schema.core.execution import Execution
from schema.core.limits import apply as apply_limits
from schema.core.node import NodeQueries
from schema.core.scalars import SCALARS
from schema.core.strawberry_private import graphql_schema
from schema.evaluation.mutations import EvaluationMutations
from schema.evaluation.queries import EvaluationQueries
from schema.fees.mutations import FeeMutations
from schema.fees.queries import FeeQueries
from schema.news.mutations import NewsMutations
from schema.news.queries import NewsQueries
from schema.notifications.inbox import (
    NotificationMutations,
    NotificationQueries,
    NotificationSubscriptions,
)
from schema.recognition.mutations import RecognitionMutations
from schema.recognition.queries import RecognitionQueries
from schema.reports.mutations import ReportMutations
from schema.reports.types import Report
from schema.research.mutations import ResearchMutations
from schema.research.queries import ResearchQueries
from schema.statistics.queries import StatisticsQueries
from schema.units.mutations import UnitMutations
from schema.units.queries import UnitQueries
from schema.uploads.types import Upload

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000

Query = merge_types(
    "Query",
    (
        AccountQueries,
        NodeQueries,
        CommunityQueries,
        UnitQueries,
        AdmissionQueries,
        ActivityQueries,
        NotificationQueries,
        ComplianceQueries,
        AuditQueries,
        StatisticsQueries,
        NewsQueries,
        ResearchQueries,
        AchievementQueries,
        RecognitionQueries,
        EvaluationQueries,
        FeeQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutations,
        AccessMutations,
        UnitMutations,
        AdmissionMutations,
        CommunityMutations,
        ActivityMutations,
        ReportMutations,
        NotificationMutations,
        ComplianceMutations,
        NewsMutations,
        ResearchMutations,
        AchievementMutations,
        RecognitionMutations,
        EvaluationMutations,
        FeeMutations,
    ),
)
Subscription = merge_types("Subscription", (ComplianceSubscriptions, NotificationSubscriptions))

# The limiters' rule classes, made once: each limiter instance makes new classes, and the
# validation cache is keyed by them, so a limiter per request would never hit the cache.
LIMITS = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


def masking() -> MaskErrors:
    """What a client is told of an error the server did not mean to say."""
    return MaskErrors(should_mask_error=should_mask, error_message="服务器内部错误")


class Schema(strawberry.Schema):
    """strawberry's schema, whose errors are logged without the document's text: strawberry
    logs each with the lines of the document around it (a password literal included)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        if execution_context is None:
            log_errors(errors, None, None)
        else:
            log_errors(errors, execution_context.context, execution_context.operation_name)


SCHEMA = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[UserError, Report, Upload],
    execution_context_class=Execution,
    config=StrawberryConfig(scalar_map=SCALARS),
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=512),
        lambda: AddValidationRules(LIMITS),
        lambda: ValidationCache(maxsize=512),
        masking,
    ],
)
apply_limits(graphql_schema(SCHEMA))


def sdl() -> str:
    return SCHEMA.as_str() + "\n"
