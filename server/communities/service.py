"""Forming and running communities (Art. 9-15): every change one transaction, refused
whole when a rule says no."""

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Guard, forbidden
from server.accounts.service import works_for
from server.audit.service import record
from server.clock import today
from server.communities import rules
from server.communities.models import SLUG_RULE, Community, Membership
from server.errors import ErrorCode, UserFacingError, written_reason
from server.units.models import ExitRecord, Unit
from server.vocabulary import (
    CommunityStatus,
    ExitScope,
    Level,
    MembershipRole,
    MembershipStatus,
    Region,
    SiteStatus,
    Theme,
)
from tenants.rls import scope_transaction


@dataclass(frozen=True)
class NewCommunity:
    slug: str
    name: str
    region: Region
    level: Level
    themes: list[Theme]
    cycle_start: dt.date
    agreement_signed_on: dt.date | None
    leader_unit_id: int
    deputy_unit_ids: list[int]
    member_unit_ids: list[int]
    mixed_level_reason: str | None = None


async def _active_sites(session: AsyncSession, unit_ids: list[int]) -> dict[int, Unit]:
    units = {
        u.id: u for u in (await session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))).all()
    }
    for unit_id in unit_ids:
        unit = units.get(unit_id)
        if unit is None:
            raise UserFacingError(ErrorCode.NOT_FOUND, "单位不存在", "no such unit", "unitIds")
        if unit.site_status is not SiteStatus.ACTIVE:
            raise UserFacingError(
                ErrorCode.NOT_ACTIVE_SITE,
                f"{unit.name}不是在册的项目实验点",
                f"{unit.name} is not an active experiment site",
                "unitIds",
            )
    return units


async def create_community(session: AsyncSession, guard: Guard, spec: NewCommunity) -> Community:
    actor = guard.require(Permission.COMMUNITY_CREATE)
    if not re.match(SLUG_RULE, spec.slug):
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            "标识须为 3-40 位小写字母、数字或连字符",
            "the slug is 3-40 lower-case letters, digits or hyphens",
            "slug",
        )
    if not spec.name.strip():
        raise UserFacingError(ErrorCode.INVALID_INPUT, "请填写名称", "a name is required", "name")
    if error := rules.themes_error(spec.themes):
        raise error
    end = rules.cycle_end_for(spec.cycle_start)
    if spec.agreement_signed_on and spec.agreement_signed_on > end:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            "合作协议签订日期不能晚于合作周期结束",
            "the agreement cannot be signed after the cycle ends",
            "agreementSignedOn",
        )
    listed = [spec.leader_unit_id, *spec.deputy_unit_ids, *spec.member_unit_ids]
    if spec.leader_unit_id in spec.deputy_unit_ids + spec.member_unit_ids:
        raise UserFacingError(
            ErrorCode.LEADER_REQUIRED,
            "组长单位只能有一个，且不能同时是副组长或成员单位（第十四条）",
            "exactly one leader unit, not also a deputy or member (Art. 14)",
            "leaderUnitId",
        )
    if len(set(listed)) != len(listed):
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "同一单位出现了两次", "a unit is listed twice", "memberUnitIds"
        )
    if error := rules.size_error(len(listed)):
        raise error
    units = await _active_sites(session, listed)
    if error := rules.level_error(
        spec.level, [u.level for u in units.values()], spec.mixed_level_reason
    ):
        raise error
    if await session.scalar(select(Community.id).where(Community.slug == spec.slug)):
        raise UserFacingError(
            ErrorCode.DUPLICATE, "该标识已被使用", "the slug is already taken", "slug"
        )
    community = Community(
        slug=spec.slug,
        name=spec.name.strip(),
        region=spec.region.value,
        level=spec.level,
        themes=[t.value for t in spec.themes],
        status=CommunityStatus.ACTIVE,
        cycle_start=spec.cycle_start,
        cycle_end=end,
        agreement_signed_on=spec.agreement_signed_on,
        office_unit_id=spec.leader_unit_id,
        mixed_level_reason=(spec.mixed_level_reason or "").strip() or None,
    )
    session.add(community)
    await session.flush()
    await scope_transaction(session, community.id)
    roles = [(spec.leader_unit_id, MembershipRole.LEADER)]
    roles += [(u, MembershipRole.DEPUTY) for u in spec.deputy_unit_ids]
    roles += [(u, MembershipRole.MEMBER) for u in spec.member_unit_ids]
    session.add_all(
        Membership(
            community_id=community.id,
            unit_id=unit_id,
            role=role,
            status=MembershipStatus.ACTIVE,
            joined_on=spec.cycle_start,
        )
        for unit_id, role in roles
    )
    await record(
        session,
        actor_user_id=actor.user_id,
        action="community.create",
        target_type="Community",
        target_id=community.id,
        community_id=community.id,
        after={"slug": community.slug, "units": {str(u): r.value for u, r in roles}},
    )
    return community


