"""What the GraphQL layer takes from strawberry beyond its public API: the graphql-core schema
a strawberry schema builds, the strawberry definition behind each graphql-core element, the
resolver strawberry gives a field that has none of its own, and the hooks of its
graphql-transport-ws handler that the socket (`schema/socket.py`) builds on. strawberry keeps
these private, so they may change in any release. The rest of the layer reaches them through
this module, and `tests/schema/test_strawberry_private.py` pins what it relies on, so that an
upgrade which changes them fails that test by name instead of the requests."""

from typing import Any

import strawberry
from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLNamedType,
    GraphQLSchema,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.subscriptions.protocols.graphql_transport_ws import handlers
from strawberry.types.field import StrawberryField

# What ends an operation's stream when the client completes it or the socket closes; the
# socket's `run_operation` (`schema/socket.py`, a copy of strawberry's) catches it as strawberry's
# does. That handler also overrides strawberry's `_handle_pre_execution_error` and calls its
# `_send_result_stream` and `_task_done`.
OperationStreamClosed = handlers._OperationStreamClosed


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built, which graphql-core's own functions take."""
    return schema._schema


def definition_of(
    element: GraphQLField | GraphQLArgument | GraphQLInputField | GraphQLNamedType,
) -> Any:
    """The strawberry definition an element was made from (a `StrawberryField` for a field or
    an input field, a `StrawberryArgument` for an argument, a type's definition for a type);
    None for one strawberry did not make. strawberry types the back reference as a plain
    extension value."""
    return (element.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)


def field_of(field: GraphQLField) -> StrawberryField | None:
    """The strawberry field a graphql-core field was made from, None for one strawberry did
    not make (`definition_of`, typed)."""
    made = definition_of(field)
    return made if isinstance(made, StrawberryField) else None


def reads_plain_attribute(resolve: object) -> bool:
    """Whether `resolve` is strawberry's own shortcut for a field with no resolver, extension
    or exception handler: it reads the value off its object and never looks at the resolve
    info, so a caller may read the value without making one."""
    return getattr(resolve, "__name__", "") == "_get_basic_result"
