"""The checks behind the rule catalogue (`policies/regulation.py`): pure functions over the
facts read once for every community in scope. Where a mutation refuses the same thing, both
call the same rule in the domain (`server/communities/rules.py`, `server/reports/rules.py`)."""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from policies.regulation import RULES
from server.activities.service import activity_ref
from server.clock import chinese_date
from server.communities import rules as community_rules
from server.communities.models import Community
from server.compliance.facts import Facts, ProgrammeFacts
from server.fees import rules as fee_rules
from server.recognition import rules as recognition_rules
from server.reports import rules as report_rules
from server.research import rules as research_rules
from server.vocabulary import (
    ActivityKind,
    AdmissionCondition,
    InvoiceStatus,
    MembershipRole,
    ReportKind,
    Severity,
    SubTopicStatus,
)

COMMUNITY = "community"
TRAINING_WARNING_DAYS = 180  # warn when a cycle this close to its end has held no training


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a Found)
class Found:
    rule: str
    community_id: int | None
    subject: str
    period: str
    severity: Severity
    zh: str
    en: str
    evidence: tuple[str, ...] = ()
    unit_id: int | None = None

    @property
    def article(self) -> str:
        return RULES[self.rule].article


def unit_subject(unit_id: int) -> str:
    return f"unit:{unit_id}"


def _found(
    rule: str,
    community: Community,
    severity: Severity,
    zh: str,
    en: str,
    *,
    subject: str = COMMUNITY,
    period: str = "",
    evidence: tuple[str, ...] = (),
    unit_id: int | None = None,
) -> Found:
    return Found(rule, community.id, subject, period, severity, zh, en, evidence, unit_id)


def community_size(facts: Facts, community: Community) -> Iterator[Found]:
    active = len(facts.members.get(community.id, []))
    if error := community_rules.size_error(active):
        yield _found("community-size", community, Severity.ERROR, error.zh, error.en)


def same_level(facts: Facts, community: Community) -> Iterator[Found]:
    if community.mixed_level_reason:
        return  # the written reason Art. 10's "in principle" asks for is on record
    for member in facts.members.get(community.id, []):
        if community_rules.mismatched_levels(community.level, [member.level]):
            yield _found(
                "same-level",
                community,
                Severity.WARNING,
                f"{member.name}为{member.level.zh}，与共同体层级（{community.level.zh}）不同，且无书面理由",
                f"{member.name} is {member.level.en}, not the community's level "
                f"({community.level.en}), with no written reason",
                subject=unit_subject(member.unit_id),
                unit_id=member.unit_id,
            )


def nearby_region(facts: Facts, community: Community) -> Iterator[Found]:
    provinces = facts.region_provinces.get(community.region, set())
    for member in facts.members.get(community.id, []):
        if not community_rules.in_region(member.province, provinces):
            yield _found(
                "nearby-region",
                community,
                Severity.WARNING,
                f"{member.name}所在省份不属于共同体所在片区",
                f"{member.name} lies outside the community's region",
                subject=unit_subject(member.unit_id),
                unit_id=member.unit_id,
            )


def structure(facts: Facts, community: Community) -> Iterator[Found]:
    members = facts.members.get(community.id, [])
    leaders = [m for m in members if m.role is MembershipRole.LEADER]
    if len(leaders) != 1:
        yield _found(
            "structure",
            community,
            Severity.ERROR,
            f"共同体须有且只有一个组长单位，现有 {len(leaders)} 个",
            f"a community needs exactly one leader unit; it has {len(leaders)}",
            subject="community:leader",
        )
        return
    (leader,) = leaders
    if not (leader.responsible_person or "").strip():
        yield _found(
            "structure",
            community,
            Severity.ERROR,
            f"组长单位{leader.name}未指定负责人",
            f"the leader unit {leader.name} names no responsible person",
            subject="community:person",
            unit_id=leader.unit_id,
        )
    if community.office_unit_id != leader.unit_id:
        yield _found(
            "structure",
            community,
            Severity.ERROR,
            "共同体办公室未设在组长单位",
            "the community office is not at the leader unit",
            subject="community:office",
        )


