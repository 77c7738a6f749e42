"""The national data set, generated with a fixed seed: one unit per division at each level
(GB/T 2260-shaped codes, names as such bodies are named), communities of 3-15 units grouped
by level and region, five years of activities with attendance, reports, news, and the accounts to
sign in as each role. Rows come out as tuples in the column order `load.py` copies them in."""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from server import markdown
from server.communities.rules import MAX_UNITS, MIN_UNITS, cycle_end_for
from server.regions.provinces import PROVINCES, REGION_PROVINCES
from server.reports import rules as report_rules
from server.vocabulary import (
    ActivityKind,
    AdmissionCondition,
    AttendanceStatus,
    FeeKind,
    InvoiceStatus,
    LedgerEntryKind,
    Level,
    MembershipRole,
    NewsStatus,
    Region,
    ReportKind,
    Theme,
)

SEED = 20261129
NEWS_SEED = SEED + 1
# A row for COPY, its values in the table's column order: of mixed types, which asyncpg
# encodes by the columns'.
Record = tuple[Any, ...]
# China, end of 2022 (Ministry of Civil Affairs): divisions at each level.
DIVISIONS = {Level.PROVINCE: 34, Level.PREFECTURE: 333, Level.COUNTY: 2844, Level.TOWNSHIP: 38700}
YEARS = 5
ACTIVITIES_PER_YEAR = 64  # 5,600 communities x ~4.3 years x 64 = about 1.5 million
PASSWORD = "gongxue-national-2026"
DOMAIN = "national.gongxue.test"

SYLLABLES = "安平江阳山河东西南北临清新长宁德华兴永丰泰和明康福昌庆兰云海城川源溪林峰湖宝金"
SUFFIX = {
    Level.PROVINCE: "终身教育指导中心",
    Level.PREFECTURE: "市社区大学",
    Level.COUNTY: "区社区学院",
    Level.TOWNSHIP: "街道社区学校",
}
KINDS = [
    (ActivityKind.CITIZEN_LEARNING, 0.30),
    (ActivityKind.SEMINAR, 0.25),
    (ActivityKind.TRAINING, 0.15),
    (ActivityKind.LEARNING_WEEK, 0.05),
    (ActivityKind.RESEARCH, 0.10),
    (ActivityKind.OTHER, 0.15),
]


@dataclass(frozen=True)
class Unit:
    id: int
    level: Level
    province: str
    code: str
    name: str


@dataclass
class NationalCommunity:
    id: int
    slug: str
    region: str
    level: Level
    formed: dt.date
    cycle_start: dt.date
    units: list[Unit] = field(default_factory=list)


def counts(scale: float) -> dict[Level, int]:
    provinces = max(1, round(DIVISIONS[Level.PROVINCE] * scale))
    prefectures = max(provinces, round(DIVISIONS[Level.PREFECTURE] * scale))
    counties = max(prefectures, round(DIVISIONS[Level.COUNTY] * scale))
    townships = max(counties, round(DIVISIONS[Level.TOWNSHIP] * scale))
    return {
        Level.PROVINCE: provinces,
        Level.PREFECTURE: prefectures,
        Level.COUNTY: counties,
        Level.TOWNSHIP: townships,
    }


