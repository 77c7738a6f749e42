"""Requests that are not well-formed GraphQL over HTTP: each is a 4xx with a JSON error that
carries a code, never a 500, on the platform's endpoint and on a sub-platform's."""

import pytest

from tests.factories import make_community
from tests.graphql import error_codes

JSON = {"Content-Type": "application/json"}
LATIN_1 = {"Content-Type": "application/json; charset=iso-8859-1"}
ENDPOINTS = ("/graphql", "/c/yrd-elderly/graphql")

# (what is wrong, body, headers) for a POST; every one a 400 BAD_REQUEST.
MALFORMED_POSTS = [
    ("a number", b"1", JSON),
    ("null", b"null", JSON),
    ("a string", b'"{ __typename }"', JSON),
    ("an empty list", b"[]", JSON),
    ("a list of a request", b'[{"query": "{ __typename }"}]', JSON),
    ("true", b"true", JSON),
    ("an object without a query", b"{}", JSON),
    ("a null query", b'{"query": null}', JSON),
    ("a number as the query", b'{"query": 1}', JSON),
    ("an object as the query", b'{"query": {}}', JSON),
    ("a list as the query", b'{"query": ["{ __typename }"]}', JSON),
    ("a string as the variables", b'{"query": "{ __typename }", "variables": "{}"}', JSON),
    ("a list as the variables", b'{"query": "{ __typename }", "variables": []}', JSON),
    ("a number as the extensions", b'{"query": "{ __typename }", "extensions": 1}', JSON),
    ("a number as the operationName", b'{"query": "{ __typename }", "operationName": 1}', JSON),
    ("an object as the operationName", b'{"query": "{ __typename }", "operationName": {}}', JSON),
    ("a list as the operationName", b'{"query": "{ __typename }", "operationName": []}', JSON),
    ("true as the operationName", b'{"query": "{ __typename }", "operationName": true}', JSON),
    ("an empty body", b"", JSON),
    ("whitespace only", b"  \n", JSON),
    ("not JSON", b"{not json", JSON),
    ("invalid UTF-8", b'{"query": "{ __typename \xff }"}', JSON),
    ("a byte order mark of UTF-16", b"\xff\xfe{\x00}\x00", JSON),
    ("no content type", b'{"query": "{ __typename }"}', {}),
    ("a charset other than UTF-8", b'{"query": "{ __typename }"}', LATIN_1),
    ("text/plain", b'{"query": "{ __typename }"}', {"Content-Type": "text/plain"}),
    ("a form", b"query=%7B__typename%7D", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("a GraphQL document", b"{ __typename }", {"Content-Type": "application/graphql"}),
]

# (what is wrong, query string) for a GET; every one a 400 BAD_REQUEST.
MALFORMED_GETS = [
    ("no query", ""),
    ("an empty query", "query="),
    ("variables that are not JSON", "query={__typename}&variables={not"),
    ("variables that are a number", "query={__typename}&variables=1"),
    ("variables that are a list", "query={__typename}&variables=[]"),
    ("extensions that are a string", 'query={__typename}&extensions="x"'),
]


@pytest.fixture
async def endpoints(runtime):
    await make_community(runtime, "yrd-elderly", name="长三角老年教育共同体")
    return ENDPOINTS


@pytest.mark.parametrize(
    ("wrong", "body", "headers"), MALFORMED_POSTS, ids=[c[0] for c in MALFORMED_POSTS]
)
async def test_a_malformed_post_is_a_400_with_a_code(client, endpoints, wrong, body, headers):
    for path in endpoints:
        response = await client.post(path, content=body, headers=headers)

        assert response.status_code == 400, (path, response.text)
        assert error_codes(response.json()) == ["BAD_REQUEST"], (path, response.text)
        assert "data" not in response.json()


@pytest.mark.parametrize(("wrong", "query"), MALFORMED_GETS, ids=[c[0] for c in MALFORMED_GETS])
async def test_a_malformed_get_is_a_400_with_a_code(client, endpoints, wrong, query):
    for path in endpoints:
        response = await client.get(f"{path}?{query}", headers={"Accept": "application/json"})

        assert response.status_code == 400, (path, response.text)
        assert error_codes(response.json()) == ["BAD_REQUEST"], (path, response.text)


async def test_a_mutation_over_get_is_refused_with_405(client, endpoints):
    query = 'mutation { signIn(input: {phone: "13800000000", password: "x"}) { __typename } }'
    for path in endpoints:
        response = await client.get(path, params={"query": query})

        assert response.status_code == 405, (path, response.text)
        assert response.headers["allow"] == "POST"
        assert error_codes(response.json()) == ["METHOD_NOT_ALLOWED"]


async def test_refusals_of_malformed_requests_follow_the_accept_language(client, endpoints):
    chinese = await client.post("/graphql", content=b"1", headers=JSON)
    english = await client.post("/graphql", content=b"1", headers={**JSON, "Accept-Language": "en"})

    assert "JSON" in chinese.json()["errors"][0]["message"]
    assert "对象" in chinese.json()["errors"][0]["message"]
    assert english.json()["errors"][0]["message"] == "the request body must be a JSON object"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_another_method_is_refused_with_a_405_in_json(client, endpoints, method):
    for path in endpoints:
        response = await client.request(method, path, json={"query": "{ __typename }"})

        assert response.status_code == 405, (path, response.text)
        assert response.headers["allow"] == "GET, POST"
        assert error_codes(response.json()) == ["METHOD_NOT_ALLOWED"]
