"""graphql-transport-ws with the checks an HTTP request gets.

`connection_init` opens the door: the `/c/{slug}/` community (and `X-Community` agreeing with
it) and the token (`Context.take_socket_token`). A refusal closes the socket with 4000 + the
status HTTP would answer and the error's code as the reason: 4401 UNAUTHENTICATED, 4404
NOT_FOUND, 4400 TENANT_MISMATCH. The token is checked again at each `subscribe`: one logged
out, expired or cut off since gets that operation refused with UNAUTHENTICATED and the socket
closed with 4401; a watcher closes it within `WATCH_SECONDS` when nothing is asked, its
subscriptions with it. Each operation runs with a context of its own (its own sign-in and
dataloaders), and each subscription event is checked against the rights of that moment.
Errors are formatted as over HTTP: always an `extensions.code`, the message in the socket's
language (`Accept-Language` of the upgrade)."""

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLFormattedError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    NextMessage,
    NextMessagePayload,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.utils.aio import aclosing

from schema.core.context import Context
from schema.core.errors import format_error
from schema.core.strawberry_private import OperationStreamClosed
from server.errors import AccessError, ErrorCode, GongxueError

if TYPE_CHECKING:  # the view serves the sockets this handles
    from schema.view import GraphQLView

# How often an open socket's token is checked again (in memory: no round trip). The
# revocations themselves reach a process as HTTP's do (`server/accounts/revocations.py`).
WATCH_SECONDS = 0.5
CLOSE_CODES = {
    ErrorCode.UNAUTHENTICATED: 4401,
    ErrorCode.FORBIDDEN: 4403,
    ErrorCode.NOT_FOUND: 4404,
}


def close_code(refusal: GongxueError) -> int:
    return CLOSE_CODES.get(refusal.code, 4400)


class CheckedOperation(Operation[Context, None]):
    """An operation whose errors are formatted as the HTTP endpoint formats them."""

    __slots__ = ("language",)

    def __init__(self, handler: "CheckedSocket", *args: Any) -> None:  # strawberry's, as given
        super().__init__(handler, *args)
        self.language = handler.context.language

    def _formatted(self, errors: list[GraphQLError]) -> list[GraphQLFormattedError]:
        return [format_error(e, self.language) for e in errors]

    async def send_initial_errors(self, errors: list[GraphQLError]) -> None:
        await self.send_operation_message(
            ErrorMessage(id=self.id, type="error", payload=self._formatted(errors))
        )

    async def send_next(self, execution_result: ExecutionResult) -> None:
        payload = NextMessagePayload(data=execution_result.data)
        if execution_result.errors:
            payload["errors"] = self._formatted(execution_result.errors)
        if execution_result.extensions:
            payload["extensions"] = execution_result.extensions
        await self.send_operation_message(NextMessage(id=self.id, type="next", payload=payload))


class CheckedSocket(BaseGraphQLTransportWSHandler[Context, None]):
    context: Context
    _watch: asyncio.Task[None] | None = None
    view: "GraphQLView"

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        params = message.get("payload") or {}
        if not self.connection_init_received and isinstance(params, dict):
            try:
                await self.view.admit(self.context, params)
            except GongxueError as refused:
                await self.websocket.close(code=close_code(refused), reason=refused.code.value)
                return
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self.context.bearer is not None:
            self._watch = asyncio.create_task(self._watch_token())

    async def _watch_token(self) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                self.context.still_signed_in()
            except AccessError as ended:
                await self._end(ended)
                return

    async def _end(self, ended: AccessError) -> None:
        """The socket's sign-in has ended: its subscriptions stop, and it closes."""
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with contextlib.suppress(RuntimeError, OSError):  # the client went first
            await self.websocket.close(code=close_code(ended), reason=ended.code.value)

    async def shutdown(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await super().shutdown()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """As strawberry's, with operations that format their errors as HTTP does."""
        if not self.connection_acknowledged:
            await self.websocket.close(code=4401, reason="Unauthorized")
            return
        if message["id"] in self.operations:
            await self.websocket.close(
                code=4409, reason=f"Subscriber for {message['id']} already exists"
            )
            return
        if self.context.bearer is not None:
            try:
                self.context.still_signed_in()
            except AccessError as ended:
                # Refused as HTTP would refuse it, then closed without waiting for the watcher.
                error = GraphQLError(ended.message(self.context.language), original_error=ended)
                refusal = format_error(error, self.context.language)
                await self.send_message(
                    ErrorMessage(id=message["id"], type="error", payload=[refusal])
                )
                await self._end(ended)
                return
        if (
            self.max_subscriptions_per_connection is not None
            and len(self.operations) >= self.max_subscriptions_per_connection
        ):
            limit = format_error(GraphQLError("Subscription limit reached"), self.context.language)
            await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[limit]))
            return
        operation = CheckedOperation(
            self,
            message["id"],
            message["payload"]["query"],
            message["payload"].get("variables"),
            message["payload"].get("operationName"),
        )
        operation.task = asyncio.create_task(self.run_operation(operation))
        operation.task.add_done_callback(self._task_done)
        self.operations[message["id"]] = operation

    async def _handle_pre_execution_error(
        self, operation: Operation[Context, None], result: PreExecutionError
    ) -> None:
        """A document that does not parse is an error with a code, as over HTTP; strawberry
        would close the socket with a bare reason."""
        await operation.send_initial_errors(result.errors or [])

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """As strawberry's, with a context of the operation's own (its own sign-in)."""
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context.for_operation(),
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except OperationStreamClosed:
            return
        except GraphQLError as refused:
            # A document over the token limit: the parser cache raises it unwrapped.
            await operation.send_initial_errors([refused])
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
