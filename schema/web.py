"""The pages' GraphQL: a document executed in-process as the endpoint would execute it (the
same compiled reads, direct execution, masking and permission checks), as the visitor of the
browser session. Handed to the web layer as its `Execute` (`server/web/execution.py`)."""

from collections.abc import Mapping
from typing import Any

import orjson
from graphql import OperationDefinitionNode, OperationType
from starlette.requests import Request

from schema.core.compiled import Checked, CompiledReads, answer
from schema.core.context import Context
from schema.core.direct import DirectExecution
from schema.core.errors import format_error
from schema.core.strawberry_private import graphql_schema
from server.runtime import Runtime
from server.web.execution import Answer
from server.web.kept_answers import KeptAnswers
from server.web.sessions import session_token
from tenants.resolution import Tenant


class PageExecution:
    def __init__(self, runtime: Runtime) -> None:
        from schema.api import LIMITS, MAX_TOKENS, SCHEMA, masking

        self.runtime = runtime
        self._doors: dict[str, Tenant] = {}
        self._compiled = CompiledReads(graphql_schema(SCHEMA), tuple(LIMITS), MAX_TOKENS)
        self._direct = DirectExecution(SCHEMA, masking())
        self._kept = KeptAnswers(lambda: runtime.database.changes, lambda: runtime.clock())

    async def __call__(
        # `variables`: JSON, as a page's form gives it.
        self,
        document: str,
        variables: Mapping[str, Any] | None,
        request: Request,
    ) -> Answer:
        # The pages are written in Chinese (`lang="zh-CN"`): their labels and messages too,
        # whatever `Accept-Language` asks, until the templates have an English version.
        checked = self._compiled.check(document, None, "zh")
        if checked is None:  # a page's own document that does not validate: a bug, loudly
            raise ValueError("a page's GraphQL document does not parse or validate")
        values = dict(variables or {})
        # The session's token, never an `Authorization` header a page request might carry.
        token = session_token(request)
        if token is not None or not _is_query(checked):
            return await self._answer(checked, values, request, token)
        key = (
            document,
            orjson.dumps(values, option=orjson.OPT_SORT_KEYS),
            request.headers.get("x-community"),
        )
        kept = self._kept.get(key)
        if kept is not None:
            return kept
        mark = self._kept.mark()
        answered = await self._answer(checked, values, request, None)
        self._kept.keep(key, mark, answered)
        return answered

    async def _answer(
        self, checked: Checked, values: dict[str, Any], request: Request, token: str | None
    ) -> Answer:
        context = Context(self.runtime, request, None, self._doors)
        context.sign_in_as(token)
        context.language = "zh"
        if checked.plan is not None:
            data = await answer(checked.plan, context, values)
            if data is not None:
                body = orjson.loads(data)
                return Answer(body.get("data"), body.get("errors") or [], raw=data)
        result = await self._direct.run(checked, context, values, None)
        errors = [dict(format_error(e, context.language)) for e in result.errors or []]
        # The data as the endpoint would send it, to key the rendered page by.
        raw = orjson.dumps(result.data) if result.data is not None and not errors else None
        return Answer(result.data, errors, raw=raw)


def _is_query(checked: Checked) -> bool:
    """A read: what an anonymous visitor's answer may be kept for (never a form's mutation)."""
    return all(
        d.operation is OperationType.QUERY
        for d in checked.document.definitions
        if isinstance(d, OperationDefinitionNode)
    )
