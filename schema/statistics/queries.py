import strawberry

from schema.statistics.types import ProgrammeStatistics


@strawberry.type
class StatisticsQueries:
    @strawberry.field(
        description="The programme's national figures: communities by region and level, "
        "active sites by level and province, activities per month (public)."
    )
    def programme_statistics(self) -> ProgrammeStatistics:
        return ProgrammeStatistics()
