"""Statements that read communities and their memberships (a community's profile and its
member units are public, Art. 17 and the sub-platforms)."""

from sqlalchemy import ColumnElement, ScalarSelect, Select, func, select

from server.communities.models import Community, Membership
from server.vocabulary import CommunityStatus, Level, MembershipStatus, Region


def communities_statement(
    region: Region | None = None,
    level: Level | None = None,
    status: CommunityStatus | None = None,
) -> Select[Community]:
    statement = select(Community)
    if region is not None:
        statement = statement.where(Community.region == region)
    if level is not None:
        statement = statement.where(Community.level == level)
    if status is not None:
        statement = statement.where(Community.status == status)
    return statement


def memberships_statement(
    community_id: int, status: MembershipStatus | None = None
) -> Select[Membership]:
    statement = select(Membership).where(Membership.community_id == community_id)
    if status is not None:
        statement = statement.where(Membership.status == status)
    return statement


def active_member_count(community_id: int | ColumnElement[int]) -> ScalarSelect[int]:
    """How many units are active members of a community; `community_id` a value, or the
    column of an outer query for one count per row."""
    return (
        select(func.count())
        .where(Membership.community_id == community_id)
        .where(Membership.status == MembershipStatus.ACTIVE)
        .scalar_subquery()
    )
