"""The programme's vocabularies as GraphQL enums; each enum-valued field gets a `...Label`
sibling in the request's language."""

import strawberry

from server.vocabulary import (
    CommunityStatus,
    Level,
    MembershipRole,
    MembershipStatus,
    Region,
    SiteStatus,
    Theme,
)

strawberry.enum(
    Level, description="层级 (Art. 10): the administrative level of a unit or community"
)
strawberry.enum(Region, description="片区 (Art. 9): the region a community forms in")
strawberry.enum(Theme, description="共同体项目 (Art. 16(2)): the themes a community implements")
strawberry.enum(SiteStatus, description="An experiment site's standing in the programme")
strawberry.enum(MembershipRole, description="A unit's role in its community (Art. 14)")
strawberry.enum(MembershipStatus, description="A unit's standing in a community (Art. 12)")
strawberry.enum(CommunityStatus, description="Where a community is in its 3-year cycle (Art. 15)")
