"""A checked document (`schema/core/compiled.py`) executed by graphql-core directly.

strawberry's `Schema.execute` makes the schema's five extensions for every request and runs
their hooks around parsing, validation and execution: CPU spent before the first resolver
(bench/RESULTS.md), on a request whose document the view has already parsed and validated with the
same rules and limits. What those extensions do after validation is kept here: an error is
logged as the schema logs it (`schema/core/errors.py`), then masked by the schema's own
`MaskErrors`. Resolvers, permissions and the execution context are the schema's, so the
answer is the one strawberry gives (`tests/schema/test_direct.py` compares them)."""

from inspect import isawaitable
from typing import Any

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import execute
from graphql.error import GraphQLError
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionResult

from schema.core.compiled import Checked
from schema.core.errors import log_errors, operation_named
from schema.core.strawberry_private import graphql_schema


class DirectExecution:
    def __init__(self, schema: strawberry.Schema, mask: MaskErrors) -> None:
        if schema.directives:
            # strawberry runs custom directives by an extension of its own, which this skips.
            raise ValueError("a schema with custom directives needs strawberry's execution")
        self._schema = schema
        self._mask = mask

    async def run(
        self,
        checked: Checked,
        context: object,
        # The request's JSON, as graphql-core takes it.
        variables: dict[str, Any] | None,
        extensions: dict[str, Any] | None,
    ) -> ExecutionResult:
        try:
            result = execute(
                graphql_schema(self._schema),
                checked.document,
                context_value=context,
                variable_values=variables,
                operation_name=checked.operation_name,
                executor_class=self._schema.execution_context_class,
                # strawberry types its check as returning bool, graphql-core wants the
                # TypeGuard it is.
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                operation_extensions=extensions,
            )
            if isawaitable(result):
                result = await result
        except Exception as error:
            # A failure outside any resolver: strawberry answers it as the one error.
            if not isinstance(error, GraphQLError):
                error = GraphQLError(str(error), original_error=error)
            result = GraphQLExecutionResult(None, [error])
        errors = result.errors
        if errors:
            # Logged before they are masked, as strawberry's own execution logs them.
            log_errors(errors, context, operation_named(checked.document, checked.operation_name))
            errors = [
                self._mask.anonymise_error(e) if self._mask.should_mask_error(e) else e
                for e in errors
            ]
        return ExecutionResult(data=result.data, errors=errors)
