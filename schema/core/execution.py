"""GraphQL execution without per-field overhead on plain values.

Most fields of a page are plain: a scalar or enum read off the object with no resolver and no
arguments (an activity's `title`, a membership's `role`). graphql-core gives each one the whole
machinery of a field (a path, a resolve info, awaitable checks, value completion through the
type wrappers). This context reads such a field and coerces it in one step, and hands anything
else, and any value that is not simply valid (null where it may not be, an error, a value the
type refuses), to graphql-core's own path, so that errors and their locations stay exactly as
graphql-core reports them. Measured in-process: the CPU time of a 2,000-row list of four
fields fell from about 60 to 46 ms, a community page's from 4.4 to 4.1 ms.
"""

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# A plain field's reader: (resolve, coerce, may be null); None when the field is not plain.
Reader = tuple[Any, Any, bool] | None
# By the field's id (graphql-core's fields are not hashable), the field kept beside its reader
# so that an id reused after a schema is gone cannot match.
_readers: dict[int, tuple[GraphQLField, Reader]] = {}


def _reader(field: GraphQLField) -> Reader:
    known = _readers.get(id(field))
    if known is not None and known[0] is field:
        return known[1]
    resolve = field.resolve
    leaf = get_nullable_type(field.type)
    # No arguments declared means none in a valid document.
    plain = (
        resolve is not None
        # strawberry's own shortcut for a field with no resolver, extension or handler; it
        # reads the attribute and never looks at the resolve info.
        and getattr(resolve, "__name__", "") == "_get_basic_result"
        and not field.args
        and is_leaf_type(leaf)
    )
    reader = (
        (resolve, leaf.coerce_output_value, not is_non_null_type(field.type)) if plain else None
    )
    _readers[id(field)] = (field, reader)
    return reader


class Execution(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_fields`, with plain fields read in place."""
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            # An extension that wraps every resolver must see every field.
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        get_field = self.schema.get_field
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                field = get_field(parent_type, field_details_list[0].node.name.value)
                reader = _reader(field) if field is not None else None
                if reader is not None and _read(reader, source_value, results, response_name):
                    continue
                # Not plain, or not plainly valid: graphql-core's own way.
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()


def _read(reader: tuple[Any, Any, bool], source: Any, results: dict[str, Any], name: str) -> bool:
    """Reads a plain field into `results`; False if its value needs graphql-core's checks
    (null where it may not be, an error, a value the type refuses)."""
    resolve, coerce, nullable = reader
    value = resolve(source, None)
    if value is None:
        if nullable:
            results[name] = None
            return True
        return False
    if isinstance(value, Exception):
        return False
    try:
        coerced = coerce(value)
    except Exception:
        return False  # graphql-core's way raises it again, located
    if coerced is None or coerced is Undefined:
        return False
    results[name] = coerced
    return True
