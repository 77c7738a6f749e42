"""What the demo's project group did: the first call for experiment sites, whose applications
(filed on paper and entered by the project group) evidenced all seven conditions of Art. 7
and were published; the programme's own seminars and trainings each year (Art. 6(3), 17(2));
and this year's call, open now, with one application in progress."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.activities.models import ProgrammeActivity
from server.admission.models import Application, ApplicationCall, ApplicationCondition
from server.demo.dataset import DemoUnit
from server.regions.provinces import province_of
from server.units.models import Unit
from server.vocabulary import ActivityKind, AdmissionCondition, ApplicationStatus

EVIDENCE = {
    AdmissionCondition.WILLINGNESS: "单位党委会议纪要：同意加入项目并接受项目组指导",
    AdmissionCondition.AUTHORITY_CONSENT: "当地教育局同意申报的函",
    AdmissionCondition.SELF_FUNDED_ORGANISATION: "实施方案及年度经费预算",
    AdmissionCondition.RESPONSIBLE_PERSON_AND_TEAM: "项目负责人任命文件及项目小组名单",
    AdmissionCondition.AREA_MOBILISATION: "辖区街镇、社区参与工作方案",
    AdmissionCondition.ACCEPTS_GUIDANCE_AND_FEES: "接受指导及缴纳公共建设经费承诺书",
    AdmissionCondition.ACCEPTS_RULES: "遵守《管理办法》承诺书",
}

# The programme's own year, within the cadence Art. 6(3) asks: 2-3 seminars, 3-4 trainings.
PROGRAMME_YEAR = (
    (3, 20, ActivityKind.TRAINING, "项目实验点负责人培训班"),
    (4, 15, ActivityKind.SEMINAR, "区域终身学习发展共同体年度工作会议"),
    (7, 10, ActivityKind.TRAINING, "社区教育工作者骨干研修班"),
    (10, 15, ActivityKind.SEMINAR, "共同体建设经验交流研讨会"),
    (11, 5, ActivityKind.TRAINING, "课题研究方法专题培训"),
)


def first_call(published_on: dt.date) -> ApplicationCall:
    return ApplicationCall(
        title="区域终身学习发展共同体项目首批实验点申报",
        year=published_on.year,
        opens_on=published_on - dt.timedelta(days=120),
        closes_on=published_on - dt.timedelta(days=60),
        published_on=published_on,
    )


def open_call(today: dt.date) -> ApplicationCall:
    return ApplicationCall(
        title=f"{today.year} 年区域终身学习发展共同体项目实验点申报",
        year=today.year,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=60),
    )


async def find_call(session: AsyncSession, title: str) -> ApplicationCall | None:
    return await session.scalar(select(ApplicationCall).where(ApplicationCall.title == title))


async def apply(
    session: AsyncSession,
    call: ApplicationCall,
    unit: DemoUnit,
    applicant_user_id: int,
    admitted: Unit | None,
) -> None:
    """An application with every condition evidenced: published with its site, or (no site
    yet) submitted and waiting for the project group's review."""
    application = Application(
        call_id=call.id,
        applicant_user_id=applicant_user_id,
        unit_name=unit.name,
        level=unit.level,
        division_code=unit.division_code,
        province=province_of(unit.division_code),
        address=unit.address,
        responsible_person=unit.responsible_person,
        project_team=f"{unit.responsible_person}（组长）及项目小组成员 5 人",
        status=ApplicationStatus.PUBLISHED if admitted else ApplicationStatus.SUBMITTED,
        unit_id=admitted.id if admitted else None,
    )
    session.add(application)
    await session.flush()
    session.add_all(
        ApplicationCondition(application_id=application.id, condition=c, evidence=e)
        for c, e in EVIDENCE.items()
    )


async def hold_programme_years(session: AsyncSession, years: Sequence[int], today: dt.date) -> int:
    """The programme's seminars and trainings of these years, those held by today."""
    held = [
        ProgrammeActivity(kind=kind, title=f"{year} 年{title}", held_on=dt.date(year, m, d))
        for year in years
        for m, d, kind, title in PROGRAMME_YEAR
        if dt.date(year, m, d) < today
    ]
    session.add_all(held)
    await session.flush()
    return len(held)
