"""The answers of anonymous visitors' documents, kept a few seconds: a burst of visitors to a
sub-platform or the main platform costs the database one read, not one each.

An anonymous visitor's answer depends on the document, its variables and the community the
request names (`X-Community`), nothing else; it is kept by those. It is given again only if
nothing was written through this process since it was read (`Database.changes`, counted
after each commit) and for `ANSWER_SECONDS` at most, the bound on how old a page can be
after a change made elsewhere (another worker, the audit worker, the command line): well
under the minute the page's own `Cache-Control` already lets a browser keep it. A signed-in
visitor's answer depends on who they are and is never kept."""

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from server.web.execution import Answer

ANSWER_SECONDS = 5.0
# Documents and variables a process keeps answers for at once: the oldest is let go first.
ANSWERS_KEPT = 512


@dataclass(frozen=True)
class _Kept:
    changes: int  # `Database.changes` when the read began
    read_at: float
    answer: Answer


class KeptAnswers:
    def __init__(self, changes: Callable[[], int], clock: Callable[[], float]) -> None:
        self._changes = changes
        self._clock = clock
        self._kept: dict[Hashable, _Kept] = {}

    def mark(self) -> int:
        """Taken before the read: an answer kept under it is given only while no write has
        committed since, so a write that commits while the read runs is never hidden."""
        return self._changes()

    def get(self, key: Hashable) -> Answer | None:
        kept = self._kept.get(key)
        if kept is None:
            return None
        if kept.changes != self._changes() or self._clock() - kept.read_at >= ANSWER_SECONDS:
            del self._kept[key]
            return None
        return kept.answer

    def keep(self, key: Hashable, mark: int, answer: Answer) -> None:
        if answer.errors or answer.raw is None:
            return  # an error is said afresh each time
        if key not in self._kept and len(self._kept) >= ANSWERS_KEPT:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = _Kept(mark, self._clock(), answer)
