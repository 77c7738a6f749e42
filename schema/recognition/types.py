import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from sqlalchemy import ARRAY, BigInteger, Boolean, String, case, literal_column, null
from sqlalchemy.sql.elements import ColumnElement

from schema.core.context import Context, Info
from schema.core.node import Node, fetches
from schema.core.projection import Bind, Expression, Row, computed, label, projected, related
from schema.units.types import Unit
from server.access.guard import Guard
from server.recognition import holders, models
from server.recognition.certificate import verification_url
from server.vocabulary import Prize, RecognitionKind

if TYPE_CHECKING:
    # Its module imports this one: strawberry reads it lazily, the type checker directly.
    from schema.communities.types import Community
    from schema.core.compiled import Run
else:
    Community = Annotated["Community", strawberry.lazy("schema.communities.types")]


def certificate_path(number: str) -> str:
    return f"/certificates/{number}.pdf"


def _printable_url(row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
    """`certificateUrl` as its resolver gives it, decided in the statement row by row from
    what the request's guard says (parameters of the run)."""

    def of(value_of_guard: Callable[[Guard], object]) -> Callable[["Run"], Awaitable[object]]:
        async def value(run: "Run") -> object:
            return value_of_guard(await run.context.guard())

        return value

    printable = holders.printable(
        row.c.community_id,
        row.c.unit_id,
        bind(of(holders.everywhere), Boolean),
        bind(of(holders.communities), ARRAY(BigInteger)),
        bind(of(holders.user_id), BigInteger),
    )
    url = (
        literal_column("'/certificates/'").op("||")(row.c.number).op("||")(literal_column("'.pdf'"))
    )
    return case((printable, url), else_=null())


async def _certificate_url(root: "Recognition", info: Info) -> str | None:
    guard = await info.context.guard()
    staff_unit = (await info.context.reason_readers()).staff_unit
    if not holders.may_print(guard, staff_unit, root.community_id, root.unit_id):
        return None
    return certificate_path(root.number)


def _verification_url(row: Row, language: str, bind: Bind) -> ColumnElement[Any]:
    def base(run: "Run") -> object:
        return verification_url(run.context.runtime.settings, "")

    return bind(base, String()).op("||")(row.c.number)


async def _verification(root: "Recognition", info: Info) -> str:
    return verification_url(info.context.runtime.settings, root.number)


@projected(models.Recognition)
@strawberry.type(
    description="A recognition the project group granted (Art. 6(5)): an achievement award, "
    "an honour certificate, a demonstration or featured community or unit, a national "
    "lifelong-learning brand; with its certificate's number. Public, as its verification "
    "page is."
)
class Recognition(Node):
    id: strawberry.ID
    kind: RecognitionKind
    kind_label: str = label("kind", RecognitionKind)
    year: int
    prize: Prize | None = strawberry.field(description="an achievement award's prize only")
    prize_label: str | None = label("prize", Prize)
    number: str = strawberry.field(description="证书编号, `GX-<year>-<sequence>`, never reused")
    holder_name: str = strawberry.field(
        description="the holder as printed on the certificate (a team or person for a brand "
        "or honour, when named)"
    )
    citation: str | None = strawberry.field(description="颁奖词: why it was granted")
    granted_on: dt.date
    revoked_at: dt.datetime | None = strawberry.field(
        description="when the project group revoked it (granted in error); null while in force"
    )
    db_id: strawberry.Private[int]
    community_id: strawberry.Private[int | None]
    unit_id: strawberry.Private[int | None]
    # Added by `projected`; declared so that the type checker knows it.
    of: ClassVar[Callable[[models.Recognition], "Recognition"]]

    community: Community | None = related(
        "Community",
        "community_id",
        same_community=True,
        description="The holder community (or its achievement's).",
    )
    unit: Unit | None = related("Unit", "unit_id", description="The holder unit.")
    certificate_url: str | None = computed(
        Expression(_printable_url),
        _certificate_url,
        description="The certificate (PDF, `/certificates/{number}.pdf`): for the project "
        "group, the holder community's leader and deputies and the holder unit's staff; null "
        "for anyone else.",
    )
    verification_url: str = computed(
        Expression(_verification_url),
        _verification,
        description="The public page that confirms it (`/verify/{number}`), printed on the "
        "certificate.",
    )


@fetches("Recognition")
async def fetch_recognition(context: Context, keys: tuple[int, ...]) -> Recognition | None:
    async with context.transaction() as session:
        row = await session.get(models.Recognition, keys[0])
    return Recognition.of(row) if row else None