def _spread(total: int, parents: int) -> list[int]:
    """`total` children over `parents` as evenly as possible."""
    return [total // parents + (1 if i < total % parents else 0) for i in range(parents)]


def _place(rng: random.Random) -> str:
    return "".join(rng.sample(SYLLABLES, 2))


def units(scale: float, rng: random.Random) -> list[Unit]:
    """A tree of divisions: provinces, their prefectures, counties, townships."""
    n = counts(scale)
    made: list[Unit] = []

    def add(level: Level, province: str, code: str, place: str) -> Unit:
        unit = Unit(len(made) + 1, level, province, code, f"{place}{SUFFIX[level]}")
        made.append(unit)
        return unit

    provinces = sorted(PROVINCES)[: n[Level.PROVINCE]]
    prefectures_in = _spread(n[Level.PREFECTURE], len(provinces))
    prefecture_codes: list[tuple[str, str]] = []
    for code, k in zip(provinces, prefectures_in, strict=True):
        add(Level.PROVINCE, code, f"{code}0000", PROVINCES[code][0].rstrip("省市"))
        for p in range(1, k + 1):
            prefecture_codes.append((code, f"{code}{p:02d}"))
    counties_in = _spread(n[Level.COUNTY], len(prefecture_codes))
    county_codes: list[tuple[str, str]] = []
    for (province, prefix), k in zip(prefecture_codes, counties_in, strict=True):
        add(Level.PREFECTURE, province, f"{prefix}00", _place(rng))
        for c in range(1, k + 1):
            county_codes.append((province, f"{prefix}{c:02d}"))
    towns_in = _spread(n[Level.TOWNSHIP], len(county_codes))
    for (province, prefix), k in zip(county_codes, towns_in, strict=True):
        add(Level.COUNTY, province, prefix, _place(rng))
        for t in range(1, k + 1):
            add(Level.TOWNSHIP, province, f"{prefix}{t:03d}", _place(rng))
    return made


def communities(sites: list[Unit], today: dt.date, rng: random.Random) -> list[NationalCommunity]:
    """Units grouped by region and level into communities of 3-12, formed over the last five
    years; those formed more than three years ago are in their second cycle. The first of
    each region's level has the fifteen units the regulation allows at most, so that the
    largest size is there to be read and recorded (the benchmark records its attendance)."""
    region_of = {p: r for r, provinces in REGION_PROVINCES.items() for p in provinces}
    groups: dict[tuple[str, Level], list[Unit]] = {}
    for unit in sites:
        groups.setdefault((region_of[unit.province].value, unit.level), []).append(unit)
    made: list[NationalCommunity] = []
    for (region, level), members in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1].value)):
        rng.shuffle(members)
        start = 0
        while (rest := len(members) - start) >= MIN_UNITS:
            size = min(MAX_UNITS if start == 0 else rng.randint(MIN_UNITS, 12), rest)
            if 0 < rest - size < MIN_UNITS:  # never leave one or two behind
                size = rest if rest < 2 * MIN_UNITS else rest - MIN_UNITS
            # Most formed in the programme's first year, some joined the movement since.
            earliest = 4 * 365 if rng.random() < 0.8 else 200
            formed = today - dt.timedelta(days=rng.randint(earliest, YEARS * 365))
            first_end = cycle_end_for(formed)
            cycle_start = formed if first_end >= today else first_end + dt.timedelta(days=1)
            community = NationalCommunity(
                id=len(made) + 1,
                slug=f"{region.lower().replace('_', '-')[:16]}-{level.value.lower()}-"
                f"{len(made) + 1}",
                region=region,
                level=level,
                formed=formed,
                cycle_start=cycle_start,
                units=members[start : start + size],
            )
            made.append(community)
            start += size
    return made


@dataclass
class Ids:
    membership: int = 0
    activity: int = 0
    report: int = 0
    user: int = 0
    rule: int = 0
    news: int = 0

    def next(self, name: str) -> int:
        value: int = getattr(self, name) + 1
        setattr(self, name, value)
        return value


def unit_rows(sites: list[Unit], admitted: dt.date) -> Iterator[Record]:
    for u in sites:
        yield (
            u.id,
            u.name,
            u.level.value,
            u.province,
            u.code,
            f"{PROVINCES[u.province][0]}",
            "张老师",
            "ACTIVE",
            admitted,
            f"LLC-{admitted.year}-{u.id:05d}",
        )


def community_rows(made: list[NationalCommunity], rng: random.Random) -> Iterator[Record]:
    themes = list(Theme)
    for c in made:
        chosen = sorted(t.value for t in rng.sample(themes, rng.randint(1, 3)))
        yield (
            c.id,
            c.slug,
            f"{Region(c.region).zh}{c.level.zh}第{c.id}共同体",
            c.region,
            c.level.value,
            chosen,
            "ACTIVE",
            c.cycle_start,
            cycle_end_for(c.cycle_start),
            c.formed,
            c.units[0].id,
        )


def membership_rows(made: list[NationalCommunity], ids: Ids) -> Iterator[Record]:
    for c in made:
        for i, unit in enumerate(c.units):
            role = (
                MembershipRole.LEADER
                if i == 0
                else (MembershipRole.DEPUTY if i == 1 else MembershipRole.MEMBER)
            )
            yield (c.id, ids.next("membership"), unit.id, role.value, "ACTIVE", c.formed)


