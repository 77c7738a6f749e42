"""Art. 8(2) and 12: a unit that misses two consecutive activities it was expected at is
deemed to have left. One definition, used when attendance is recorded and by the audits."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from server.vocabulary import AttendanceStatus

Ref = TypeVar("Ref")


# The marks whose recording can complete two absences in a row: an absence, or an excuse,
# which is skipped and so joins the absences either side of it (as a correction of the
# activity between them can). Attending, or nothing recorded, only ever breaks a chain.
CHAINING = (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)


@dataclass(frozen=True)  # pragma: no mutate (nothing writes to or hashes an Expected)
class Expected:
    """One activity a unit was expected at, in the order the activities were held."""

    activity: str  # a reference kept as evidence, e.g. a global id
    status: AttendanceStatus | None  # None: not recorded yet


def two_consecutive_absences(history: Sequence[Expected]) -> tuple[str, str] | None:
    """The first two unexcused absences with no attendance between them, or None.

    An excused absence breaks neither the count nor the chain: it is skipped. Attending
    resets the count; so does an activity whose attendance is not recorded yet, since
    nobody knows whether the unit came (recording it later decides again).
    """
    previous_absence: str | None = None
    for expected in history:
        if expected.status is None or expected.status is AttendanceStatus.ATTENDED:
            previous_absence = None
        elif expected.status is AttendanceStatus.ABSENT:
            if previous_absence is not None:
                return previous_absence, expected.activity
            previous_absence = expected.activity
    return None
