"""Input types whose conversion is worked out once, for the inputs clients send by the dozen
(a recording's entries). Strawberry's general conversion works out each field's name and type
again for every value it converts, and a recording converts dozens (bench/RESULTS.md has the
saving). GraphQL has already checked and parsed the value
(scalars and enums arrive as their Python values), so a field of those is taken as it is; any
other field goes through strawberry's own conversion."""

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any, TypeVar

from strawberry.relay import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryOptional,
    StrawberryType,
    get_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition

T = TypeVar("T", bound=type)

# `Any`: an input's value as GraphQL parsed it from the request's JSON (a scalar, a list, an
# input object's mapping), and strawberry's own type of `from_input` (`Build`).
Convert = Callable[[Any, InputContext, str], object]
Build = Callable[[type, Mapping[str, Any], InputContext], Any]


def converted_once(cls: T) -> T:
    """Gives the strawberry input type `cls` a `from_input` that converts its fields by a
    plan made on first use (the schema's naming is known only then)."""
    definition = get_object_definition(cls, strict=True)
    plan: list[tuple[str, str, Convert]] | None = None
    # Fields without a default are None when left out, as strawberry makes them.
    omitted = {
        f.python_name: None
        for f in definition.fields
        if f.default_value is MISSING and f.default_factory is MISSING
    }

    def build(target: type, value: Mapping[str, Any], context: InputContext) -> object:
        nonlocal plan
        if plan is None:
            plan = [
                (
                    context.config.name_converter.from_field(f),
                    f.python_name,
                    _converter(f.resolve_type(type_definition=definition), context),
                )
                for f in definition.fields
            ]
        values: dict[str, object] = dict(omitted)
        for graphql_name, python_name, convert in plan:
            if graphql_name in value:
                values[python_name] = convert(value[graphql_name], context, graphql_name)
        return target(**values)

    definition.from_input = build
    return cls


def _converter(type_: StrawberryType | type, context: InputContext) -> Convert:
    inner = type_.of_type if isinstance(type_, StrawberryOptional) else type_
    if _is_leaf(inner, context):
        return _as_it_is
    item = inner.of_type if isinstance(inner, StrawberryList) else None
    if isinstance(item, type) and (build := _built_once(item)) is not None:

        def each(value: Any, context: InputContext, key: str) -> object:
            if value is None:
                return None
            return [build(item, v, context) for v in value]

        return each

    def general(value: object, context: InputContext, key: str) -> object:
        return context.convert(value, type_, key)

    return general


def _as_it_is(value: object, context: InputContext, key: str) -> object:
    return value


def _is_leaf(type_: StrawberryType | type, context: InputContext) -> bool:
    """A scalar or an enum, but not a relay GlobalID, which strawberry parses itself."""
    if type_ is GlobalID:
        return False
    return isinstance(type_, StrawberryEnumDefinition) or is_scalar(type_, context.scalar_registry)


def _built_once(type_: type) -> Build | None:
    """The input type's own conversion, if it has one (`converted_once`)."""
    definition = get_object_definition(type_)
    if definition is None or not definition.is_input:
        return None
    return definition.from_input