def cycle(facts: Facts, community: Community) -> Iterator[Found]:
    period = f"cycle:{community.cycle_start.isoformat()}"
    if community.cycle_end != community_rules.cycle_end_for(community.cycle_start):
        yield _found(
            "cycle",
            community,
            Severity.ERROR,
            f"合作周期（{community.cycle_start} 至 {community.cycle_end}）不是三年",
            f"the cycle ({community.cycle_start} to {community.cycle_end}) is not three years",
            subject="community:length",
            period=period,
        )
    if community.cycle_end < facts.today:
        yield _found(
            "cycle",
            community,
            Severity.ERROR,
            f"合作周期已于 {community.cycle_end} 结束，未续期",
            f"the cycle ended on {community.cycle_end} without renewal",
            subject="community:ended",
            period=period,
        )
    elif facts.today >= community_rules.renewal_opens(community.cycle_end):
        yield _found(
            "cycle",
            community,
            Severity.NOTICE,
            f"合作周期将于 {community.cycle_end} 结束，可办理续期",
            f"the cycle ends on {community.cycle_end}; it can be renewed now",
            subject="community:ending",
            period=period,
        )


def theme(facts: Facts, community: Community) -> Iterator[Found]:
    if error := community_rules.themes_error(community.themes):
        yield _found("theme", community, Severity.ERROR, error.zh, error.en)


def _years(community: Community, today: dt.date) -> Iterator[tuple[int, bool]]:
    """The calendar years an annual rule covers, with whether each is over: a year counts when
    the cycle covers at least half of it (a cycle from March counts its first year, one
    ending in February does not count its last)."""
    last_year = min(today.year, community.cycle_end.year)
    # Not mutated: one year more is past the cycle or today, and the filters below drop it.
    for year in range(community.cycle_start.year, last_year + 1):  # pragma: no mutate
        first = max(community.cycle_start, dt.date(year, 1, 1))
        last = min(community.cycle_end, dt.date(year, 12, 31))
        if (last - first).days + 1 >= 183 and first <= today:
            yield year, last < today


def _annual(
    rule: str, kind: ActivityKind, required: int, late: Severity
) -> Callable[[Facts, Community], Iterator[Found]]:
    def check(facts: Facts, community: Community) -> Iterator[Found]:
        for year, over in _years(community, facts.today):
            held = facts.activities.get((community.id, kind, year))
            count, planned = (len(held.held), held.planned) if held else (0, 0)
            evidence = tuple(activity_ref(community.id, a) for a in held.held) if held else ()
            if over and count < required:
                yield _found(
                    rule,
                    community,
                    late,
                    f"{year} 年只举办了 {count} 次{kind.zh}，至少应有 {required} 次",
                    f"{count} {kind.en.lower()} held in {year}; at least {required} required",
                    period=str(year),
                    evidence=evidence,
                )
            elif not over and planned < required and late is Severity.ERROR:
                yield _found(
                    rule,
                    community,
                    Severity.WARNING,
                    f"{year} 年已举办和已安排的{kind.zh}共 {planned} 次，"
                    f"年底前至少应有 {required} 次",
                    f"{planned} {kind.en.lower()} held or scheduled in {year}; "
                    f"{required} are due by the year's end",
                    period=str(year),
                    evidence=evidence,
                )

    return check


citizen_learning = _annual("citizen-learning", ActivityKind.CITIZEN_LEARNING, 2, Severity.ERROR)
seminars = _annual("seminars", ActivityKind.SEMINAR, 2, Severity.ERROR)
learning_week = _annual("learning-week", ActivityKind.LEARNING_WEEK, 1, Severity.WARNING)


