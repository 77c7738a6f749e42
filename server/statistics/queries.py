"""The programme's national figures, as the main platform publishes them (Art. 5(6), 17):
counts only, never a community's own rows, so they are public."""

import datetime as dt

from sqlalchemy import Date, Select, cast, func, select

from server.activities.models import Activity
from server.communities.models import Community
from server.units.models import Unit
from server.vocabulary import Level, SiteStatus


def communities_by_region() -> Select[str, int]:
    return select(Community.region, func.count()).group_by(Community.region)


def communities_by_level() -> Select[Level, int]:
    return select(Community.level, func.count()).group_by(Community.level)


def sites_by_level() -> Select[Level, int]:
    active = Unit.site_status == SiteStatus.ACTIVE
    return select(Unit.level, func.count()).where(active).group_by(Unit.level)


def sites_by_province() -> Select[str, int]:
    active = Unit.site_status == SiteStatus.ACTIVE
    return select(Unit.province, func.count()).where(active).group_by(Unit.province)


def activities_by_month(since: dt.date, until: dt.date) -> Select[dt.date, int]:
    """Every community's activities held from `since` to `until`, counted per month: read
    with every community in scope (row-level security shows none otherwise)."""
    month = cast(func.date_trunc("month", Activity.held_on), Date)
    return (
        select(month, func.count())
        .where(Activity.held_on >= since, Activity.held_on <= until)
        .group_by(month)
    )
