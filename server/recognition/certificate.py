"""A recognition's certificate (荣誉证书/获奖证书) as printed: who, what and why, the year, the
prize, the day, the number and the address that verifies it. The page itself is
`server/printing`'s."""

import datetime as dt
from dataclasses import dataclass

from server.clock import chinese_date
from server.printing.pdf import Printed
from server.settings import Settings
from server.vocabulary import Prize, RecognitionKind

ASSOCIATION = "中国成人教育协会"
PROGRAMME = "区域终身学习发展共同体项目组"


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes a Certified)
class Certified:
    number: str
    kind: RecognitionKind
    year: int
    holder_name: str
    granted_on: dt.date
    prize: Prize | None = None
    citation: str | None = None


def verification_url(settings: Settings, number: str) -> str:
    return f"{settings.public_base}/verify/{number}"


def title(kind: RecognitionKind) -> str:
    return "获奖证书" if kind is RecognitionKind.ACHIEVEMENT_AWARD else "荣誉证书"


def certificate_pdf(settings: Settings, certified: Certified) -> bytes:
    url = verification_url(settings, certified.number)
    page = Printed(settings.print_font, settings.print_font_number, title=title(certified.kind))
    page.border()
    page.gap(12)
    page.heading(title(certified.kind), size=32)
    page.gap(10)
    page.line(certified.holder_name, size=20, centred=True)
    page.gap(6)
    honour = certified.kind.zh + (f"（{certified.prize.zh}）" if certified.prize else "")
    page.line(f"被评为 {certified.year} 年度{honour}。", size=14, centred=True)
    if certified.citation:
        page.gap(6)
        page.line(certified.citation, size=12)
    page.gap(16)
    page.labelled(
        [
            ("荣誉类别", certified.kind.zh),
            ("年度", f"{certified.year} 年"),
            *([("等级", certified.prize.zh)] if certified.prize else []),
            ("颁发日期", chinese_date(certified.granted_on)),
            ("证书编号", certified.number),
            ("验证网址", url),
        ]
    )
    page.gap(14)
    page.line(ASSOCIATION, size=14, centred=True)
    page.line(PROGRAMME, size=12, centred=True)
    page.line(chinese_date(certified.granted_on), size=12, centred=True, muted=True)
    page.qr(url)
    return page.bytes()
