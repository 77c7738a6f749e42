"""What a page runs: a GraphQL document executed in-process against the API's schema, as the
visitor (anonymous, or the user of the browser session). The composition root
(`schema/asgi.py`) hands the callable in, so `server/` never imports `schema/`."""

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request

TEMPLATES_DIR = Path(__file__).parent / "templates"
# Fragments pages share, as `{Name}.graphql`: the header's, which every page spreads
# (`...Account`), and at the top of the templates those a shared macro renders (`fees_owed.html`
# the invoices `...OwedInvoice` asks for).
FRAGMENT_DIRS = (TEMPLATES_DIR / "header", TEMPLATES_DIR)
# A named spread, not an inline `... on Type`.
SPREAD = re.compile(r"\.\.\.\s*(?!on\b)([A-Z][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Answer:
    """The document's answer as a client of `/graphql` would read it."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    # The answer as JSON bytes (as the compiled statement made it, or the data executed field
    # by field), what the page depends on, to key the rendered page by (`rendering.render`);
    # None for an answer with errors.
    raw: bytes | None = None

    def codes(self) -> set[str]:
        return {str(e.get("extensions", {}).get("code")) for e in self.errors}

    def beside(self, other: "Answer") -> "Answer":
        """Two documents' answers as one page's: their data side by side, their errors, and
        their bytes together (a page kept by both)."""
        data = None if self.data is None or other.data is None else {**self.data, **other.data}
        raw = None if self.raw is None or other.raw is None else self.raw + b"\n" + other.raw
        return Answer(data, self.errors + other.errors, raw)


class PageFailed(Exception):
    """A page's document answered without the data the page needs."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(f"a page's document failed: {sorted(answer.codes())}")


Execute = Callable[[str, Mapping[str, Any] | None, Request], Awaitable[Answer]]


@cache
def document(name: str) -> str:
    """The GraphQL document a page names: `public/home` is `templates/public/home.graphql`,
    beside the page's template, so a reader sees what the page asks for; with the shared
    fragments it spreads and does not define itself (the header's `...Account`)."""
    text = (TEMPLATES_DIR / f"{name}.graphql").read_text(encoding="utf-8")
    for spread in sorted(set(SPREAD.findall(text))):
        if f"fragment {spread} " in text:
            continue
        for folder in FRAGMENT_DIRS:
            shared = folder / f"{spread}.graphql"
            if shared.is_file():
                text += "\n" + shared.read_text(encoding="utf-8")
                break
    return text
