"""Experiment sites: registering one directly, withdrawing, reinstating."""

import datetime as dt
import re

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from policies.permissions import Permission
from server.access.guard import Guard, forbidden
from server.accounts.service import works_for
from server.audit.service import record
from server.clock import today
from server.communities.models import Membership
from server.communities.service import rejoin
from server.errors import ErrorCode, UserFacingError, written_reason
from server.regions.provinces import PROVINCES, province_of
from server.units.models import ExitRecord, Unit
from server.vocabulary import ExitScope, Level, MembershipStatus, SiteStatus

CODE_FORMAT = {
    Level.PROVINCE: re.compile(r"^\d{2}0000$"),
    Level.PREFECTURE: re.compile(r"^\d{4}00$"),
    Level.COUNTY: re.compile(r"^\d{4}(?!00)\d{2}$"),
    Level.TOWNSHIP: re.compile(r"^\d{9}$"),
}
PLAQUE_PREFIX = "LLC"


def division_code_error(level: Level, code: str) -> UserFacingError | None:
    """GB/T 2260: 6 digits (XX0000 a province, XXXX00 a prefecture), 9 for a township; the
    first two digits name a province."""
    if not CODE_FORMAT[level].match(code) or province_of(code) not in PROVINCES:
        return UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"行政区划代码 {code} 与{level.zh}单位不符（GB/T 2260）",
            f"division code {code} does not fit a {level.en.lower()} unit (GB/T 2260)",
            "divisionCode",
        )
    return None


async def get_unit(session: AsyncSession, unit_id: int, field: str = "unitId") -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "单位不存在", "no such unit", field)
    return unit


async def next_plaque_number(session: AsyncSession, year: int) -> str:
    """授牌编号 `LLC-<year>-<seq>`: unique, never reused, in the order plaques are granted."""
    prefix = f"{PLAQUE_PREFIX}-{year}-"
    await session.execute(select(func.pg_advisory_xact_lock(year)))  # one grantor at a time
    last = await session.scalar(
        select(func.max(Unit.plaque_number)).where(Unit.plaque_number.startswith(prefix))
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


async def register_site(
    session: AsyncSession,
    *,
    name: str,
    level: Level,
    division_code: str,
    address: str | None = None,
    responsible_person: str | None = None,
    admitted_on: dt.date | None = None,
) -> Unit:
    """A published experiment site, with its plaque. One site per division code."""
    if not name.strip():
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "请填写单位名称", "a name is required", "name"
        )
    if error := division_code_error(level, division_code):
        raise error
    if await session.scalar(select(Unit.id).where(Unit.division_code == division_code)):
        raise UserFacingError(
            ErrorCode.DUPLICATE,
            f"行政区划代码 {division_code} 已有实验点",
            f"division {division_code} already has a site",
            "divisionCode",
        )
    admitted = admitted_on or today()
    unit = Unit(
        name=name.strip(),
        level=level,
        province=province_of(division_code),
        division_code=division_code,
        address=address,
        responsible_person=responsible_person,
        site_status=SiteStatus.ACTIVE,
        admitted_on=admitted,
        plaque_number=await next_plaque_number(session, admitted.year),
    )
    session.add(unit)
    await session.flush()
    return unit


async def create_unit(
    session: AsyncSession, guard: Guard, name: str, level: Level, division_code: str
) -> Unit:
    """The project group registers an existing site directly."""
    actor = guard.require(Permission.UNIT_CREATE)
    unit = await register_site(session, name=name, level=level, division_code=division_code)
    await record(
        session,
        actor_user_id=actor.user_id,
        action="unit.create",
        target_type="Unit",
        target_id=unit.id,
        after={"name": unit.name, "divisionCode": unit.division_code, "plaque": unit.plaque_number},
    )
    return unit


