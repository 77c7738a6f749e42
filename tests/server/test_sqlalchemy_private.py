"""What the reads rely on in SQLAlchemy's private API (`server/sqlalchemy_private.py`). An
upgrade of SQLAlchemy that changes any of it fails here, by name, before a request does."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.sql.expression import ColumnClause

from server.communities.models import Community
from server.sqlalchemy_private import bind_processors, cache_key, compile_keyed, result_columns
from server.vocabulary import CommunityStatus

# The dialect the reads compile for; nothing connects.
DIALECT = create_async_engine("postgresql+asyncpg://nobody@localhost/nothing").dialect


def by_status(status: CommunityStatus, community_id: int):
    return select(Community).where(Community.status == status, Community.id == community_id)


class Unkeyed(ColumnClause):  # a construct that says it cannot be cached
    inherit_cache = False


def test_statements_of_one_shape_share_a_cache_key_and_carry_their_own_values():
    active = cache_key(by_status(CommunityStatus.ACTIVE, 3))
    dissolved = cache_key(by_status(CommunityStatus.DISSOLVED, 9))

    assert active is not None and dissolved is not None
    assert active.key == dissolved.key, "one shape must give one key, whatever its values"
    assert [b.value for b in active.bindparams] == [CommunityStatus.ACTIVE, 3]
    assert [b.value for b in dissolved.bindparams] == [CommunityStatus.DISSOLVED, 9]


def test_a_statement_sqlalchemy_cannot_cache_has_no_key():
    assert cache_key(select(Community.id).where(Community.id == Unkeyed("7"))) is None


def test_a_compiled_shape_takes_the_values_of_another_statement_of_that_shape():
    first = by_status(CommunityStatus.ACTIVE, 3)
    compiled = compile_keyed(first, DIALECT, cache_key(first))
    other = cache_key(by_status(CommunityStatus.DISSOLVED, 9))
    assert other is not None

    values = compiled.construct_params(extracted_parameters=other.bindparams)

    assert compiled.string.endswith("WHERE communities.status = $1 AND communities.id = $2::BIGINT")
    assert [values[name] for name in compiled.positiontup or ()] == [
        CommunityStatus.DISSOLVED,
        9,
    ]


def test_bind_processors_are_named_as_the_positions_and_convert_for_the_driver():
    compiled = compile_keyed(by_status(CommunityStatus.ACTIVE, 3), DIALECT, None)

    processors = bind_processors(compiled)

    # The vocabulary is stored as its text; an integer needs no conversion.
    assert set(processors) == {"status_1"}
    assert list(compiled.positiontup or ()) == ["status_1", "id_1"]
    assert processors["status_1"](CommunityStatus.DISSOLVED) == "DISSOLVED"


def test_result_columns_name_a_models_attributes_and_labels_in_order():
    whole = result_columns(compile_keyed(select(Community), DIALECT, None))
    labelled = result_columns(
        compile_keyed(select(Community.id.label("ident"), Community.slug), DIALECT, None)
    )

    assert [name for name, _ in whole][:3] == ["id", "slug", "name"]
    assert [name for name, _ in whole] == [c.key for c in Community.__table__.columns]
    assert [name for name, _ in labelled] == ["ident", "slug"]
    status_type = dict(whole)["status"]
    convert = status_type.dialect_impl(DIALECT).result_processor(DIALECT, None)
    assert convert is not None and convert("ACTIVE") is CommunityStatus.ACTIVE