def activity_rows(
    c: NationalCommunity, today: dt.date, ids: Ids, rng: random.Random
) -> tuple[list[Record], list[Record]]:
    """One community's activities since it formed, with attendance: most attend, a few are
    excused, an absence is never followed by another (no unit is due to leave)."""
    days = (today - c.formed).days
    n = max(1, round(days / 365 * ACTIVITIES_PER_YEAR))
    kinds, weights = zip(*KINDS, strict=True)
    activities: list[Record] = []
    attendance: list[Record] = []
    last_absent: set[int] = set()
    for held_on in sorted(c.formed + dt.timedelta(days=rng.randrange(days)) for _ in range(n)):
        activity_id = ids.next("activity")
        kind = rng.choices(kinds, weights)[0]
        tally = {
            AttendanceStatus.ATTENDED: 0,
            AttendanceStatus.ABSENT: 0,
            AttendanceStatus.EXCUSED: 0,
        }
        recorded = dt.datetime.combine(held_on, dt.time(10), dt.UTC)
        for unit in c.units:
            roll = rng.random()
            if roll < 0.03 and unit.id not in last_absent:
                status = AttendanceStatus.ABSENT
                last_absent.add(unit.id)
            elif roll < 0.09:
                status = AttendanceStatus.EXCUSED
            else:
                status = AttendanceStatus.ATTENDED
                last_absent.discard(unit.id)
            tally[status] += 1
            attendance.append((c.id, activity_id, unit.id, status.value, recorded))
        activities.append(
            (
                c.id,
                activity_id,
                kind.value,
                f"{kind.zh}（{held_on:%Y年%m月}）",
                held_on,
                len(c.units),
                tally[AttendanceStatus.ATTENDED],
                tally[AttendanceStatus.ABSENT],
                tally[AttendanceStatus.EXCUSED],
                recorded,
            )
        )
    return activities, attendance


def report_rows(
    c: NationalCommunity, today: dt.date, ids: Ids, rng: random.Random
) -> Iterator[Record]:
    """Nine in ten reports in, some of them late."""
    members = [u.id for u in c.units]
    for owed in report_rules.owed(c.cycle_start, members, today, cycle_end_for(c.cycle_start)):
        if owed.kind is ReportKind.PLAN or rng.random() < 0.1:
            continue
        late = rng.random() < 0.15
        submitted = owed.due_on + dt.timedelta(
            days=rng.randint(1, 20) if late else -rng.randint(0, 20)
        )
        yield (
            c.id,
            ids.next("report"),
            owed.kind.value,
            owed.year,
            owed.half,
            owed.unit_id,
            owed.kind.zh,
            "本期工作开展情况见正文。",
            owed.due_on,
            min(submitted, today),
            late,
        )


def admission_rows(
    sites: list[Unit], admitted: dt.date, applicant_id: int
) -> tuple[list[Record], list[Record], list[Record]]:
    """The call every site was admitted through, each site's application with the seven
    Art. 7 conditions evidenced, filed and published."""
    opened = admitted - dt.timedelta(days=60)
    calls = [
        (
            1,
            f"{admitted.year}年度项目实验点申报",
            admitted.year,
            opened,
            opened + dt.timedelta(days=30),
            admitted,
        )
    ]
    applications = [
        (
            u.id,
            1,
            applicant_id,
            u.name,
            u.level.value,
            u.code,
            u.province,
            PROVINCES[u.province][0],
            "张老师",
            "张老师（组长）、李老师、王老师",
            "PUBLISHED",
            u.id,
        )
        for u in sites
    ]
    conditions = [
        (u.id, condition.value, f"{condition.zh}：见申报书附件")
        for u in sites
        for condition in AdmissionCondition
    ]
    return calls, applications, conditions