async def leave_programme(
    session: AsyncSession,
    unit: Unit,
    status: SiteStatus,
    reason: str,
    evidence: list[str],
    on: dt.date,
) -> list[Membership]:
    """The unit leaves the programme (Art. 8(2)) and so every community it is in. Returns the
    memberships it left. The caller has scoped the transaction to every community."""
    unit.site_status = status
    unit.status_changed_on = on
    unit.status_reason = reason
    left = (
        await session.scalars(
            update(Membership)
            .where(Membership.unit_id == unit.id, Membership.status == MembershipStatus.ACTIVE)
            .values(status=MembershipStatus(status.value), left_on=on, left_reason=reason)
            .returning(Membership)
        )
    ).all()
    session.add(
        ExitRecord(
            unit_id=unit.id,
            community_id=None,
            scope=ExitScope.PROGRAMME,
            kind=status,
            exited_on=on,
            reason=reason,
            evidence=evidence,
        )
    )
    await session.flush()
    return list(left)


async def withdraw_site(session: AsyncSession, guard: Guard, unit_id: int, reason: str) -> Unit:
    """A written request to leave the programme: the project group files it, or the unit's
    own staff submit it."""
    actor = guard.signed_in()
    unit = await get_unit(session, unit_id)
    if not guard.allows(Permission.UNIT_WITHDRAW) and not await works_for(
        session, actor.user_id, unit.id
    ):
        raise forbidden()
    written_reason(reason)  # required; the programme's exit keeps it as it was written
    if unit.site_status is not SiteStatus.ACTIVE:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION,
            "该单位已不在项目中",
            "the unit is no longer in the programme",
            "unitId",
        )
    left = await leave_programme(session, unit, SiteStatus.WITHDRAWN, reason, [], today())
    await record(
        session,
        actor_user_id=actor.user_id,
        action="unit.withdraw",
        target_type="Unit",
        target_id=unit.id,
        before={"siteStatus": "ACTIVE"},
        after={
            "siteStatus": "WITHDRAWN",
            "reason": reason,
            "communitiesLeft": [m.community_id for m in left],
        },
    )
    return unit


async def reinstate(session: AsyncSession, guard: Guard, exit_id: int, reason: str) -> ExitRecord:
    """The project group reverses an exit, with a recorded reason. The exit stays on record;
    a community exit gives the unit a new membership, a programme exit restores the site
    (its communities take it back with `addMember`)."""
    actor = guard.require(Permission.UNIT_REINSTATE)
    exit_record = await session.get(ExitRecord, exit_id, with_for_update=True)
    if exit_record is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "退出记录不存在", "no such exit", "exitId")
    if exit_record.reinstated_on is not None:
        raise UserFacingError(
            ErrorCode.INVALID_TRANSITION, "该退出已撤销", "the exit was already reversed", "exitId"
        )
    reason = written_reason(reason, "请写明恢复理由", "a reason is required")
    on = today()
    unit = await get_unit(session, exit_record.unit_id)
    if exit_record.scope is ExitScope.PROGRAMME:
        unit.site_status = SiteStatus.ACTIVE
        unit.status_changed_on = on
        unit.status_reason = reason
    else:
        if exit_record.community_id is None:
            raise ValueError(f"community exit {exit_record.id} names no community")
        if unit.site_status is not SiteStatus.ACTIVE:
            raise UserFacingError(
                ErrorCode.NOT_ACTIVE_SITE,
                "该单位已不在项目中，须先恢复其实验点资格",
                "the unit has left the programme: reinstate the site first",
                "exitId",
            )
        await rejoin(session, exit_record.community_id, unit.id, on)
    exit_record.reinstated_on = on
    exit_record.reinstated_reason = reason
    await session.flush()
    await record(
        session,
        actor_user_id=actor.user_id,
        action="exit.reinstate",
        target_type="Unit",
        target_id=unit.id,
        community_id=exit_record.community_id,
        before={"exit": exit_record.id},
        after={"reinstatedOn": on.isoformat(), "reason": reason},
    )
    return exit_record
