"""A checked document executed directly (`schema/core/direct.py`) answers as strawberry's own
view does: the same data, the same errors with their codes and paths, the same masking of an
error the server did not mean to say, and it never runs a mutation twice."""

import datetime as dt
import logging

import orjson
import pytest
from starlette.requests import Request

from schema.core import ids
from server.activities import service
from server.vocabulary import ActivityKind
from tests.factories import bearer, make_community, make_user
from tests.graphql import graphql_view
from tests.server.compliance.helpers import hold

RECORD = """mutation ($a: ID!, $e: [AttendanceEntryInput!]!) {
  recordAttendance(input: {activityId: $a, entries: $e}) {
    activity { attendedCount absentCount } errors { code message field } } }"""


async def _strawberrys_answer(client, body: dict, headers: dict) -> dict:
    """The answer of strawberry's own view (`GraphQL.run`), which the direct path skips."""
    raw = orjson.dumps(body)
    sent = {**headers, "content-type": "application/json", "accept-language": "zh"}
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in sent.items()],
        "state": {},
        "path_params": {},
    }

    async def receive() -> dict:
        return {"type": "http.request", "body": raw, "more_body": False}

    response = await graphql_view(client).run(Request(scope, receive))
    return orjson.loads(response.body)


async def _both(client, body: dict, headers: dict) -> tuple[dict, dict]:
    direct = await client.post("/graphql", json=body, headers=headers)
    return direct.json(), await _strawberrys_answer(client, body, headers)


@pytest.fixture
async def recording(runtime):
    community, units = await make_community(runtime, "yrd-direct", size=3)
    _, token = await make_user(runtime, "direct@example.cn", ("LEADER", community.id))
    (activity,) = await hold(runtime, community, ActivityKind.SEMINAR, dt.date(2026, 3, 1))
    entries = [{"unitId": ids.encode("Unit", u.id), "status": "ATTENDED"} for u in units]
    return ids.encode("Activity", community.id, activity), entries, bearer(token)


async def test_a_recording_and_its_refusal_answer_as_strawberry_answers(client, recording):
    activity, entries, headers = recording
    stranger = ids.encode("Unit", 10**9)
    for asked in (
        entries,  # recorded, then the same again (a correction that changes nothing)
        [*entries[:2], {"unitId": stranger, "status": "ATTENDED"}],  # not expected: refused
        [entries[0], entries[0]],  # a unit twice: refused before anything is read
    ):
        body = {"query": RECORD, "variables": {"a": activity, "e": asked}}
        direct, strawberrys = await _both(client, body, headers)
        assert direct == strawberrys
    assert direct["data"]["recordAttendance"]["errors"][0]["code"] == "INVALID_INPUT"


async def test_errors_outside_the_payload_answer_as_strawberry_answers(client, recording):
    activity, entries, headers = recording
    cases = [
        # not signed in: a top-level error at the field's path
        ({"query": RECORD, "variables": {"a": activity, "e": entries}}, {}),
        # a variable that does not coerce: a request error, no data
        ({"query": RECORD, "variables": {"a": activity, "e": [{"unitId": "x"}]}}, headers),
        # introspection and a directive: executed field by field
        ({"query": "{ __schema { queryType { name } } }"}, headers),
        ({"query": "{ me @include(if: true) { email } }"}, headers),
    ]
    answers = [await _both(client, body, sent) for body, sent in cases]
    for (direct, strawberrys), (body, _) in zip(answers, cases, strict=True):
        assert direct == strawberrys, body
    unauthenticated = answers[0][0]
    assert unauthenticated["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert unauthenticated["errors"][0]["path"] == ["recordAttendance"]


async def test_a_failure_the_server_did_not_mean_is_masked_logged_and_run_once(
    client, recording, monkeypatch, caplog
):
    activity, entries, headers = recording
    calls = []

    async def failing(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("connection string postgres://secret")

    monkeypatch.setattr(service, "record_attendance", failing)
    body = {"query": RECORD, "variables": {"a": activity, "e": entries}}

    with caplog.at_level(logging.ERROR, logger="schema.core.errors"):
        direct = (await client.post("/graphql", json=body, headers=headers)).json()
    logged = [r for r in caplog.records if r.name == "schema.core.errors"]
    strawberrys = await _strawberrys_answer(client, body, headers)

    assert direct == strawberrys
    assert len(logged) == 1 and "postgres://secret" in logged[0].getMessage()  # for the operator
    assert len(calls) == 2  # once each way: the direct path never hands a mutation on
    (error,) = direct["errors"]
    assert error["message"] == "服务器内部错误" and "secret" not in orjson.dumps(direct).decode()