# News: what communities write about, so that a search meets the bigrams of real items. Most
# topics are common; a few turn up in one item in several hundred, so that a rare word has
# few matches among many, the case a search must still answer from its index.
NEWS_PER_COMMUNITY = (8, 12)
NEWS_TOPICS = [
    "老年教育",
    "老年大学",
    "社区教育",
    "家庭教育",
    "职业技能培训",
    "数字素养",
    "智能手机应用",
    "非遗传承",
    "书法",
    "太极拳",
    "合唱",
    "茶艺",
    "剪纸",
    "传统文化",
    "健康养生",
    "垃圾分类",
    "法治宣传",
    "心理健康",
    "亲子阅读",
    "乡村振兴",
    "农民技能",
    "新市民融入",
    "读书会",
    "学习型社区",
    "终身学习",
    "红色文化",
    "科普",
    "防范电信诈骗",
    "消防安全",
    "应急救护",
    "营养膳食",
    "摄影",
    "短视频制作",
    "普通话",
    "插花",
    "中医药文化",
    "社区治理",
    "志愿服务",
]
RARE_TOPICS = ["古琴", "篆刻", "活字印刷"]
NEWS_FORMS = [
    "培训班",
    "研讨会",
    "经验交流会",
    "成果展演",
    "公益讲座",
    "体验课",
    "成果展",
    "观摩活动",
    "线上课程",
    "游学活动",
]
NEWS_OPENINGS = ["举办", "开展", "召开", "启动", "顺利举行"]
NEWS_SENTENCES = [
    "本次活动由{leader}牵头，{member}等成员单位共同参与。",
    "活动吸引了{n}余名居民参加，其中不少是第一次走进课堂的老年人。",
    "{leader}负责人介绍了共同体在{topic}方面的做法和下一步计划。",
    "与会代表围绕{topic}的课程建设、师资培养和资源共享展开了交流。",
    "{member}分享了依托社区学校开展{topic}的经验。",
    "活动结束后，各成员单位将把好的做法带回本地，推动{topic}常态化开展。",
    "本次{form}共安排{k}个专题，线上线下同步进行。",
    "参与者纷纷表示，{topic}让生活更加充实，也结识了新的学友。",
    "共同体还将编写{topic}学习资源包，供各成员单位使用。",
    "下一阶段，共同体将继续深化区域合作，打造终身学习品牌。",
]


def news_rows(
    c: NationalCommunity, author_id: int, today: dt.date, ids: Ids, rng: random.Random
) -> Iterator[Record]:
    """A community's news since its cycle began: most published, a few still drafts, one in
    twenty-five published items featured by the project group. Bodies are Markdown paragraphs,
    rendered as the platform renders what a leader writes."""
    days = max(1, (today - c.cycle_start).days)
    for _ in range(rng.randint(*NEWS_PER_COMMUNITY)):
        written = c.cycle_start + dt.timedelta(days=rng.randrange(days))
        at = dt.datetime.combine(written, dt.time(9 + rng.randrange(9)), dt.UTC)
        topic = rng.choice(RARE_TOPICS) if rng.random() < 0.003 else rng.choice(NEWS_TOPICS)
        form = rng.choice(NEWS_FORMS)
        place = c.units[0].name
        title = f"{place}{rng.choice(NEWS_OPENINGS)}{topic}{form}"
        words = {
            "leader": place,
            "member": rng.choice(c.units[1:]).name,
            "topic": topic,
            "form": form,
            "n": rng.randrange(30, 400, 10),
            "k": rng.randint(2, 6),
        }
        opening = f"{written:%Y年%m月%d日}，{title}。"
        sentences = [s.format(**words) for s in rng.sample(NEWS_SENTENCES, rng.randint(3, 5))]
        body = f"{opening}\n\n" + "\n\n".join(
            "".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)
        )
        published = rng.random() < 0.85
        yield (
            c.id,
            ids.next("news"),
            title,
            body,
            markdown.rendered(body),
            (NewsStatus.PUBLISHED if published else NewsStatus.DRAFT).value,
            at if published else None,
            published and rng.random() < 0.04,
            author_id,
            at,
        )


FEES_SEED = SEED + 2
# The project group's amounts per fee kind (fen), the same each fee year.
FEE_AMOUNTS = {
    FeeKind.RESEARCH_GUIDANCE: 80000,
    FeeKind.CONFERENCE: 50000,
    FeeKind.TRAINING: 30000,
    FeeKind.SUB_SITE: 200000,
    FeeKind.EXPERT_GUIDANCE: 30000,
    FeeKind.EVALUATION: 100000,
}
MEMBER_FEES = (FeeKind.CONFERENCE, FeeKind.TRAINING, FeeKind.RESEARCH_GUIDANCE)
COMMUNITY_FEES = (FeeKind.SUB_SITE, FeeKind.EXPERT_GUIDANCE, FeeKind.EVALUATION)
PAYMENT_METHODS = ("银行转账", "对公转账", "现金")


@dataclass
class Fees:
    """A year of fees, as rows for COPY: the schedules, the invoices with their lines and
    their ledger entries (each invoice's charge, its payments, its cancellation)."""

    schedules: list[Record] = field(default_factory=list)
    invoices: list[Record] = field(default_factory=list)
    lines: list[Record] = field(default_factory=list)
    entries: list[Record] = field(default_factory=list)


