"""GraphQL over HTTP (the GraphQL Foundation's specification): which media type answers a
request, and what a request must hold before GraphQL sees it. What this refuses is a 4xx with a
code, so no malformed body reaches code that would fail on it with a 500."""

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import mimeparse
import orjson

from schema.core.errors import BAD_REQUEST, METHOD_NOT_ALLOWED, NOT_ACCEPTABLE

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# Listed last, application/json wins a tie: a legacy client that names both equally, or sends
# `*/*`, keeps the answers it has always had.
ANSWERABLE = [GRAPHQL_RESPONSE, JSON]


class RequestRefused(Exception):
    """A request that is not well-formed GraphQL over HTTP."""

    def __init__(
        self, zh: str, en: str, *, status: int = 400, code: str = BAD_REQUEST, **headers: str
    ) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en
        self.status, self.code, self.headers = status, code, headers

    def message(self, language: str) -> str:
        return self.en if language == "en" else self.zh


def not_answerable() -> RequestRefused:
    return RequestRefused(
        "无法以请求接受的媒体类型应答："
        "可接受 application/graphql-response+json 或 application/json",
        "none of the accepted media types can be served: accept "
        "application/graphql-response+json or application/json",
        status=406,
        code=NOT_ACCEPTABLE,
    )


def unsupported_method() -> RequestRefused:
    return RequestRefused(
        "GraphQL 只接受 GET 和 POST 请求",
        "GraphQL takes GET and POST requests only",
        status=405,
        code=METHOD_NOT_ALLOWED,
        allow="GET, POST",
    )


def mutation_over_get() -> RequestRefused:
    return RequestRefused(
        "GET 请求不能执行变更（mutation），请用 POST",
        "a mutation cannot be executed over GET: use POST",
        status=405,
        code=METHOD_NOT_ALLOWED,
        allow="POST",
    )


# Clients send few distinct headers, and parsing one is a noticeable part of a small request
# (bench/RESULTS.md).
@lru_cache(maxsize=256)
def answer_media_type(accept: str | None) -> str | None:
    """The media type of the answer; None when the client accepts neither (406)."""
    if not accept:
        return JSON  # the specification's default for clients that do not say
    try:
        return mimeparse.best_match(ANSWERABLE, accept) or None
    except mimeparse.MimeTypeParseException:
        return JSON  # an Accept header that does not parse is disregarded, as HTTP allows


# `Any`: a request's parameters are its JSON, whatever the client sent.
def post_params(content_type: str | None, body: bytes) -> dict[str, Any]:
    """The parameters of a POST: a UTF-8 JSON object."""
    if not _utf8_json(content_type):
        raise RequestRefused(
            "POST 请求的 Content-Type 须为 application/json（UTF-8）",
            "a POST must have Content-Type application/json (UTF-8)",
        )
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RequestRefused(
            "请求体不是有效的 UTF-8 JSON", "the request body is not valid UTF-8 JSON"
        ) from None
    if not isinstance(params, dict):
        raise RequestRefused("请求体须为 JSON 对象", "the request body must be a JSON object")
    return _checked(params)


@lru_cache(maxsize=256)
def _utf8_json(content_type: str | None) -> bool:
    try:
        kind, subtype, options = mimeparse.parse_mime_type(content_type or "")
    except mimeparse.MimeTypeParseException:
        return False
    return (kind, subtype) == ("application", "json") and (
        options.get("charset", "utf-8").lower() == "utf-8"
    )


def get_params(query_params: Mapping[str, str]) -> dict[str, Any]:
    """The parameters of a GET: `variables` and `extensions` JSON-encoded in the URL."""
    params: dict[str, Any] = dict(query_params)
    for name in ("variables", "extensions"):
        if params.get(name):
            try:
                params[name] = orjson.loads(params[name])
            except orjson.JSONDecodeError:
                raise RequestRefused(
                    f"{name} 不是有效的 JSON", f"{name} is not valid JSON"
                ) from None
    return _checked(params)


def _checked(params: dict[str, Any]) -> dict[str, Any]:
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RequestRefused("query 须为非空字符串", "query must be a non-empty string")
    for name in ("variables", "extensions"):
        if params.get(name) is not None and not isinstance(params[name], dict):
            raise RequestRefused(
                f"{name} 须为 JSON 对象或 null", f"{name} must be a JSON object or null"
            )
    operation = params.get("operationName")
    if operation is not None and not isinstance(operation, str):
        raise RequestRefused(
            "operationName 须为字符串或 null", "operationName must be a string or null"
        )
    return params
