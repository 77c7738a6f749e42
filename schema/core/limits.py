"""What a client may send, checked once for every field that takes arguments, before its
resolver (or a compiled read) lets the database see a value.

- Every string (`String`, `ID`) has a length limit: the one its input field declares with
  `limited(n)` (fitting its column), else `SHORT`. NUL, which PostgreSQL text cannot hold,
  and other control characters but tab and line breaks are refused everywhere.
- Every `Date` and `DateTime` lies in `EARLIEST`..`LATEST`, so date arithmetic (a due date,
  a cycle's end) cannot overflow.

A refusal is INVALID_INPUT naming the field: in a mutation's payload `errors`, elsewhere a
top-level error. `apply` writes each limit into the schema's descriptions, so clients read
them where they read the field."""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    default_field_resolver,
    get_named_type,
    get_nullable_type,
)

from schema.core.context import Context
from schema.core.errors import UserError, carries_refusals
from schema.core.strawberry_private import definition_of
from server.errors import ErrorCode, UserFacingError

SHORT = 200  # a name, a title, a slug, an id, a cursor, a password
WRITTEN = 2000  # a reason, a comment, evidence: a few paragraphs
REPORT = 20000  # a report's body
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)

_MAX_LENGTH = "max_length"
_TEXT = {"String", "ID"}
_DATES = {"Date", "DateTime"}
# C0 controls but tab, line feed and carriage return; DEL. (GraphQL's parser and the JSON
# decoder already refuse unpaired surrogates.)
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# `Any` here: an argument's value as graphql-core coerced it from the request's JSON (text, a
# date, a list, an input object's dict, by its type), and `strawberry.field`'s keyword
# arguments and value, which strawberry types `Any`.

# A check of one argument's value: raises UserFacingError, or returns.
Check = Callable[[Any], None]


def limited(max_length: int, **field: Any) -> Any:
    """An input field holding at most `max_length` characters (its column's size)."""
    return strawberry.field(metadata={_MAX_LENGTH: max_length}, **field)


def apply(schema: GraphQLSchema) -> None:
    """Checks the arguments of every field that takes a string or a date, and describes the
    limits. Run once, on the built schema."""
    described: set[int] = set()
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        is_mutation = named is schema.mutation_type
        for field in named.fields.values():
            checks = {}
            for name, argument in field.args.items():
                _describe(argument, argument.type, _limit(argument))
                check = _check_of(argument.type, name, _limit(argument), described)
                if check is not None:
                    checks[name] = check
            if checks:
                field.resolve = Checked(field, checks, is_mutation)


def check_arguments(field: GraphQLField, arguments: dict[str, Any]) -> None:
    """The same checks, for a read that does not call the field's resolver (compiled reads)."""
    if isinstance(field.resolve, Checked):
        _run(field.resolve.checks, arguments)


class Checked:
    """A field's resolver with its arguments checked first."""

    __slots__ = ("_payload", "_resolve", "checks")

    def __init__(self, field: GraphQLField, checks: dict[str, Check], is_mutation: bool) -> None:
        self.checks = checks
        self._resolve = field.resolve or default_field_resolver
        self._payload = _payload_class(field) if is_mutation else None

    def __call__(
        self, source: object, info: GraphQLResolveInfo[Context], **arguments: Any
    ) -> object:
        try:
            _run(self.checks, arguments)
        except UserFacingError as refused:
            if self._payload is None:
                raise
            return self._payload(errors=[UserError.of(refused, info.context.language)])
        return self._resolve(source, info, **arguments)


def _run(checks: dict[str, Check], arguments: dict[str, Any]) -> None:
    for name, check in checks.items():
        value = arguments.get(name)
        if value is not None:
            check(value)


def _payload_class(field: GraphQLField) -> Callable[..., object] | None:
    """The mutation's payload type, which carries a refusal in its `errors`; None when it has
    none or needs more than that to be made (the refusal is then a top-level error)."""
    payload = get_nullable_type(field.type)
    if not isinstance(payload, GraphQLObjectType):
        return None
    definition = definition_of(payload)
    if definition is None:
        return None
    origin: type = definition.origin
    return origin if carries_refusals(origin) else None


def _limit(holder: GraphQLArgument | GraphQLInputField) -> int:
    definition = definition_of(holder)
    limit: int = (getattr(definition, "metadata", None) or {}).get(_MAX_LENGTH, SHORT)
    return limit


def _check_of(
    type_: GraphQLInputType, name: str, max_length: int, described: set[int]
) -> Check | None:
    """The check of a value of `type_` held by the field or argument `name`; None when the
    type holds nothing to check."""
    nullable = get_nullable_type(type_)
    if isinstance(nullable, GraphQLList):
        item = _check_of(nullable.of_type, name, max_length, described)
        return None if item is None else _each(item)
    if isinstance(nullable, GraphQLInputObjectType):
        fields = {}
        for field_name, field in nullable.fields.items():
            if id(field) not in described:
                described.add(id(field))
                _describe(field, field.type, _limit(field))
            check = _check_of(field.type, field_name, _limit(field), described)
            if check is not None:
                fields[field_name] = check
        return (lambda value: _run(fields, value)) if fields else None
    if nullable.name in _TEXT:
        return lambda value: _text(value, name, max_length)
    if nullable.name in _DATES:
        return lambda value: _date(value, name)
    return None


def _each(check: Check) -> Check:
    def each(values: Any) -> None:
        for value in values:
            if value is not None:
                check(value)

    return each


def _text(value: object, name: str, max_length: int) -> None:
    if not isinstance(value, str):
        return
    if len(value) > max_length:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"{name} 过长：最多 {max_length} 个字符",
            f"`{name}` is too long: at most {max_length} characters",
            name,
        )
    if _REFUSED.search(value):
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"{name} 含有不允许的字符（NUL 或其他控制字符）",
            f"`{name}` contains a character that is not allowed (NUL or another control character)",
            name,
        )


def _date(value: object, name: str) -> None:
    day = value.date() if isinstance(value, dt.datetime) else value
    if isinstance(day, dt.date) and not EARLIEST <= day <= LATEST:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"{name} 须在 {EARLIEST} 至 {LATEST} 之间",
            f"`{name}` must be between {EARLIEST} and {LATEST}",
            name,
        )


def _describe(
    holder: GraphQLArgument | GraphQLInputField, type_: GraphQLInputType, max_length: int
) -> None:
    """Adds the limit of what `holder` takes to its description."""
    named = get_named_type(type_)
    if named.name in _TEXT:
        limit = f"At most {max_length} characters."
    elif named.name in _DATES:
        limit = f"From {EARLIEST} to {LATEST}."
    else:
        return
    if holder.description is None:
        holder.description = limit
    elif limit not in holder.description:
        holder.description = f"{holder.description.rstrip('.')}. {limit}"
