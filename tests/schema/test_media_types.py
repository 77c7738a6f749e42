"""GraphQL over HTTP's media types: `application/graphql-response+json` for clients that
accept it, with its status codes; `application/json`, as before, for everyone else; 406 for a
client that accepts neither. On the direct path (a POST that validates) and strawberry's (GET,
and documents that fail), on the platform's endpoint and a sub-platform's."""

import orjson
import pytest

from tests.factories import make_community
from tests.graphql import error_codes

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
LISTING = "{ communities { totalCount } }"
ENDPOINTS = ("/graphql", "/c/yrd-elderly/graphql")

# (Accept header, media type of the answer); None: no Accept header at all.
NEGOTIATION = [
    (None, JSON),
    ("*/*", JSON),
    ("application/*", JSON),
    (JSON, JSON),
    (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
    (f"{JSON};q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),
    (f"{GRAPHQL_RESPONSE}, {JSON}", JSON),  # a tie: legacy clients keep what they had
    (f"{GRAPHQL_RESPONSE};q=0, */*", JSON),
    (f"text/html, {GRAPHQL_RESPONSE};q=0.1", GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE}; charset=utf-8", GRAPHQL_RESPONSE),
]


@pytest.fixture
async def endpoints(runtime):
    await make_community(runtime, "yrd-elderly", name="长三角老年教育共同体")
    return ENDPOINTS


async def _send(client, method: str, path: str, accept: str | None, **kwargs):
    request = client.build_request(method, path, **kwargs)
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept
    return await client.send(request)


@pytest.mark.parametrize(("accept", "media"), NEGOTIATION, ids=[str(a) for a, _ in NEGOTIATION])
async def test_the_answer_takes_the_media_type_the_client_prefers(client, endpoints, accept, media):
    for path in endpoints:
        posted = await _send(client, "POST", path, accept, json={"query": LISTING})
        got = await _send(client, "GET", path, accept, params={"query": LISTING})

        for response in (posted, got):
            assert response.status_code == 200, (path, response.text)
            assert response.headers["content-type"].split(";")[0] == media
            assert response.json() == {"data": {"communities": {"totalCount": 1}}}


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "multipart/mixed"])
async def test_a_client_that_accepts_no_json_is_answered_406(client, endpoints, accept):
    for path in endpoints:
        response = await _send(client, "POST", path, accept, json={"query": LISTING})

        assert response.status_code == 406, (path, response.text)
        assert error_codes(response.json()) == ["NOT_ACCEPTABLE"]


# (what fails, document, variables, code): the request never reaches execution.
NOT_EXECUTED = [
    ("parse", "{ communities { totalCount ", None, "GRAPHQL_PARSE_FAILED"),
    ("validation", "{ communities { noSuchField } }", None, "GRAPHQL_VALIDATION_FAILED"),
    (
        "variable coercion",
        "query ($first: Int) { communities(first: $first) { totalCount } }",
        {"first": "ten"},
        "BAD_USER_INPUT",
    ),
    ("unknown operation", "query A { __typename }", None, None),
]
# A request naming an operation its document does not hold is refused before execution
# whatever the media type (400 BAD_REQUEST), so it is not among the 200s of JSON clients.
NOT_EXECUTED_FOR_JSON = NOT_EXECUTED[:3]


@pytest.mark.parametrize(
    ("fails", "query", "variables", "code"), NOT_EXECUTED, ids=[c[0] for c in NOT_EXECUTED]
)
async def test_a_request_that_is_not_executed_is_a_400_without_data_for_graphql_response_clients(
    client, endpoints, fails, query, variables, code
):
    body = {"query": query, "variables": variables}
    if fails == "unknown operation":
        body["operationName"] = "B"
    for path in endpoints:
        for method, send in (("POST", {"json": body}), ("GET", {"params": _url(body)})):
            response = await _send(client, method, path, GRAPHQL_RESPONSE, **send)

            assert response.status_code == 400, (method, path, response.text)
            assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
            assert "data" not in response.json(), (method, path)
            assert response.json()["errors"], (method, path)
            if code is not None:
                assert error_codes(response.json()) == [code], (method, path)


@pytest.mark.parametrize(
    ("fails", "query", "variables", "code"),
    NOT_EXECUTED_FOR_JSON,
    ids=[c[0] for c in NOT_EXECUTED_FOR_JSON],
)
async def test_a_request_that_is_not_executed_stays_200_with_null_data_for_json_clients(
    client, endpoints, fails, query, variables, code
):
    body = {"query": query, "variables": variables}
    for path in endpoints:
        response = await _send(client, "POST", path, JSON, json=body)

        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith(JSON)
        assert response.json()["data"] is None
        assert error_codes(response.json()) == [code]


async def test_an_executed_request_with_a_field_error_is_200_with_data(client, runtime):
    query = '{ community(slug: "nowhere") { name } }'
    for method, send in (
        ("POST", {"json": {"query": query}}),
        ("GET", {"params": {"query": query}}),
    ):
        response = await _send(client, method, "/graphql", GRAPHQL_RESPONSE, **send)

        assert response.status_code == 200, (method, response.text)
        assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
        assert response.json()["data"] == {"community": None}
        assert error_codes(response.json()) == ["NOT_FOUND"]


async def test_a_malformed_request_is_answered_in_the_graphql_response_media_type(
    client, endpoints
):
    for path in endpoints:
        response = await _send(
            client, "POST", path, GRAPHQL_RESPONSE, content=b"1", headers={"Content-Type": JSON}
        )

        assert response.status_code == 400
        assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
        assert error_codes(response.json()) == ["BAD_REQUEST"]


def _url(body: dict) -> dict[str, str]:
    """A request's parameters in a GET's URL: variables JSON-encoded."""
    return {
        k: v if isinstance(v, str) else orjson.dumps(v).decode()
        for k, v in body.items()
        if v is not None
    }
