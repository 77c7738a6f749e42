"""The programme's vocabularies as GraphQL enums; each enum-valued field gets a `...Label`
sibling in the request's language (`projection.label`)."""

import strawberry

from server.vocabulary import (
    AchievementKind,
    ActivityKind,
    AdmissionCondition,
    ApplicationStatus,
    AssignmentStatus,
    AttendanceStatus,
    AuditRunStatus,
    CommunityStatus,
    ExitScope,
    FeeKind,
    FindingStatus,
    InvoiceStatus,
    LedgerEntryKind,
    Level,
    MembershipRole,
    MembershipStatus,
    Prize,
    RecognitionKind,
    Region,
    ReportKind,
    ReviewDecision,
    ReviewTaskKind,
    RoundStatus,
    Severity,
    SiteStatus,
    SubTopicStatus,
    Theme,
    TopicStage,
    Visibility,
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
strawberry.enum(AdmissionCondition, description="The seven admission conditions of Art. 7")
strawberry.enum(ApplicationStatus, description="Where an application is in admission (Art. 8(1))")
strawberry.enum(
    ReviewDecision,
    description="The project group's decision on an application or a sub-topic",
)
strawberry.enum(ActivityKind, description="活动类型 (Art. 16, 18(2))")
strawberry.enum(
    AttendanceStatus, description="A unit at an activity: an excused absence counts as none"
)
strawberry.enum(ReportKind, description="报告 (Art. 18(4), 18(5), 19(3)): who it goes to and when")
strawberry.enum(ExitScope, description="What a unit left: the programme, or one community")
strawberry.enum(Severity, description="How serious a finding is")
strawberry.enum(FindingStatus, description="OPEN until fixed (RESOLVED) or accepted (WAIVED)")
strawberry.enum(AuditRunStatus, description="Where an audit run is")
strawberry.enum(SubTopicStatus, description="子课题: registered, reviewed, concluded (Art. 16(7))")
strawberry.enum(TopicStage, description="What a sub-topic's report speaks for")
strawberry.enum(AchievementKind, description="成果 (Art. 6b): the six kinds of outcome")
strawberry.enum(
    Visibility,
    description="Who reads an achievement (共建共享): its community, all communities, everyone",
)
strawberry.enum(RecognitionKind, description="What the project group grants (Art. 6(5))")
strawberry.enum(Prize, description="An achievement award's prize (成果奖等级)")
strawberry.enum(
    RoundStatus, description="An evaluation round (评审, Art. 17(4)): open, then closed"
)
strawberry.enum(AssignmentStatus, description="One expert's review of one nominated achievement")
strawberry.enum(ReviewTaskKind, description="What waits in an expert's review queue")
strawberry.enum(FeeKind, description="The fees of Art. 20 (课题研究指导费, 会务费, ...)")
strawberry.enum(InvoiceStatus, description="应收: OPEN while owed, PAID, or CANCELLED")
strawberry.enum(LedgerEntryKind, description="What a ledger entry records")