async def _locked(session: AsyncSession, community_id: int) -> Community:
    """The community row, locked for this transaction: membership changes of one community
    happen one at a time, so two concurrent additions cannot both pass the size check."""
    community = await session.scalar(
        select(Community).where(Community.id == community_id).with_for_update()
    )
    if community is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "共同体不存在", "no such community")
    return community


async def active_count(session: AsyncSession, community_id: int) -> int:
    counted = await session.execute(
        select(func.count()).where(
            Membership.community_id == community_id, Membership.status == MembershipStatus.ACTIVE
        )
    )
    return counted.scalar_one()


async def active_membership(
    session: AsyncSession, community_id: int, unit_id: int
) -> Membership | None:
    """The unit's current place in the community, if it has one."""
    return await session.scalar(
        select(Membership).where(
            Membership.community_id == community_id,
            Membership.unit_id == unit_id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )


async def _membership(session: AsyncSession, community_id: int, unit_id: int) -> Membership:
    membership = await active_membership(session, community_id, unit_id)
    if membership is None:
        raise UserFacingError(
            ErrorCode.NOT_FOUND, "该单位不是本共同体的成员", "the unit is not a member", "unitId"
        )
    return membership


async def add_member(
    session: AsyncSession,
    guard: Guard,
    community_id: int,
    unit_id: int,
    role: MembershipRole,
    mixed_level_reason: str | None = None,
) -> Membership:
    actor = guard.require(Permission.MEMBERSHIP_MANAGE, community_id)
    community = await _locked(session, community_id)
    if role is MembershipRole.LEADER:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            "组长单位只能通过移交产生",
            "a leader is made by handing over, not by adding",
            "role",
        )
    units = await _active_sites(session, [unit_id])
    if await active_membership(session, community_id, unit_id) is not None:
        raise UserFacingError(
            ErrorCode.ALREADY_MEMBER, "该单位已是本共同体成员", "already a member", "unitId"
        )
    if error := rules.size_error(await active_count(session, community_id) + 1):
        raise error
    if error := rules.level_error(community.level, [units[unit_id].level], mixed_level_reason):
        raise error
    if rules.mismatched_levels(community.level, [units[unit_id].level]):
        # The same-level audit (Art. 10) reads the community's written reason: a reason given
        # when a unit joins is kept there, beside any earlier one.
        reasons = (community.mixed_level_reason, (mixed_level_reason or "").strip())
        community.mixed_level_reason = "\n".join(r for r in reasons if r)
    membership = Membership(
        community_id=community_id,
        unit_id=unit_id,
        role=role,
        status=MembershipStatus.ACTIVE,
        joined_on=today(),
    )
    session.add(membership)
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="membership.add",
        target_type="Unit",
        target_id=unit_id,
        community_id=community_id,
        after={"role": role.value},
    )
    return membership


async def leave_community(
    session: AsyncSession, guard: Guard, community_id: int, unit_id: int, reason: str
) -> Membership:
    """A written request to leave (Art. 12). The leader hands over first."""
    actor = guard.signed_in()
    allowed = guard.allows(Permission.MEMBERSHIP_MANAGE, community_id)
    if not allowed and not await works_for(session, actor.user_id, unit_id):
        raise forbidden()
    reason = written_reason(reason)
    await _locked(session, community_id)
    membership = await _membership(session, community_id, unit_id)
    if membership.role is MembershipRole.LEADER:
        raise UserFacingError(
            ErrorCode.LEADER_REQUIRED,
            "组长单位退出前须先移交组长",
            "the leader unit hands over leadership before it leaves",
            "unitId",
        )
    on = today()
    membership.status = MembershipStatus.WITHDRAWN
    membership.left_on = on
    membership.left_reason = reason
    session.add(
        ExitRecord(
            unit_id=unit_id,
            community_id=community_id,
            scope=ExitScope.COMMUNITY,
            kind=SiteStatus.WITHDRAWN,
            exited_on=on,
            reason=reason,
            evidence=[],
        )
    )
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="membership.leave",
        target_type="Unit",
        target_id=unit_id,
        community_id=community_id,
        before={"status": "ACTIVE"},
        after={"status": "WITHDRAWN", "reason": reason},
    )
    return membership


