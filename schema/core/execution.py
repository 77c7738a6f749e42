"""GraphQL execution without per-field overhead on plain values.

Most fields of a page are plain: a scalar or enum read off the object with no resolver and no
arguments (an activity's `title`, a membership's `role`), or an object read the same way (an
edge's `node`). graphql-core gives each one the whole machinery of a field (a resolve info,
awaitable checks, value completion through the type wrappers). This context reads a plain
scalar or enum and coerces it in one step, and completes a plain object's fields directly. It
hands anything else, and any value that is not simply valid (null where it may not be, an
error, a value the type refuses), to graphql-core's own path, so that errors and their
locations stay exactly as graphql-core reports them. What it saves on a long list and on a
community page: `bench/RESULTS.md`."""

import operator
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.incremental.incremental_executor import DeliveryGroupMap
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from schema.core.strawberry_private import field_of, reads_plain_attribute

# A plain field's reader: (kind, read the value off its object, coerce or object type, may be
# null), None when the field is not plain. `Any` where graphql-core has it: a field's result
# (a value, or an awaitable of one) and a leaf type's `coerce_output_value`, which the reader
# keeps in the same place as an object's type, told apart by the kind.
LEAF, OBJECT = "leaf", "object"
Read = Callable[[object], object]
Plain = tuple[str, Read, Any, bool]
Reader = Plain | None
# By the field's id (graphql-core's fields are not hashable), the field kept beside its reader
# so that an id reused after a schema is gone cannot match.
_readers: dict[int, tuple[GraphQLField, Reader]] = {}
# A plain object field whose value needs graphql-core's checks.
_SLOW = object()


def _reader(field: GraphQLField) -> Reader:
    known = _readers.get(id(field))
    if known is not None and known[0] is field:
        return known[1]
    resolve = field.resolve
    named = get_nullable_type(field.type)
    nullable = not is_non_null_type(field.type)
    read = None
    # No arguments declared means none in a valid document.
    if not field.args and reads_plain_attribute(resolve):
        read = _attribute_reader(field) or resolve
    reader: Reader = None
    if read is not None and is_leaf_type(named):
        reader = (LEAF, read, named.coerce_output_value, nullable)
    elif read is not None and is_object_type(named) and _checks_type_without_info(named):
        reader = (OBJECT, read, named, nullable)
    _readers[id(field)] = (field, reader)
    return reader


def _definition(field: GraphQLField) -> StrawberryField | None:
    """The strawberry field behind a GraphQL one, if strawberry made it."""
    return field_of(field)


def _attribute_reader(field: GraphQLField) -> Read | None:
    """The attribute itself, when strawberry would read it with plain `getattr` (its default):
    two calls fewer per value than through its resolver."""
    definition = _definition(field)
    if definition is None or definition.default_resolver is not getattr:
        return None
    return operator.attrgetter(definition.python_name)


def _checks_type_without_info(object_type: GraphQLObjectType) -> bool:
    """strawberry's `is_type_of` looks at the value only; another might need the info."""
    check = object_type.is_type_of
    return check is None or getattr(check, "__module__", "").startswith("strawberry.")


class Execution(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: object,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: DeliveryGroupMap | None,
    ) -> AwaitableOrValue[dict[str, Any]]:
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
                if reader is not None and reader[0] is LEAF:
                    if _read(reader, source_value, results, response_name):
                        continue
                    reader = None
                # A plain value read needs no path; everything past this point does.
                field_path = Path(path, response_name, parent_type.name)
                if reader is None or field is None:  # a reader implies its field
                    result = _SLOW
                else:
                    result = self._complete_plain_object(
                        reader,
                        source_value,
                        field,
                        field_details_list,
                        field_path,
                        position_context,
                    )
                if result is _SLOW:  # not plain, or not plainly valid: graphql-core's own way
                    result = self.execute_field(
                        parent_type, source_value, field_details_list, field_path, position_context
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

    def _complete_plain_object(
        self,
        reader: Plain,
        source: object,
        field: GraphQLField,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: DeliveryGroupMap | None,
    ) -> object:
        """A plain object field's value completed as graphql-core's `execute_field` would,
        without the resolve info it never needs; `_SLOW` if the value needs its checks."""
        _, read, object_type, _ = reader
        value = read(source)
        if value is None or isinstance(value, Exception):
            return _SLOW
        if object_type.is_type_of is not None and object_type.is_type_of(value, None) is not True:
            return _SLOW
        try:
            completed = self.collect_and_execute_subfields(
                object_type, field_details_list, path, value, position_context
            )
        except Exception as error:
            self.handle_field_error(error, field.type, field_details_list, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def await_completed() -> object:
            try:
                return await completed
            except Exception as error:
                self.handle_field_error(error, field.type, field_details_list, path)
                return None

        return await_completed()


def _read(reader: Plain, source: object, results: dict[str, Any], name: str) -> bool:
    """Reads a plain leaf field into `results`; False if its value needs graphql-core's checks
    (null where it may not be, an error, a value the type refuses)."""
    _, read, coerce, nullable = reader
    value = read(source)
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
