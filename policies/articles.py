"""How the regulation's articles are cited: a finding names its article as "11" or "16(3)"
(Art. 16, item 3); a reader in China reads 第16条第3项, in English Art. 16(3)."""

import re

CITATION = re.compile(r"(\d+)(?:\((\d+)\))?")


def article_order(article: str) -> tuple[int, int]:
    """Articles in the regulation's order (11 before 16(3) before 16(10)); anything else last."""
    found = CITATION.fullmatch(article)
    if not found:
        return (999, 0)
    return (int(found.group(1)), int(found.group(2) or 0))


def article_label(article: str, language: str = "zh") -> str:
    """ "16(3)" as a reader cites it: 第16条第3项, or Art. 16(3) in English."""
    found = CITATION.fullmatch(article or "")
    if not found:
        return article
    if language == "en":
        return f"Art. {article}"
    number, item = found.groups()
    return f"第{number}条" + (f"第{item}项" if item else "")
