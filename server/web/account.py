"""What the header of every page shows a signed-in user besides the name: the workspaces the
user's roles open (read from `me { roles }`, the `...Account` fragment every page asks for)
and how often the page asks again how many notifications are unread."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Without its websocket (`server/web/unread.py`), the page asks `GET /me/unread` this often
# (and whenever its tab comes back into view).
UNREAD_SECONDS = 60

# The roles that run a community's sub-platform (Art. 14): its leader and deputies.
COMMUNITY_RUNNERS = ("LEADER", "DEPUTY")


@dataclass(frozen=True)
class Place:
    """A workspace the header links to."""

    name: str
    href: str


def workspaces_of(roles: Iterable[Mapping[str, Any]]) -> list[Place]:
    """The workspaces besides 我的工作台 (every signed-in user's) that `roles` open, each once:
    the project group's, the experts', then each community its user leads or deputises."""
    held = list(roles)
    places = []
    if any(grant["role"] == "PROJECT_GROUP" for grant in held):
        places.append(Place("项目组工作台", "/admin/"))
    if any(grant["role"] == "EXPERT" for grant in held):
        places.append(Place("专家工作台", "/expert/"))
    run: dict[str, str] = {}
    for grant in held:
        community = grant.get("community")
        if grant["role"] in COMMUNITY_RUNNERS and community is not None:
            run.setdefault(community["slug"], community["name"])
    places += [Place(f"{name}管理工作台", f"/c/{slug}/manage/") for slug, name in run.items()]
    return places
