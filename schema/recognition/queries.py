import strawberry

from schema.core.context import Info
from schema.core.pagination import Connection
from schema.core.projection import page, roots
from schema.recognition.types import Recognition
from server.recognition import service
from server.recognition.queries import recognitions_statement
from server.vocabulary import RecognitionKind

# A certificate number is `GX-<year>-<sequence>`: anything much longer names nothing.
NUMBER_CHARACTERS = 32


@roots
@strawberry.type
class RecognitionQueries:
    @strawberry.field(
        description="The recognitions granted (Art. 6(5)), revoked ones too, filtered; oldest "
        "first (`newestFirst`: the latest first). Public."
    )
    @page("Recognition", recognitions_statement)
    async def recognitions(
        self,
        info: Info,
        year: int | None = None,
        kind: RecognitionKind | None = None,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Recognition]:
        raise NotImplementedError  # `page` answers the field: this body never runs

    @strawberry.field(
        description="The recognition a certificate number names, or null: what its public "
        "verification page (`/verify/{number}`) confirms."
    )
    async def certificate(self, info: Info, number: str) -> Recognition | None:
        written = number.strip()
        if not written or len(written) > NUMBER_CHARACTERS:
            return None
        async with info.context.transaction() as session:
            row = await service.get_by_number(session, written)
        return Recognition.of(row) if row else None
