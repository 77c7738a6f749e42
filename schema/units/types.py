import datetime as dt
from collections.abc import Callable
from typing import ClassVar

import strawberry

from schema.core.context import Context
from schema.core.node import Node, fetches
from schema.core.projection import label, projected
from server.regions.provinces import PROVINCES
from server.units import models
from server.vocabulary import Level, SiteStatus


@projected(models.Unit)
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
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.Unit], "Unit"]]

    level_label: str = label("level", Level, description=None)
    province_label: str = label(
        "province",
        tuple((code, zh, en) for code, (zh, en) in PROVINCES.items()),
        description=None,
    )
    site_status_label: str = label("site_status", SiteStatus, description=None)


@fetches("Unit")
async def fetch_unit(context: Context, keys: tuple[int, ...]) -> Unit | None:
    row = await context.loaders.unit.load(keys[0])
    return Unit.of(row) if row else None
