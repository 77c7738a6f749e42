"""The published lists as Excel workbooks: experiment sites and exits (Art. 8), with Chinese
headers and real date cells. The exit list names the unit, the community, how and when it
left; why it left is not published (`server/units/reasons.py`)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.communities.models import Community
from server.regions.provinces import PROVINCES
from server.units.models import ExitRecord, Unit
from server.vocabulary import SiteStatus
from server.workbooks import workbook


async def sites_workbook(session: AsyncSession) -> bytes:
    units = (
        await session.scalars(
            select(Unit)
            .where(Unit.site_status == SiteStatus.ACTIVE, Unit.plaque_number.is_not(None))
            .order_by(Unit.plaque_number)
        )
    ).all()
    rows = [
        [
            u.plaque_number,
            u.name,
            u.level.zh,
            PROVINCES[u.province][0],
            u.division_code,
            u.admitted_on,
        ]
        for u in units
    ]
    headers = ["授牌编号", "单位名称", "层级", "省份", "行政区划代码", "公布日期"]
    return workbook("项目实验点名单", headers, rows)


async def exits_workbook(session: AsyncSession) -> bytes:
    exits = (
        await session.execute(
            select(ExitRecord, Unit, Community.name)
            .join(Unit, Unit.id == ExitRecord.unit_id)
            .outerjoin(Community, Community.id == ExitRecord.community_id)
            .order_by(ExitRecord.exited_on, ExitRecord.id)
        )
    ).all()
    rows = [
        [
            unit.name,
            unit.division_code,
            exit_record.scope.zh,
            community or "",
            exit_record.kind.zh,
            exit_record.exited_on,
            exit_record.reinstated_on,
        ]
        for exit_record, unit, community in exits
    ]
    headers = [
        "单位名称",
        "行政区划代码",
        "退出范围",
        "共同体",
        "退出方式",
        "退出日期",
        "恢复日期",
    ]
    return workbook("退出名单", headers, rows)
