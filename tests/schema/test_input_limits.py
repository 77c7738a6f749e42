"""Bad input gets a clear answer, never an internal error: NUL and other control characters,
strings over their limit, ids and cursors out of bigint range, dates whose arithmetic would
overflow. A mutation refuses in its payload (INVALID_INPUT naming the field), with nothing
written; a query argument is a top-level INVALID_INPUT or NOT_FOUND."""

import logging

import pytest
from sqlalchemy import text

from schema.api import sdl
from schema.core import ids
from schema.core.pagination import encode_cursor
from tests.factories import bearer, make_community, make_user
from tests.graphql import error_codes, gql, refusal

OPEN_CALL = """mutation ($title: String!) { openApplicationCall(input: {title: $title, year: 2026,
  opensOn: "2026-01-01", closesOn: "2026-03-31"}) { call { id } errors { code field message } } }"""
CREATE_UNIT = """mutation ($name: String!) { createUnit(input: {name: $name, level: COUNTY,
  divisionCode: "330106"}) { unit { id } errors { code field message } } }"""
SUBMIT_REPORT = """mutation ($slug: String!, $body: String!) { submitReport(input: {
  communitySlug: $slug, kind: PLAN, year: 2026, title: "2026年工作计划", body: $body })
  { report { id } errors { code field message } } }"""
MEMBERS_AFTER = """query ($slug: String!, $after: String) { community(slug: $slug) {
  members(after: $after) { edges { node { id } } } } }"""
REPORTS_DUE = """query ($slug: String!, $until: Date) { community(slug: $slug) {
  reportsDue(until: $until) { dueOn } } }"""


@pytest.fixture
async def project_group(runtime):
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    return bearer(token)


@pytest.fixture
async def leader(runtime):
    community, _ = await make_community(runtime, "yrd-a")
    _, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    return bearer(token)


async def _rows(owner, table: str) -> int:
    async with owner.connect() as conn:
        return (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


@pytest.mark.parametrize("name", ["社区\x00学院", "社区\x07学院", "社区\x1b学院"])
async def test_a_control_character_in_a_mutation_is_refused_naming_the_field(
    client, owner, project_group, name
):
    error = await refusal(client, CREATE_UNIT, {"name": name}, headers=project_group)

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "name")
    assert await _rows(owner, "units") == 0


async def test_the_refusal_is_in_english_on_request(client, project_group):
    error = await refusal(
        client, CREATE_UNIT, {"name": "a\x00b"}, headers={**project_group, "Accept-Language": "en"}
    )

    assert error["code"] == "INVALID_INPUT"
    assert "not allowed" in error["message"]


async def test_tabs_and_line_breaks_are_allowed(client, project_group):
    body = await gql(client, CREATE_UNIT, {"name": "社区\t学院\r\n"}, headers=project_group)

    assert body["data"]["createUnit"]["errors"] == []


async def test_a_title_over_its_column_is_refused_naming_the_field(client, owner, project_group):
    error = await refusal(client, OPEN_CALL, {"title": "题" * 201}, headers=project_group)

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "title")
    assert "200" in error["message"]
    assert await _rows(owner, "application_calls") == 0


async def test_a_title_at_its_limit_is_accepted(client, project_group):
    body = await gql(client, OPEN_CALL, {"title": "题" * 200}, headers=project_group)

    assert body["data"]["openApplicationCall"]["errors"] == []


async def test_a_report_body_of_100k_characters_is_refused(client, owner, leader):
    error = await refusal(
        client, SUBMIT_REPORT, {"slug": "yrd-a", "body": "报" * 100_000}, headers=leader
    )

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "body")
    assert "20000" in error["message"]
    assert await _rows(owner, "reports") == 0


async def test_a_blank_community_slug_is_not_found(client, owner, leader):
    body = await gql(client, SUBMIT_REPORT, {"slug": "", "body": "计划"}, headers=leader)

    assert body["data"]["submitReport"]["errors"][0]["code"] == "NOT_FOUND"
    assert await _rows(owner, "reports") == 0


