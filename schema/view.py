"""The GraphQL endpoint: strawberry's ASGI view with the request context, the request's
tenant, and errors that always carry a code (JSON, never plain text). Websockets speak
graphql-transport-ws only, checked as requests are (`schema/socket.py`)."""

from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from schema.core.compiled import CompiledReads, answer
from schema.core.context import Context
from schema.core.direct import DirectExecution
from schema.core.errors import BAD_REQUEST, format_error, is_outage_error, is_request_error
from schema.core.over_http import (
    GRAPHQL_RESPONSE,
    JSON,
    RequestRefused,
    answer_media_type,
    get_params,
    mutation_over_get,
    not_answerable,
    post_params,
    unsupported_method,
)
from schema.core.strawberry_private import graphql_schema
from schema.socket import CheckedSocket
from server.errors import GongxueError
from server.i18n import language_from
from server.outages import ServiceUnavailable, is_outage
from server.runtime import Runtime
from server.web.graphiql import graphiql_page
from tenants.resolution import Tenant, agree, find_tenant


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = CheckedSocket

    def __init__(self, runtime: Runtime, **kwargs: Any) -> None:  # strawberry's view's options
        from schema.api import LIMITS, MAX_TOKENS, SCHEMA, masking

        # The legacy graphql-ws protocol is not served: one protocol, checked once.
        kwargs.setdefault("subscription_protocols", (GRAPHQL_TRANSPORT_WS_PROTOCOL,))
        super().__init__(SCHEMA, **kwargs)
        self.runtime = runtime
        self._tenants: dict[str, Tenant] = {}
        self._compiled = CompiledReads(graphql_schema(SCHEMA), tuple(LIMITS), MAX_TOKENS)
        self._direct = DirectExecution(SCHEMA, masking())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        language = language_from(request.headers.get("accept-language"))
        media = answer_media_type(request.headers.get("accept"))
        try:
            scope.setdefault("state", {})["tenant"] = await self._path_tenant(request)
            response = await self._answer(request, media, language)
            if getattr(request.state, "unavailable", False):
                response.status_code = 503  # nothing answered: retry later
        except RequestRefused as exc:
            response = _error_response(
                exc.status, exc.message(language), exc.code, media, exc.headers
            )
        except HTTPException as exc:  # what strawberry's view refuses beyond our checks
            response = _error_response(exc.status_code, exc.reason, BAD_REQUEST, media)
        except GongxueError as exc:
            status = 404 if exc.code == "NOT_FOUND" else 400
            response = _error_response(status, exc.message(language), exc.code.value, media)
        except Exception as exc:  # before execution (the path's tenant): only an outage is told
            if not is_outage(exc):
                raise
            unavailable = ServiceUnavailable()
            response = _error_response(
                503, unavailable.message(language), unavailable.code.value, media
            )
        await response(scope, receive, send)

    async def _answer(self, request: Request, media: str | None, language: str) -> Response:
        if request.method not in ("GET", "POST"):
            raise unsupported_method()
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            return await self.run(request)  # GraphiQL, for a browser
        if media is None:
            raise not_answerable()
        request.state.media = media
        response = None
        if request.method == "POST":
            params = post_params(request.headers.get("content-type"), await request.body())
            response = await self._checked_answer(request, params, media, language)
        else:
            get_params(request.query_params)
        if response is None:
            try:
                response = await self.run(request)
            except HTTPException as exc:
                if isinstance(exc.__cause__, InvalidOperationTypeError):
                    raise mutation_over_get() from exc
                raise
            if response.media_type == JSON:
                response.headers["content-type"] = media
        if media == GRAPHQL_RESPONSE and getattr(request.state, "rejected", False):
            # A document that does not parse or validate, or variables that do not coerce,
            # never reached execution: 400, and no `data` entry (`process_result`).
            response.status_code = 400
        return response

    async def _checked_answer(
        # `params`: the request's JSON, whatever the client sent.
        self,
        request: Request,
        params: dict[str, Any],
        media: str,
        language: str,
    ) -> Response | None:
        """A POST of a document that parses and validates, answered without strawberry's
        view: by one statement where every field reads straight from SQL
        (`schema/core/compiled.py`), else executed directly (`schema/core/direct.py`). None
        for anything else, which strawberry answers with its own errors."""
        checked = self._compiled.check(params["query"], params.get("operationName"), language)
        if checked is None:
            return None
        variables, extensions = params.get("variables"), params.get("extensions")
        context = request.state.context = self._context(request)
        if checked.plan is not None:
            data = await answer(checked.plan, context, variables)
            if data is not None:
                return Response(data, media_type=media)
        result = await self._direct.run(checked, context, variables, extensions)
        answered = await self.process_result(request, result)
        return Response(self.encode_json(answered), media_type=media)

    def _context(self, request: HTTPConnection) -> Context:
        tenant = request.scope.get("state", {}).get("tenant")
        return Context(self.runtime, request, tenant, self._tenants)

    async def admit(self, context: Context, params: dict[str, object]) -> None:
        """A websocket's `connection_init`: its door and its token, checked as a request's."""
        context.enter(await self._path_tenant(context.request))
        context.take_socket_token(params)

    async def _path_tenant(self, request: HTTPConnection) -> Tenant | None:
        """The `/c/{slug}/` community, checked once here so every resolver can trust it."""
        slug = request.path_params.get("slug")
        agree(slug, request.headers.get("x-community"))
        if slug is None:
            return None
        if slug not in self._tenants:
            async with self.runtime.database.transaction() as session:
                self._tenants[slug] = await find_tenant(session, slug)
        return self._tenants[slug]

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL with its scripts and styles served by gongxue, never a CDN: it works on an
        intranet that cannot reach one."""
        return graphiql_page(request)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Subscriptions are served over websockets only, where the socket is checked as a
        door (`schema/socket.py`); over HTTP one would run as a query and fail."""
        if _subscribes(request_data.query, request_data.operation_name):
            raise HTTPException(400, "subscriptions are served over websockets")
        return await super().execute_single(
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )

    # orjson: a 2,000-row list is a large JSON answer, slow to write with the standard
    # library's encoder (bench/RESULTS.md). Its decode errors are json.JSONDecodeError too, so
    # a body that is not JSON is still the 400 strawberry gives.
    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        # A request the compiled path gave back keeps its context: its token is checked.
        return request.scope.get("state", {}).get("context") or self._context(request)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        language = language_from(request.headers.get("accept-language"))
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            data["errors"] = [format_error(e, language) for e in result.errors]
            if result.data is None and all(is_request_error(e) for e in result.errors):
                request.state.rejected = True
                if getattr(request.state, "media", JSON) == GRAPHQL_RESPONSE:
                    del data["data"]  # the specification: no execution, no `data` entry
            nothing = result.data is None or all(v is None for v in result.data.values())
            if nothing and all(is_outage_error(e) for e in result.errors):
                request.state.unavailable = True
        if result.extensions:
            data["extensions"] = result.extensions
        return data


def _subscribes(query: str | None, operation_name: str | None) -> bool:
    from schema.api import MAX_TOKENS

    try:
        document = parse(query or "", max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False  # strawberry answers it with the parse error
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


def _error_response(
    status: int, message: str, code: str, media: str | None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status, headers, media_type=media or JSON)