def fee_rows(made: list[NationalCommunity], today: dt.date, by: int, rng: random.Random) -> Fees:
    """The year up to a month ahead: every community invoices each of its member units and
    itself once, due on a day of that year that differs between communities, issued 30 days
    before. Of the invoices due by today half are paid in full (one payment or two), a fifth
    partly (a quarter of those then cancelled), the rest not at all (a third of those
    cancelled); of those not yet due a third are paid early. What a fate leaves open and
    due more than 30 days ago is the arrears a finding names. Each invoice's balance is the
    sum of its entries: the charge of its total, payments negative (keys unique in the
    community), a cancellation of minus what was still owed, and its status follows (PAID
    at 0). The project group's user `by` set, issued, recorded and cancelled them."""
    fees = Fees()
    first = today - dt.timedelta(days=335)
    schedule_ids: dict[tuple[int, FeeKind], int] = {}
    for year in sorted({first.year, (today + dt.timedelta(days=30)).year}):
        for kind in FeeKind:
            schedule_ids[year, kind] = len(fees.schedules) + 1
            fees.schedules.append(
                (schedule_ids[year, kind], year, kind.value, FEE_AMOUNTS[kind], by)
            )
    numbers: dict[int, int] = {}  # per issue year, the last sequence
    invoice_id = line_id = entry_id = 0
    for n, c in enumerate(made):
        due = first + dt.timedelta(days=(n * 37) % 365)
        issued = due - dt.timedelta(days=30)
        charged: list[tuple[int | None, tuple[FeeKind, ...]]] = [
            (u.id, MEMBER_FEES[: 1 + i % 3]) for i, u in enumerate(c.units)
        ]
        charged.append((None, COMMUNITY_FEES[: 2 + n % 2]))
        for unit_id, kinds in charged:
            invoice_id += 1
            numbers[issued.year] = sequence = numbers.get(issued.year, 0) + 1
            number = f"FY-{issued.year}-{sequence:06d}"
            total = 0
            for kind in kinds:
                line_id += 1
                amount = FEE_AMOUNTS[kind]
                total += amount
                fees.lines.append(
                    (
                        c.id,
                        line_id,
                        invoice_id,
                        kind.value,
                        amount,
                        None,
                        schedule_ids[due.year, kind],
                    )
                )
            entries: list[tuple[str, int, dt.date, str | None, str | None]] = [
                (LedgerEntryKind.CHARGE.value, total, issued, None, None)
            ]
            fate = rng.random()
            if due > today:
                parts = [total] if fate < 0.33 else []
                cancel = False
            else:
                parts = (
                    [total]
                    if fate < 0.35
                    else [total // 3, total - total // 3]
                    if fate < 0.5
                    else [total // 4]
                    if fate < 0.7
                    else []
                )
                cancel = fate >= 0.9 or (0.6 <= fate < 0.65)
            last_day = min(due, today)
            span = max(1, (last_day - issued).days)
            for part, amount in enumerate(parts):
                paid_on = issued + dt.timedelta(days=min(span, rng.randrange(span) + part))
                method = PAYMENT_METHODS[rng.randrange(len(PAYMENT_METHODS))]
                entries.append(
                    (LedgerEntryKind.PAYMENT.value, -amount, paid_on, method, f"{number}-{part}")
                )
            balance = total - sum(parts)
            status = InvoiceStatus.PAID if balance == 0 else InvoiceStatus.OPEN
            cancelled_on = None
            if cancel and balance > 0:
                cancelled_on = min(today, due + dt.timedelta(days=rng.randrange(1, 60)))
                entries.append(
                    (LedgerEntryKind.CANCELLATION.value, -balance, cancelled_on, None, None)
                )
                status = InvoiceStatus.CANCELLED
            fees.invoices.append(
                (
                    c.id,
                    invoice_id,
                    unit_id,
                    number,
                    due.year,
                    total,
                    issued,
                    due,
                    status.value,
                    by,
                    None
                    if cancelled_on is None
                    else dt.datetime.combine(cancelled_on, dt.time(10), dt.UTC),
                    None if cancelled_on is None else "重复开具",
                    None if cancelled_on is None else by,
                )
            )
            for entry in entries:
                entry_id += 1
                fees.entries.append((c.id, entry_id, invoice_id, unit_id, *entry, by))
    return fees
