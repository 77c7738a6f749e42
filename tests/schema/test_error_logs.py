"""What the logs say of a failed or refused request: one line for a refusal (its code, the
operation's name, the user's id), a traceback for a failure, and never what users typed (the
document's literals, its variables) nor the data a database error quotes (emails, hashes)."""

import logging

import pytest
from sqlalchemy import text

from schema.core import ids
from tests.factories import bearer, make_units, make_user
from tests.graphql import gql

PASSWORD = "sekret-Passw0rd-literal"
EMAIL = "leak.me@example.cn"
CREATE_USER = f"""
mutation MakeAccount($unit: ID) {{
  createUser(input: {{email: "{EMAIL}", password: "{PASSWORD}", displayName: "新用户",
    unitId: $unit}}) {{ user {{ id }} errors {{ code }} }}
}}"""
# A rule only this test adds: no account may be a unit's staff.
UNKNOWN_RULE = "test_no_staff_accounts"
NO_STAFF = "CHECK (unit_id IS NULL) NOT VALID"
CREATE_USER_WITH_VARIABLES = """
mutation MakeAccount($input: CreateUserInput!) {
  createUser(input: $input) { user { id } errors { code } } }"""


def _secrets_absent(text: str) -> None:
    for secret in (PASSWORD, EMAIL, "$argon2", "GraphQL request", "displayName"):
        assert secret not in text, secret


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def _graphql_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if not r.name.startswith("httpx")]


async def test_a_failed_statement_is_logged_with_its_traceback_but_not_its_data(
    client, runtime, owner, logs
):
    """A constraint the code does not know of makes the insert of the user fail, and
    PostgreSQL's DETAIL quotes the failing row: the email and the password's argon2 hash."""
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    (unit,) = await make_units(runtime, 1)
    async with owner.begin() as conn:
        await conn.execute(text(f"ALTER TABLE users ADD CONSTRAINT {UNKNOWN_RULE} {NO_STAFF}"))
    try:
        body = await gql(
            client, CREATE_USER, {"unit": ids.encode("Unit", unit.id)}, headers=bearer(token)
        )
    finally:
        async with owner.begin() as conn:
            await conn.execute(text(f"ALTER TABLE users DROP CONSTRAINT {UNKNOWN_RULE}"))

    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    text_logged = logs.text
    _secrets_absent(text_logged)
    (failed,) = [r for r in _graphql_records(logs) if r.levelno >= logging.ERROR]
    message = failed.getMessage()
    assert "Traceback (most recent call last)" in message
    assert "IntegrityError" in message and UNKNOWN_RULE in message
    assert "'MakeAccount'" in message


@pytest.mark.parametrize("signed_in", [False, True])
async def test_a_refusal_is_one_line_without_the_document(client, runtime, logs, signed_in):
    headers, user_id, code = {}, None, "UNAUTHENTICATED"
    if signed_in:
        user, token = await make_user(runtime, "leader@example.cn")
        headers, user_id, code = bearer(token), user.id, "FORBIDDEN"
    logs.clear()

    body = await gql(client, CREATE_USER, {"unit": None}, headers=headers)

    assert body["errors"][0]["extensions"]["code"] == code
    _secrets_absent(logs.text)
    (record,) = _graphql_records(logs)
    assert record.getMessage() == f"refused {code}: operation 'MakeAccount', user {user_id}"
    assert record.exc_info is None and record.levelno < logging.ERROR


async def test_variables_are_not_logged_either(client, runtime, logs):
    variables = {"input": {"email": EMAIL, "password": PASSWORD, "displayName": "新用户"}}

    refused = await gql(client, CREATE_USER_WITH_VARIABLES, variables)
    malformed = await gql(
        client,
        CREATE_USER_WITH_VARIABLES,
        {"input": {**variables["input"], "unitId": {"id": PASSWORD}}},
    )

    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert malformed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    _secrets_absent(logs.text)
    assert [r.getMessage() for r in _graphql_records(logs)] == [
        "refused UNAUTHENTICATED: operation 'MakeAccount', user None",
        "rejected BAD_USER_INPUT: operation 'MakeAccount', user None",
    ]


async def test_a_document_that_does_not_validate_is_logged_without_its_literals(client, logs):
    document = 'mutation MakeAccount { createUser(input: {email: 1, password: 31415926535, displayName: "x"}) { errors { code } } }'

    body = await gql(client, document)

    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "31415926535" not in logs.text
    assert {r.getMessage() for r in _graphql_records(logs)} == {
        "rejected GRAPHQL_VALIDATION_FAILED: operation 'MakeAccount', user None"
    }


async def test_strawberrys_own_execution_logs_the_same_way(client, logs):
    """A GET is answered by strawberry's view, not the direct execution."""
    response = await client.get(
        "/graphql",
        params={
            "query": 'query Log { auditLog(communitySlug: "secret-slug-literal") { totalCount } }'
        },
    )

    assert response.json()["errors"][0]["extensions"]["code"] in {"UNAUTHENTICATED", "NOT_FOUND"}
    (record,) = _graphql_records(logs)  # the test's own client logs the URL; the server not
    assert "secret-slug-literal" not in record.getMessage()
    assert record.getMessage().startswith("refused ") and "operation 'Log', user None" in (
        record.getMessage()
    )
