import datetime as dt

import strawberry

from schema.core import ids
from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.projection import Label, project
from server.regions.provinces import PROVINCES
from server.units import models
from server.vocabulary import Level, SiteStatus


@strawberry.type(description="成员单位 / 项目实验点: an education body admitted to the programme.")
class Unit(Node):
    id: strawberry.ID
    name: str
    level: Level
    division_code: str = strawberry.field(description="GB/T 2260 division code")
    province: str = strawberry.field(description="two-digit GB/T 2260 province code, e.g. 33")
    site_status: SiteStatus
    plaque_number: str | None = strawberry.field(description="授牌编号, once the list is published")
    admitted_on: dt.date | None
    db_id: strawberry.Private[int]

    @strawberry.field
    def level_label(self, info: Info) -> str:
        return self.level.label(info.context.language)

    @strawberry.field
    def province_label(self, info: Info) -> str:
        zh, en = PROVINCES[self.province]
        return en if info.context.language == "en" else zh

    @strawberry.field
    def site_status_label(self, info: Info) -> str:
        return self.site_status.label(info.context.language)

    @classmethod
    def of(cls, row: models.Unit) -> "Unit":
        return cls(
            id=strawberry.ID(ids.encode("Unit", row.id)),
            name=row.name,
            level=row.level,
            division_code=row.division_code,
            province=row.province,
            site_status=row.site_status,
            plaque_number=row.plaque_number,
            admitted_on=row.admitted_on,
            db_id=row.id,
        )


@fetches("Unit")
async def fetch_unit(context: Context, keys: tuple[int, ...]) -> Unit | None:
    row = await context.loaders.unit.load(keys[0])
    return Unit.of(row) if row else None


project(
    "Unit",
    models.Unit,
    id=("id",),
    columns=(
        "name",
        "level",
        "division_code",
        "province",
        "site_status",
        "plaque_number",
        "admitted_on",
    ),
    labels={"level_label": ("level", Level), "site_status_label": ("site_status", SiteStatus)},
    province_label=Label("province", tuple((code, zh, en) for code, (zh, en) in PROVINCES.items())),
)
