"""The programme's fixed vocabularies (the regulation's regions, levels, themes, ...), each
value with its Chinese and English label. Clients see the English upper-case name;
`...Label` fields show the label in the request's language.
"""

import enum
from typing import Self, overload


class Labelled(enum.StrEnum):
    """A vocabulary value that knows its labels: `(name, zh, en)` in each member's definition."""

    zh: str
    en: str

    @overload
    def __new__(cls, value: str) -> Self:
        """A member by its value: the enum's own lookup, which never calls this."""

    @overload
    def __new__(cls, value: str, zh: str, en: str) -> Self:
        """A member defined, with its labels."""

    def __new__(cls, value: str, zh: str = "", en: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.zh = zh
        member.en = en
        return member

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.zh


class Level(Labelled):
    PROVINCE = "PROVINCE", "省级", "Provincial"
    PREFECTURE = "PREFECTURE", "地市级", "Prefecture"
    COUNTY = "COUNTY", "区县级", "County"
    TOWNSHIP = "TOWNSHIP", "街镇级", "Township"


class Theme(Labelled):
    COMMUNITY_GOVERNANCE = (
        "COMMUNITY_GOVERNANCE",
        "社区教育融入社区(乡村)治理",
        "Community education in community and rural governance",
    )
    RURAL_REVITALISATION = (
        "RURAL_REVITALISATION",
        "社区教育助力乡村振兴",
        "Community education for rural revitalisation",
    )
    ELDERLY_EDUCATION = "ELDERLY_EDUCATION", "老年教育赋能提质", "Elderly education"
    REGIONAL_ECONOMY = (
        "REGIONAL_ECONOMY",
        "社区教育助力区域经济发展",
        "Community education for regional economic development",
    )
    FAMILY_EDUCATION = (
        "FAMILY_EDUCATION",
        "社区家庭教育融入社区治理",
        "Family education in community governance",
    )
    INTERNET_PLUS = "INTERNET_PLUS", "互联网+社区教育", "Internet+ community education"
    LEARNING_COMMUNITY = "LEARNING_COMMUNITY", "学习共同体建设", "Learning community building"


class SiteStatus(Labelled):
    ACTIVE = "ACTIVE", "在册", "Active"
    WITHDRAWN = "WITHDRAWN", "申请退出", "Withdrawn"
    AUTO_EXITED = "AUTO_EXITED", "视为自动退出", "Deemed to have left"


class MembershipRole(Labelled):
    LEADER = "LEADER", "组长单位", "Leader unit"
    DEPUTY = "DEPUTY", "副组长单位", "Deputy unit"
    MEMBER = "MEMBER", "成员单位", "Member unit"


class MembershipStatus(Labelled):
    ACTIVE = "ACTIVE", "在册", "Active"
    WITHDRAWN = "WITHDRAWN", "申请退出", "Withdrawn"
    AUTO_EXITED = "AUTO_EXITED", "视为自动退出", "Deemed to have left"


class CommunityStatus(Labelled):
    ACTIVE = "ACTIVE", "合作周期中", "In its cycle"
    CYCLE_ENDED = "CYCLE_ENDED", "合作周期已结束", "Cycle ended"
    DISSOLVED = "DISSOLVED", "已解散", "Dissolved"


class Region(Labelled):
    """The regions of Art. 9. Each maps to the provinces it covers (`server/regions/`); a new
    region is a new member here and a migration adding its row and provinces."""

    YANGTZE_RIVER_DELTA = "YANGTZE_RIVER_DELTA", "长三角", "Yangtze River Delta"
    PEARL_RIVER_DELTA = "PEARL_RIVER_DELTA", "珠三角", "Pearl River Delta"
    BEIJING_TIANJIN_HEBEI = "BEIJING_TIANJIN_HEBEI", "京津冀", "Beijing-Tianjin-Hebei"
    CHENGDU_CHONGQING = "CHENGDU_CHONGQING", "成渝", "Chengdu-Chongqing"
    SOUTHWEST = "SOUTHWEST", "西南", "Southwest"
    NORTHWEST = "NORTHWEST", "西北", "Northwest"
    NORTHEAST = "NORTHEAST", "东北", "Northeast"
    CENTRAL_CHINA = "CENTRAL_CHINA", "华中", "Central China"


class AdmissionCondition(Labelled):
    """The seven admission conditions of Art. 7, in its order."""

    WILLINGNESS = "WILLINGNESS", "合作意愿与接受领导管理", "Will to cooperate and accept guidance"
    AUTHORITY_CONSENT = (
        "AUTHORITY_CONSENT",
        "当地教育主管部门同意",
        "Consent of the education authority",
    )
    SELF_FUNDED_ORGANISATION = (
        "SELF_FUNDED_ORGANISATION",
        "组织健全、自筹经费、落实实施单位",
        "An organised, self-funded implementing body",
    )
    RESPONSIBLE_PERSON_AND_TEAM = (
        "RESPONSIBLE_PERSON_AND_TEAM",
        "专人负责并成立项目小组",
        "A responsible person and a project team",
    )
    AREA_MOBILISATION = "AREA_MOBILISATION", "发动全域参与", "Mobilises its whole area"
    ACCEPTS_GUIDANCE_AND_FEES = (
        "ACCEPTS_GUIDANCE_AND_FEES",
        "接受指导并缴纳公共建设经费",
        "Accepts guidance and pays the construction fees",
    )
    ACCEPTS_RULES = "ACCEPTS_RULES", "遵守管理办法全部内容", "Accepts these rules in full"


class ApplicationStatus(Labelled):
    SUBMITTED = "SUBMITTED", "已提交", "Submitted"
    APPROVED = "APPROVED", "审核通过", "Approved"
    REJECTED = "REJECTED", "未通过", "Rejected"
    PUBLISHED = "PUBLISHED", "已公布", "Published"


class ReviewDecision(Labelled):
    APPROVE = "APPROVE", "通过", "Approve"
    REJECT = "REJECT", "不通过", "Reject"


class ActivityKind(Labelled):
    CITIZEN_LEARNING = "CITIZEN_LEARNING", "市民学习活动", "Citizen learning activity"
    SEMINAR = "SEMINAR", "研讨工作会议", "Seminar or work meeting"
    TRAINING = "TRAINING", "社区教育工作者培训", "Educator training"
    LEARNING_WEEK = "LEARNING_WEEK", "全民终身学习活动周", "Lifelong learning week"
    RESEARCH = "RESEARCH", "课题研究", "Joint research"
    OTHER = "OTHER", "其他活动", "Other"


class AttendanceStatus(Labelled):
    ATTENDED = "ATTENDED", "出席", "Attended"
    ABSENT = "ABSENT", "缺席", "Absent"
    EXCUSED = "EXCUSED", "请假", "Excused"


class ReportKind(Labelled):
    SEMI_ANNUAL = "SEMI_ANNUAL", "半年发展概况（报专家组）", "Semi-annual report to the experts"
    ANNUAL_SUMMARY = (
        "ANNUAL_SUMMARY",
        "年度工作总结（报项目组）",
        "Annual summary to the project group",
    )
    MEMBER_ANNUAL = "MEMBER_ANNUAL", "成员单位年度总结与计划", "A member's annual summary and plan"
    PLAN = "PLAN", "工作推进计划", "Work plan"


class ExitScope(Labelled):
    PROGRAMME = "PROGRAMME", "退出项目", "Left the programme"
    COMMUNITY = "COMMUNITY", "退出共同体", "Left a community"


class Severity(Labelled):
    ERROR = "ERROR", "违规", "Error"
    WARNING = "WARNING", "预警", "Warning"
    NOTICE = "NOTICE", "提示", "Notice"


class FindingStatus(Labelled):
    OPEN = "OPEN", "待整改", "Open"
    RESOLVED = "RESOLVED", "已消除", "Resolved"
    WAIVED = "WAIVED", "已豁免", "Waived"


class AuditRunStatus(Labelled):
    QUEUED = "QUEUED", "排队中", "Queued"
    RUNNING = "RUNNING", "运行中", "Running"
    SUCCEEDED = "SUCCEEDED", "已完成", "Succeeded"
    FAILED = "FAILED", "失败", "Failed"


class NewsStatus(Labelled):
    DRAFT = "DRAFT", "草稿", "Draft"
    PUBLISHED = "PUBLISHED", "已发布", "Published"


class SubTopicStatus(Labelled):
    """Where a sub-topic (子课题) is: registered, reviewed by the project group, concluded."""

    PENDING = "PENDING", "待审核", "Awaiting review"
    APPROVED = "APPROVED", "已立项", "Approved"
    REJECTED = "REJECTED", "未立项", "Rejected"
    CONCLUDED = "CONCLUDED", "已结题", "Concluded"


class TopicStage(Labelled):
    """What a sub-topic's report speaks for: its progress, or its conclusion (结题)."""

    PROGRESS = "PROGRESS", "进展报告", "Progress report"
    CONCLUSION = "CONCLUSION", "结题报告", "Conclusion report"


class AchievementKind(Labelled):
    """What the programme produces (Art. 6b): the six kinds of outcome."""

    PAPER = "PAPER", "科研论文", "Research paper"
    CASE = "CASE", "典型案例", "Typical case"
    BRAND = "BRAND", "终身学习特色品牌", "Lifelong-learning brand"
    PUBLICATION = "PUBLICATION", "出版物", "Publication"
    COURSE_RESOURCE = "COURSE_RESOURCE", "特色课程资源", "Course resource"
    PLATFORM = "PLATFORM", "平台", "Platform"


class Visibility(Labelled):
    """Who reads an achievement (共建共享, Art. 6b, 16(6)): kept to its community, shared with
    every community, or public on the sub-platform and the main platform."""

    COMMUNITY = "COMMUNITY", "仅本共同体", "This community only"
    ALL_COMMUNITIES = "ALL_COMMUNITIES", "各共同体共享", "Shared with all communities"
    PUBLIC = "PUBLIC", "公开", "Public"


class RecognitionKind(Labelled):
    """What the project group grants from a closed round (Art. 6(5))."""

    ACHIEVEMENT_AWARD = "ACHIEVEMENT_AWARD", "成果奖", "Achievement award"
    HONOUR_CERTIFICATE = "HONOUR_CERTIFICATE", "荣誉证书", "Honour certificate"
    MODEL_COMMUNITY = "MODEL_COMMUNITY", "示范共同体", "Demonstration community"
    FEATURED_COMMUNITY = "FEATURED_COMMUNITY", "特色共同体", "Featured community"
    MODEL_UNIT = "MODEL_UNIT", "项目示范单位", "Demonstration unit"
    FEATURED_UNIT = "FEATURED_UNIT", "项目特色单位", "Featured unit"
    NATIONAL_BRAND = "NATIONAL_BRAND", "全国终身学习特色品牌", "National lifelong-learning brand"


class Prize(Labelled):
    """An achievement award's prize (成果奖等级)."""

    FIRST = "FIRST", "一等奖", "First prize"
    SECOND = "SECOND", "二等奖", "Second prize"
    THIRD = "THIRD", "三等奖", "Third prize"


class RoundStatus(Labelled):
    """Where an evaluation round (评审) is: nominations and reviews, then closed into a ranking."""

    OPEN = "OPEN", "评审中", "Open"
    CLOSED = "CLOSED", "已结束", "Closed"


class AssignmentStatus(Labelled):
    """Where one expert's review of one nominated achievement is."""

    ASSIGNED = "ASSIGNED", "待评审", "Awaiting review"
    SUBMITTED = "SUBMITTED", "已评审", "Reviewed"
    CONFLICT_DECLARED = "CONFLICT_DECLARED", "已申请回避", "Conflict declared"


class ReviewTaskKind(Labelled):
    """What waits in an expert's review queue: a semi-annual report, or a nominated
    achievement."""

    REPORT = "REPORT", "半年报告审阅", "Report review"
    ACHIEVEMENT = "ACHIEVEMENT", "成果评审", "Achievement review"


class FeeKind(Labelled):
    """The fees the programme is funded by (Art. 20)."""

    RESEARCH_GUIDANCE = "RESEARCH_GUIDANCE", "课题研究指导费", "Research guidance fee"
    CONFERENCE = "CONFERENCE", "会务费", "Conference fee"
    TRAINING = "TRAINING", "培训费", "Training fee"
    SUB_SITE = "SUB_SITE", "分站建设费", "Sub-site construction fee"
    EXPERT_GUIDANCE = "EXPERT_GUIDANCE", "专家指导费", "Expert guidance fee"
    EVALUATION = "EVALUATION", "项目评估费", "Evaluation fee"


class InvoiceStatus(Labelled):
    """Where an invoice (应收) is: open while something is owed, paid, or cancelled."""

    OPEN = "OPEN", "待缴", "Open"
    PAID = "PAID", "已缴清", "Paid"
    CANCELLED = "CANCELLED", "已作废", "Cancelled"


class LedgerEntryKind(Labelled):
    """What a ledger entry records; an invoice's balance is the sum of its entries."""

    CHARGE = "CHARGE", "应收", "Charge"
    PAYMENT = "PAYMENT", "缴费", "Payment"
    REFUND = "REFUND", "退款", "Refund"
    CANCELLATION = "CANCELLATION", "作废冲销", "Cancellation"
