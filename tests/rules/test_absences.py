"""Art. 8(2) and 12: two consecutive absences, in the order the activities were held; an
excused absence is skipped, attending or nothing recorded breaks the chain."""

from server.activities.rules import Expected, two_consecutive_absences
from server.vocabulary import AttendanceStatus

ABSENT, EXCUSED, ATTENDED = (
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ATTENDED,
)


def _chain(*marks):
    return two_consecutive_absences([Expected(f"a{i}", m) for i, m in enumerate(marks, 1)])


def test_two_absences_in_a_row_are_the_first_two():
    assert _chain(ATTENDED, ABSENT, ABSENT, ABSENT) == ("a2", "a3")


def test_one_absence_is_not_two():
    assert _chain(ABSENT) is None
    assert _chain(ATTENDED, ABSENT, ATTENDED) is None


def test_an_excused_absence_joins_the_absences_either_side():
    assert _chain(ABSENT, EXCUSED, ABSENT) == ("a1", "a3")
    assert _chain(EXCUSED, EXCUSED) is None


def test_attending_or_nothing_recorded_breaks_the_chain():
    assert _chain(ABSENT, ATTENDED, ABSENT) is None
    assert _chain(ABSENT, None, ABSENT) is None
