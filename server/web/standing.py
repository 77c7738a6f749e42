"""The community's standing against the regulation, at the top of its workspace's first page
(`/c/{slug}/manage/`): the open findings of the rule audits with what to do about each, the
reports owed (Art. 18(4), 18(5), 19(3)) with the overdue ones marked, the next activities, and
the member count against Art. 11's 3 to 15 units. `CommunityWorkspace.dashboard` runs its
document with `standing_variables()` and renders it with `STANDING`; the member units are
`server/web/members.py`'s."""

import datetime as dt

from server.clock import today
from server.communities.rules import MAX_UNITS, MIN_UNITS

# Reports due this many days ahead show on the dashboard beside the overdue ones, so the
# leader sees the semi-annual report (5 July) and the annual summary (15 December) coming.
REPORTS_AHEAD_DAYS = 45
# What the workspace's templates need besides their data: Art. 11's bounds.
STANDING = {"fewest_units": MIN_UNITS, "most_units": MAX_UNITS}


def standing_variables() -> dict[str, str]:
    """The dashboard's dates, by the day in Beijing: from today, and the reports owed up to
    `REPORTS_AHEAD_DAYS` ahead."""
    now = today()
    return {
        "today": now.isoformat(),
        "until": (now + dt.timedelta(days=REPORTS_AHEAD_DAYS)).isoformat(),
    }
