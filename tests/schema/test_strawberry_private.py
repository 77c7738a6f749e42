"""What the GraphQL layer relies on in strawberry's private API
(`schema/core/strawberry_private.py`), pinned on a schema of its own. An upgrade of strawberry
that changes any of it fails here, by name, before a request does."""

import inspect

import strawberry
from graphql import GraphQLSchema
from strawberry.permission import BasePermission
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from schema.core.strawberry_private import (
    OperationStreamClosed,
    definition_of,
    field_of,
    graphql_schema,
    reads_plain_attribute,
)


class Anyone(BasePermission):
    def has_permission(self, source: object, info: object, **kwargs: object) -> bool:
        return True


@strawberry.type
class Site:
    name: str

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field(permission_classes=[Anyone])
    def guarded(self) -> str:
        return self.name


@strawberry.input
class Rename:
    name: str = strawberry.field(metadata={"max_length": 12})


@strawberry.type
class Query:
    @strawberry.field
    def site(self, name: str) -> Site:
        return Site(name=name)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def rename(self, rename: Rename) -> Site:
        return Site(name=rename.name)


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)
CORE = graphql_schema(SCHEMA)


def test_the_graphql_core_schema_is_the_one_strawberry_executes():
    assert isinstance(CORE, GraphQLSchema)
    assert CORE.query_type is not None and set(CORE.query_type.fields) == {"site"}
    result = SCHEMA.execute_sync('{ site(name: "an") { name shout } }')
    assert result.data == {"site": {"name": "an", "shout": "AN"}}


def test_each_element_leads_back_to_its_strawberry_definition():
    site = CORE.type_map["Site"]
    query_site = CORE.query_type.fields["site"]
    rename = CORE.type_map["Rename"]

    assert isinstance(definition_of(site), StrawberryObjectDefinition)
    assert definition_of(site).origin is Site
    assert isinstance(definition_of(site.fields["name"]), StrawberryField)
    assert definition_of(site.fields["name"]).python_name == "name"
    assert isinstance(definition_of(query_site.args["name"]), StrawberryArgument)
    assert definition_of(rename.fields["name"]).metadata == {"max_length": 12}
    assert definition_of(CORE.type_map["String"]) is None  # graphql-core's own


def test_a_field_leads_back_to_its_strawberry_field_with_its_python_name_and_checks():
    fields = CORE.type_map["Site"].fields

    assert field_of(fields["name"]).python_name == "name"
    assert [type(e).__name__ for e in field_of(fields["guarded"]).extensions] == [
        "PermissionExtension"
    ]
    assert field_of(CORE.type_map["__Type"].fields["name"]) is None  # introspection's own


def test_a_field_without_resolver_extension_or_handler_reads_its_attribute_without_info():
    fields = CORE.type_map["Site"].fields

    assert reads_plain_attribute(fields["name"].resolve)
    assert fields["name"].resolve(Site(name="an"), None) == "an"  # no info needed
    assert not reads_plain_attribute(fields["shout"].resolve)  # a resolver of its own
    assert not reads_plain_attribute(fields["guarded"].resolve)  # a permission check


def test_the_socket_handlers_hooks_are_where_the_socket_expects_them():
    def parameters(function: object) -> list[str]:
        return list(inspect.signature(function).parameters)

    handler, operation = BaseGraphQLTransportWSHandler, Operation
    assert parameters(handler._handle_pre_execution_error) == ["self", "operation", "result"]
    assert parameters(handler._send_result_stream) == ["self", "operation", "result_source"]
    assert parameters(handler._task_done) == ["self", "task"]
    assert parameters(handler.run_operation) == ["self", "operation"]
    assert parameters(handler.handle_subscribe) == ["self", "message"]
    assert parameters(operation.__init__) == [
        "self",
        "handler",
        "id",
        "query",
        "variables",
        "operation_name",
    ]
    assert parameters(operation.send_initial_errors) == ["self", "errors"]
    assert parameters(operation.send_next) == ["self", "execution_result"]
    assert issubclass(OperationStreamClosed, Exception)