async def change_member_role(
    session: AsyncSession, guard: Guard, community_id: int, unit_id: int, role: MembershipRole
) -> list[Membership]:
    """A new leader takes over at once and the old one becomes a deputy: the community is
    never without a leader (Art. 14)."""
    actor = guard.require(Permission.MEMBERSHIP_MANAGE, community_id)
    community = await _locked(session, community_id)
    membership = await _membership(session, community_id, unit_id)
    if membership.role is role:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION, "角色未改变", "the unit already has this role", "role"
        )
    if membership.role is MembershipRole.LEADER:
        raise UserFacingError(
            ErrorCode.LEADER_REQUIRED,
            "组长单位不能直接改任，请把组长移交给另一单位",
            "hand leadership to another unit instead of demoting the leader",
            "role",
        )
    changed = [membership]
    if role is MembershipRole.LEADER:
        old = await session.scalar(
            select(Membership).where(
                Membership.community_id == community_id,
                Membership.role == MembershipRole.LEADER,
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
        if old is not None:
            old.role = MembershipRole.DEPUTY
            await session.flush()  # the one-leader index must see the old leader go first
            changed.append(old)
        community.office_unit_id = unit_id
    before = membership.role
    membership.role = role
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="membership.role",
        target_type="Unit",
        target_id=unit_id,
        community_id=community_id,
        before={"role": before.value},
        after={"role": role.value},
    )
    return changed


async def renew_cycle(session: AsyncSession, guard: Guard, community_id: int) -> Community:
    """Art. 15: a new 3-year cycle from the day after the current one ends; possible from 90
    days before that end."""
    actor = guard.require(Permission.COMMUNITY_RENEW, community_id)
    community = await _locked(session, community_id)
    opens = rules.renewal_opens(community.cycle_end)
    if today() < opens or community.status is CommunityStatus.DISSOLVED:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            f"合作周期须在结束前 {rules.RENEWAL_WINDOW_DAYS} 天内续期（{opens.isoformat()} 起）",
            f"a cycle can be renewed from {rules.RENEWAL_WINDOW_DAYS} days before it ends "
            f"({opens.isoformat()})",
        )
    before = {
        "cycleStart": community.cycle_start.isoformat(),
        "cycleEnd": community.cycle_end.isoformat(),
    }
    community.cycle_start = community.cycle_end + dt.timedelta(days=1)
    community.cycle_end = rules.cycle_end_for(community.cycle_start)
    community.status = CommunityStatus.ACTIVE
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="community.renew",
        target_type="Community",
        target_id=community.id,
        community_id=community.id,
        before=before,
        after={
            "cycleStart": community.cycle_start.isoformat(),
            "cycleEnd": community.cycle_end.isoformat(),
        },
    )
    return community


async def rejoin(session: AsyncSession, community_id: int, unit_id: int, on: dt.date) -> Membership:
    """A reinstated unit's new membership (the old one stays, with its exit)."""
    await _locked(session, community_id)
    if error := rules.size_error(await active_count(session, community_id) + 1):
        raise error
    last = await session.scalar(
        select(Membership.role)
        .where(Membership.community_id == community_id, Membership.unit_id == unit_id)
        .order_by(Membership.id.desc())
        .limit(1)
    )
    role = MembershipRole.DEPUTY if last is MembershipRole.DEPUTY else MembershipRole.MEMBER
    membership = Membership(
        community_id=community_id,
        unit_id=unit_id,
        role=role,
        status=MembershipStatus.ACTIVE,
        joined_on=on,
    )
    session.add(membership)
    await session.flush()
    return membership