def educator_training(facts: Facts, community: Community) -> Iterator[Found]:
    held, planned = facts.in_cycle(community, ActivityKind.TRAINING)
    period = f"cycle:{community.cycle_start.isoformat()}"
    if community.cycle_end < facts.today and not held:
        yield _found(
            "educator-training",
            community,
            Severity.ERROR,
            "合作周期内未开展社区教育工作者培训",
            "the cycle ended without an educator training",
            period=period,
        )
    elif (
        community.cycle_end >= facts.today
        and not planned
        and (community.cycle_end - facts.today).days <= TRAINING_WARNING_DAYS
    ):
        yield _found(
            "educator-training",
            community,
            Severity.WARNING,
            f"合作周期将于 {community.cycle_end} 结束，尚未安排社区教育工作者培训",
            f"the cycle ends on {community.cycle_end} and no educator training is scheduled",
            period=period,
        )


def joint_research(facts: Facts, community: Community) -> Iterator[Found]:
    """Art. 16(7): 365 days into its cycle a community carries an approved (or concluded)
    sub-topic under the national topic; meetings or activities do not count."""
    sub_topics = facts.sub_topics.get(community.id, [])
    if research_rules.joint_research_missing(
        sub_topics, community.cycle_start, community.cycle_end, facts.today
    ):
        pending = sum(s.status is SubTopicStatus.PENDING for s in sub_topics)
        waiting_zh = f"（{pending} 项子课题待项目组审核）" if pending else ""
        waiting_en = f" ({pending} awaiting the project group's review)" if pending else ""
        yield _found(
            "joint-research",
            community,
            Severity.WARNING,
            f"合作一年来尚无经项目组立项的子课题{waiting_zh}",
            f"a year into the cycle, no sub-topic approved by the project group{waiting_en}",
            period=f"cycle:{community.cycle_start.isoformat()}",
        )


REPORT_RULES = {
    ReportKind.SEMI_ANNUAL: "semi-annual-report",
    ReportKind.ANNUAL_SUMMARY: "annual-summary",
    ReportKind.MEMBER_ANNUAL: "member-summary",
}


def reports(facts: Facts, community: Community) -> Iterator[Found]:
    """Overdue: due before today (on its due day a report is not late yet) and not in."""
    members = {m.unit_id: m for m in facts.members.get(community.id, [])}
    yesterday = facts.today - dt.timedelta(days=1)
    for owed in report_rules.owed(community.cycle_start, members, yesterday, community.cycle_end):
        rule = REPORT_RULES.get(owed.kind)
        if rule is None or facts.submitted(community.id, owed):
            continue
        period = owed.period
        name = members[owed.unit_id].name if owed.unit_id else None
        whose, whose_en = (f"{name}的", f" ({name})") if name else ("", "")
        yield _found(
            rule,
            community,
            Severity.ERROR,
            # 2026年上半年的半年发展概况…, 单位1的2026年成员单位年度总结与计划…
            f"{whose}{owed.period_zh}{'' if whose else '的'}{owed.kind.zh}"
            f"已于{chinese_date(owed.due_on)}到期，尚未提交",
            f"{owed.kind.en} for {period}{whose_en} was due on {owed.due_on}",
            subject=unit_subject(owed.unit_id) if owed.unit_id else COMMUNITY,
            period=period,
            unit_id=owed.unit_id,
        )


def fees(facts: Facts, community: Community) -> Iterator[Found]:
    """Art. 7(6), 19(4): an invoice charged through the community still owed more than
    `fee_rules.GRACE_DAYS` days after its due date (the arrears list and an invoice's
    `daysOverdue` count the same days)."""
    names = {m.unit_id: m.name for m in facts.members.get(community.id, [])}
    for owing in facts.owing.get(community.id, []):
        if not fee_rules.overdue_finding(
            InvoiceStatus.OPEN, owing.balance_fen, owing.due_on, facts.today
        ):
            continue
        days = fee_rules.days_overdue(owing.due_on, facts.today)
        whose = "共同体" if owing.unit_id is None else names.get(owing.unit_id, "成员单位")
        whose_en = "the community" if owing.unit_id is None else f"unit {owing.unit_id}"
        yield _found(
            "fees",
            community,
            Severity.WARNING,
            f"{whose}的应收单 {owing.number}（待缴 {fee_rules.yuan(owing.balance_fen)} 元）"
            f"已于{chinese_date(owing.due_on)}到期，逾期 {days} 天未缴清",
            f"invoice {owing.number} of {whose_en} ({owing.balance_fen} fen owed) was due on "
            f"{owing.due_on}: {days} days overdue",
            subject=unit_subject(owing.unit_id) if owing.unit_id else COMMUNITY,
            period=owing.number,
            evidence=(f"Invoice:{community.id}:{owing.invoice_id}",),
            unit_id=owing.unit_id,
        )


