"""Bad input at the HTTP and GraphQL level: a clear error with a code, the right status, and
the server keeps serving."""

from pathlib import Path

import pytest

from schema.api import MAX_ALIASES, MAX_DEPTH
from tests.factories import make_community
from tests.graphql import error_codes, gql

LISTING = "{ communities { totalCount } }"
COMMITTED_SDL = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()


async def _still_serving(client) -> None:
    body = await gql(client, LISTING)
    assert body == {"data": {"communities": {"totalCount": 0}}}


async def test_a_malformed_query_is_a_parse_error(client, runtime):
    body = await gql(client, "{ communities { totalCount ")

    assert error_codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert body["data"] is None
    await _still_serving(client)


async def test_graphql_response_clients_get_400_for_a_document_that_does_not_validate(
    client, runtime
):
    response = await client.post(
        "/graphql",
        json={"query": "{ communities { noSuchField } }"},
        headers={"Accept": "application/graphql-response+json"},
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert error_codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_an_unknown_field_is_a_validation_error(client, runtime):
    body = await gql(client, "{ communities { noSuchField } }")

    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "noSuchField" in body["errors"][0]["message"]


async def test_a_variable_of_the_wrong_type_is_bad_user_input(client, runtime):
    query = "query ($first: Int) { communities(first: $first) { totalCount } }"

    body = await gql(client, query, {"first": "ten"})

    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_an_unknown_enum_value_is_refused(client, runtime):
    query = "query ($r: Region) { communities(region: $r) { totalCount } }"

    body = await gql(client, query, {"r": "ATLANTIS"})

    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_body_that_is_not_json_is_a_400_with_a_code(client, runtime):
    response = await client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert error_codes(response.json()) == ["BAD_REQUEST"]
    await _still_serving(client)


async def test_a_body_over_one_mebibyte_is_refused_with_413(client, runtime):
    padding = "#" + "x" * (1024 * 1024)
    response = await client.post("/graphql", json={"query": LISTING + "\n" + padding})

    assert response.status_code == 413
    assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]
    await _still_serving(client)


async def test_a_query_deeper_than_the_limit_is_refused(client, runtime):
    # community -> members -> edges -> node -> community -> members -> ... past MAX_DEPTH
    inner = "id"
    for _ in range(MAX_DEPTH):
        inner = f"community {{ members {{ edges {{ node {{ {inner} }} }} }} }}"
    query = f'{{ community(slug: "x") {{ members {{ edges {{ node {{ {inner} }} }} }} }} }}'

    body = await gql(client, query)

    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "depth" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(client, runtime):
    aliases = " ".join(f"a{i}: communities {{ totalCount }}" for i in range(MAX_ALIASES + 1))

    body = await gql(client, f"{{ {aliases} }}")

    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "aliases" in body["errors"][0]["message"]


async def test_a_document_with_too_many_tokens_is_refused(client, runtime):
    fields = " ".join("__typename" for _ in range(3000))

    body = await gql(client, f"{{ {fields} }}")

    assert error_codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert "tokens" in body["errors"][0]["message"]


async def test_graphiql_is_served_to_a_browser(client, runtime):
    response = await client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_the_sdl_is_served_as_committed(client, runtime):
    response = await client.get("/schema.graphql")

    assert response.status_code == 200
    assert response.text == COMMITTED_SDL


async def test_the_sub_platform_endpoint_answers_for_its_community(client, runtime):
    await make_community(runtime, "yrd-elderly", name="长三角老年教育共同体")
    query = '{ community(slug: "yrd-elderly") { name } }'

    body = await gql(client, query, path="/c/yrd-elderly/graphql")

    assert body["data"]["community"]["name"] == "长三角老年教育共同体"


async def test_an_unknown_sub_platform_is_not_found(client, runtime):
    response = await client.post("/c/nowhere/graphql", json={"query": LISTING})

    assert response.status_code == 404
    assert error_codes(response.json()) == ["NOT_FOUND"]


@pytest.mark.parametrize("slug", ["yrd%00", "x" * 10_000, "YRD", "a"])
async def test_a_slug_no_community_could_have_is_not_found(client, runtime, slug):
    """A NUL byte in the path reached PostgreSQL, whose text cannot hold one: a 500."""
    await make_community(runtime, "yrd")

    by_path = await client.post(f"/c/{slug}/graphql", json={"query": LISTING})

    assert (by_path.status_code, error_codes(by_path.json())) == (404, ["NOT_FOUND"])


async def test_a_path_and_header_naming_different_communities_are_refused(client, runtime):
    await make_community(runtime, "yrd-a")
    await make_community(runtime, "yrd-b")

    response = await client.post(
        "/c/yrd-a/graphql", json={"query": LISTING}, headers={"X-Community": "yrd-b"}
    )

    assert response.status_code == 400
    assert error_codes(response.json()) == ["TENANT_MISMATCH"]


async def test_an_argument_naming_another_community_than_the_path_is_refused(client, runtime):
    await make_community(runtime, "yrd-a", name="甲共同体")
    await make_community(runtime, "yrd-b", name="乙共同体")

    body = await gql(client, '{ community(slug: "yrd-b") { name } }', path="/c/yrd-a/graphql")

    assert body["data"]["community"] is None
    assert error_codes(body) == ["TENANT_MISMATCH"]
    assert "乙共同体" not in str(body)


async def test_refusal_messages_follow_the_accept_language(client, runtime):
    body = await gql(
        client, '{ community(slug: "nowhere") { name } }', headers={"Accept-Language": "en"}
    )

    assert body["errors"][0]["message"] == "community not found"