async def test_the_limits_are_in_the_schema():
    schema = sdl()

    assert "At most 20000 characters" in schema
    assert "At most 200 characters" in schema


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query ($s: String!) { community(slug: $s) { name } }", {"s": "yrd\x00a"}),
        ("query ($q: String) { units(search: $q) { totalCount } }", {"q": "学院\x00"}),
        ("query ($q: String) { units(search: $q) { edges { node { id } } } }", {"q": "\x00"}),
        ('{ units(search: "学院\\u0000") { totalCount } }', {}),
        ('{ units(search: "\\u007f") { totalCount } }', {}),
        ("query ($q: String) { units(search: $q) { totalCount } }", {"q": "学" * 201}),
    ],
    ids=["slug", "search", "search-compiled", "literal", "delete", "too-long"],
)
async def test_bad_text_in_a_query_argument_is_invalid_input(client, query, variables):
    body = await gql(client, query, variables)

    assert error_codes(body) == ["INVALID_INPUT"], body


@pytest.mark.parametrize("key", [2**63, 2**64 + 7, 10**30])
async def test_an_id_out_of_bigint_range_is_not_found(client, key):
    for global_id in (ids.encode("Unit", key), ids.encode("Membership", 1, key)):
        body = await gql(client, "query ($id: ID!) { node(id: $id) { id } }", {"id": global_id})

        assert error_codes(body) == ["NOT_FOUND"], body


async def test_an_id_out_of_bigint_range_in_a_mutation_is_refused(client, owner, leader):
    mutation = """mutation ($unit: ID!) { addMember(input: {communitySlug: "yrd-a",
      unitId: $unit, role: MEMBER}) { errors { code } } }"""

    body = await gql(client, mutation, {"unit": ids.encode("Unit", 2**63)}, headers=leader)

    assert "INTERNAL_SERVER_ERROR" not in error_codes(body), body
    codes = error_codes(body) or [e["code"] for e in body["data"]["addMember"]["errors"]]
    assert codes == ["NOT_FOUND"], body
    assert await _rows(owner, "memberships") == 3


@pytest.mark.parametrize("key", [2**63, -(2**63) - 1, 10**30])
async def test_a_cursor_out_of_bigint_range_is_invalid_input(client, leader, key):
    # A compiled read (one statement) and the usual execution give the same answer.
    for query in (MEMBERS_AFTER, MEMBERS_AFTER.replace("{ id }", "{ id __typename }")):
        body = await gql(client, query, {"slug": "yrd-a", "after": encode_cursor(key)})

        assert error_codes(body) == ["INVALID_INPUT"], body


async def test_reports_due_until_9999_12_31_is_invalid_input(client, leader):
    body = await gql(client, REPORTS_DUE, {"slug": "yrd-a", "until": "9999-12-31"}, headers=leader)

    assert error_codes(body) == ["INVALID_INPUT"], body
    assert "2199-12-31" in body["errors"][0]["message"]


async def test_a_date_out_of_range_in_a_mutation_is_refused_naming_the_field(
    client, owner, project_group
):
    mutation = OPEN_CALL.replace('closesOn: "2026-03-31"', 'closesOn: "9999-12-31"')

    error = await refusal(client, mutation, {"title": "征集"}, headers=project_group)

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "closesOn")
    assert await _rows(owner, "application_calls") == 0


async def test_a_refusal_whose_payload_needs_more_than_errors_is_top_level(client, project_group):
    # logout's payload must say `ok`: bad input there is refused at the top level instead.
    mutation = 'mutation { logout(input: {clientMutationId: "a\\u0000"}) { ok errors { code } } }'

    body = await gql(client, mutation, headers=project_group)

    assert error_codes(body) == ["INVALID_INPUT"], body


async def test_a_compiled_read_refuses_before_its_statement_runs(client, caplog):
    # A list every field of which reads from SQL is one compiled statement; the bad value
    # must never be bound to it (a driver error, logged as a failure, answered the usual way).
    query = "query ($q: String) { units(search: $q) { edges { node { id name } } } }"

    with caplog.at_level(logging.ERROR):
        body = await gql(client, query, {"q": "学院\x00"})

    assert error_codes(body) == ["INVALID_INPUT"], body
    assert not [r for r in caplog.records if r.name == "schema.core.compiled"], caplog.records
