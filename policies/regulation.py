"""The regulation's obligations with numbers: one row per rule, with the article a finding
cites ("11", "16(3)": the first where several apply), its usual severity, and what to do about
it. The checks that find them are in `server/compliance/checks.py`, keyed by `id`; the
mutations that refuse the same things call the same domain rules."""

from dataclasses import dataclass


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a Rule)
class Rule:
    id: str
    article: str
    severity: str  # ERROR, WARNING or NOTICE: the usual one (some checks escalate)
    title_zh: str
    title_en: str
    remedy_zh: str
    remedy_en: str
    # What the rule waits for before it can be checked, if its data is not kept yet.
    awaits: str | None = None


CATALOGUE: tuple[Rule, ...] = (
    Rule(
        "community-size",
        "11",
        "ERROR",
        "共同体成员单位数为 3 至 15 个",
        "A community has 3 to 15 member units",
        "吸收新成员单位或调整至其他共同体",
        "admit members, or move units to another community",
    ),
    Rule(
        "same-level",
        "10",
        "WARNING",
        "成员单位原则上与共同体同一层级",
        "Members are in principle of the community's level",
        "书面说明跨层级理由，或调整成员",
        "record the reason in writing, or change the member",
    ),
    Rule(
        "nearby-region",
        "9",
        "WARNING",
        "成员单位位于共同体所在片区",
        "Members lie in the community's region",
        "确认该单位的片区归属",
        "confirm which region the unit belongs to",
    ),
    Rule(
        "structure",
        "14",
        "ERROR",
        "一个组长单位、指定负责人、办公室设在组长单位",
        "One leader unit, a named responsible person, the office at the leader unit",
        "移交或指定组长单位，补全负责人，办公室随组长单位",
        "hand over or name the leader, name its responsible person, seat the office there",
    ),
    Rule(
        "cycle",
        "15",
        "NOTICE",
        "合作周期三年，期满续签",
        "A three-year cycle, renewed when it ends",
        "在周期结束前 90 天内办理续期",
        "renew within the 90 days before the cycle ends",
    ),
    Rule(
        "theme",
        "16(2)",
        "ERROR",
        "至少实施一个共同体项目",
        "At least one theme is implemented",
        "选择至少一个共同体项目",
        "choose at least one theme",
    ),
    Rule(
        "citizen-learning",
        "16(3)",
        "ERROR",
        "每年至少开展两次市民学习活动",
        "Two citizen learning activities a year",
        "安排并登记市民学习活动",
        "hold and record citizen learning activities",
    ),
    Rule(
        "seminars",
        "16(12)",
        "ERROR",
        "每年至少召开两次研讨工作会议",
        "Two seminars or work meetings a year",
        "安排并登记研讨工作会议",
        "hold and record seminars or work meetings",
    ),
    Rule(
        "educator-training",
        "16(5)",
        "ERROR",
        "每个合作周期至少开展一次社区教育工作者培训",
        "One educator training per cycle",
        "在周期结束前安排培训",
        "hold a training before the cycle ends",
    ),
    Rule(
        "learning-week",
        "16(9)",
        "WARNING",
        "每年参与全民终身学习活动周",
        "Takes part in the lifelong learning week every year",
        "登记参与活动周的活动",
        "record the community's learning-week activity",
    ),
    Rule(
        "joint-research",
        "16(7)",
        "WARNING",
        "承担国家课题下的子课题研究",
        "A sub-topic under the national research topic",
        "在总课题下申报子课题并经项目组立项",
        "register a sub-topic under the national topic and have the project group approve it",
    ),
    Rule(
        "semi-annual-report",
        "18(4)",
        "ERROR",
        "每半年向专家组报送发展概况",
        "A report to the experts every half year",
        "尽快提交逾期的半年报",
        "submit the overdue semi-annual report",
    ),
    Rule(
        "annual-summary",
        "18(5)",
        "ERROR",
        "每年向项目组报送年度工作总结",
        "An annual summary to the project group",
        "尽快提交逾期的年度总结",
        "submit the overdue annual summary",
    ),
    Rule(
        "member-summary",
        "19(3)",
        "ERROR",
        "成员单位每年报送年度总结与计划",
        "Each member's annual summary and plan",
        "该成员单位尽快提交",
        "the member submits it",
    ),
    Rule(
        "two-absences",
        "8(2)",
        "ERROR",
        "连续两次无故缺席视为自动退出",
        "Two consecutive unexcused absences mean leaving",
        "已执行退出；如有误，由项目组核实后恢复",
        "enacted; the project group reinstates if wrong",
    ),
    Rule(
        "fees",
        "7(6)",
        "WARNING",
        "按时缴纳公共建设经费",
        "Construction fees paid when due",
        "缴清逾期费用",
        "pay the overdue invoice",
    ),
    Rule(
        "admission-evidence",
        "7",
        "ERROR",
        "在册实验点的七项准入条件均有证明材料",
        "Every active site has the seven conditions evidenced",
        "补交申报材料",
        "file the missing admission evidence",
    ),
    Rule(
        "project-group-cadence",
        "6(3)",
        "NOTICE",
        "项目组每年组织 2-3 次研讨会议、3-4 次培训",
        "The project group holds 2-3 seminars and 3-4 trainings a year",
        "调整年度工作安排",
        "adjust the year's programme",
    ),
    Rule(
        "brand-selection",
        "6(5)",
        "NOTICE",
        "每年遴选 3-5 个全国品牌",
        "3-5 national brands chosen a year",
        "组织品牌遴选",
        "run the brand selection",
    ),
)

RULES = {rule.id: rule for rule in CATALOGUE}