CommunityCheck = Callable[[Facts, Community], Iterator[Found]]
COMMUNITY_CHECKS: dict[str, CommunityCheck] = {
    "community-size": community_size,
    "same-level": same_level,
    "nearby-region": nearby_region,
    "structure": structure,
    "cycle": cycle,
    "theme": theme,
    "citizen-learning": citizen_learning,
    "seminars": seminars,
    "educator-training": educator_training,
    "learning-week": learning_week,
    "joint-research": joint_research,
    "semi-annual-report": reports,
    "annual-summary": reports,
    "member-summary": reports,
    "fees": fees,
}


def check_community(facts: Facts, community: Community) -> list[Found]:
    """Every community rule's findings for one community, in catalogue order."""
    done: set[CommunityCheck] = set()
    found: list[Found] = []
    for check in COMMUNITY_CHECKS.values():
        if check not in done:
            done.add(check)
            found += check(facts, community)
    return found


def admission_evidence(facts: ProgrammeFacts) -> Iterator[Found]:
    for unit_id, (name, conditions) in sorted(facts.evidenced.items()):
        if conditions < len(AdmissionCondition):
            yield Found(
                "admission-evidence",
                None,
                unit_subject(unit_id),
                "",
                Severity.ERROR,
                f"实验点{name}的七项准入条件只有 {conditions} 项有证明材料",
                f"the site {name} has evidence for {conditions} of the seven conditions",
                unit_id=unit_id,
            )


CADENCE = {ActivityKind.SEMINAR: (2, 3), ActivityKind.TRAINING: (3, 4)}


def project_group_cadence(facts: ProgrammeFacts) -> Iterator[Found]:
    if facts.first_year is None:
        return
    for year in range(facts.first_year, facts.today.year):
        for kind, (low, high) in CADENCE.items():
            held = facts.activities.get((kind, year), 0)
            if not low <= held <= high:
                yield Found(
                    "project-group-cadence",
                    None,
                    f"programme:{kind.value}",
                    str(year),
                    Severity.NOTICE,
                    f"{year} 年项目组举办{kind.zh} {held} 次，应为 {low}-{high} 次",
                    f"the project group held {held} {kind.en.lower()} in {year}; "
                    f"{low}-{high} expected",
                )


def brand_selection(facts: ProgrammeFacts) -> Iterator[Found]:
    """Art. 6(5): once a year of the programme is over, at least three national brands were
    chosen for it (the grant refuses a sixth: `recognition_rules.brand_limit_error`)."""
    if facts.first_year is None:
        return
    for year in range(facts.first_year, facts.today.year):
        chosen = facts.brands.get(year, 0)
        if recognition_rules.brands_short(chosen, year, facts.today.year):
            yield Found(
                "brand-selection",
                None,
                "programme:NATIONAL_BRAND",
                str(year),
                Severity.NOTICE,
                f"{year} 年评定全国终身学习特色品牌 {chosen} 个，"
                f"每年应为 {recognition_rules.FEWEST_BRANDS}-{recognition_rules.MOST_BRANDS} 个",
                f"{chosen} national brands were chosen for {year}; "
                f"{recognition_rules.FEWEST_BRANDS}-{recognition_rules.MOST_BRANDS} expected",
            )


PROGRAMME_CHECKS: dict[str, Callable[[ProgrammeFacts], Iterator[Found]]] = {
    "admission-evidence": admission_evidence,
    "project-group-cadence": project_group_cadence,
    "brand-selection": brand_selection,
}


def check_programme(facts: ProgrammeFacts) -> list[Found]:
    return [f for check in PROGRAMME_CHECKS.values() for f in check(facts)]
