"""Registering: an applicant's own account, without telling anyone which emails exist,
with a password that is not guessed at once, at most 10 attempts an hour from one address."""

import asyncio

import pytest
from sqlalchemy import func, select

from server.accounts.models import User
from server.audit.models import AuditEntry
from tests.factories import PASSWORD, bearer, make_user
from tests.graphql import gql

REGISTER = """
mutation ($input: RegisterInput!) {
  register(input: $input) { token user { email } errors { code field message } }
}
"""
LOGIN = """
mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token errors { code } }
}
"""
ME = "{ me { email displayName roles { role } } }"


def _applicant(email: str, password: str = "long-enough-pw", name: str = "王老师") -> dict:
    return {"input": {"email": email, "password": password, "displayName": name}}


async def _users(runtime) -> int:
    async with runtime.database.transaction() as session:
        return await session.scalar(select(func.count()).select_from(User))


async def _token(client, email: str, password: str) -> str | None:
    body = await gql(client, LOGIN, {"email": email, "password": password})
    return body["data"]["login"]["token"]


async def test_a_registered_applicant_signs_in_with_login(client, runtime):
    body = await gql(client, REGISTER, _applicant("Wang@Example.cn"))

    assert body["data"]["register"] == {"token": None, "user": None, "errors": []}
    token = await _token(client, "wang@example.cn", "long-enough-pw")
    me = (await gql(client, ME, headers=bearer(token)))["data"]["me"]
    assert me == {"email": "Wang@Example.cn", "displayName": "王老师", "roles": []}
    async with runtime.database.transaction(all_communities=True) as session:
        assert (await session.scalars(select(AuditEntry.action))).all() == ["user.register"]


async def test_registering_a_registered_email_answers_as_a_new_one_and_changes_nothing(
    client, runtime
):
    await make_user(runtime, "wang@example.cn", display_name="王")

    taken = await gql(client, REGISTER, _applicant("WANG@example.cn", "a-new-long-password"))
    fresh = await gql(client, REGISTER, _applicant("li@example.cn", "a-new-long-password"))

    assert taken == fresh == {"data": {"register": {"token": None, "user": None, "errors": []}}}
    assert await _users(runtime) == 2
    assert await _token(client, "wang@example.cn", PASSWORD) is not None
    assert await _token(client, "wang@example.cn", "a-new-long-password") is None
    async with runtime.database.transaction(all_communities=True) as session:
        assert (await session.scalars(select(AuditEntry.action))).all() == ["user.register"]


@pytest.mark.parametrize(
    "weak",
    ["aaaaaaaaaa", " " * 10, "short", "password1234", "1234567890", "wang@example.cn"],
    ids=["repeated", "spaces", "short", "common", "sequence", "own-email"],
)
async def test_a_weak_password_is_refused_and_nothing_is_created(client, runtime, weak):
    body = await gql(client, REGISTER, _applicant("wang@example.cn", weak))

    errors = body["data"]["register"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", "password")]
    assert await _users(runtime) == 0


async def test_the_refusal_of_a_weak_password_speaks_english_on_request(client):
    body = await gql(
        client,
        REGISTER,
        _applicant("wang@example.cn", "aaaaaaaaaa"),
        headers={"Accept-Language": "en"},
    )

    (error,) = body["data"]["register"]["errors"]
    assert error["message"].startswith("the password is too easy to guess")


async def test_ten_registrations_an_hour_from_one_address(runtime, client_at, clock):
    def refused(body) -> list[str]:
        return [e["code"] for e in body["data"]["register"]["errors"]]

    async with client_at("203.0.113.1") as crowd, client_at("203.0.113.2") as other:
        for i in range(10):
            assert refused(await gql(crowd, REGISTER, _applicant(f"a{i}@example.cn"))) == []

        assert refused(await gql(crowd, REGISTER, _applicant("late@example.cn"))) == [
            "RATE_LIMITED"
        ]
        assert refused(await gql(other, REGISTER, _applicant("b@example.cn"))) == []
        clock.advance(59 * 60 + 59.999)
        assert refused(await gql(crowd, REGISTER, _applicant("late@example.cn"))) == [
            "RATE_LIMITED"
        ]
        clock.advance(0.001)
        assert refused(await gql(crowd, REGISTER, _applicant("late@example.cn"))) == []
    assert await _users(runtime) == 12


async def test_two_registrations_of_one_email_at_once_answer_alike(client, runtime):
    both = await asyncio.gather(
        *(
            gql(client, REGISTER, _applicant("wang@example.cn", p))
            for p in ("first-long-pw", "second-long-pw")
        )
    )

    assert both[0] == both[1] == {"data": {"register": {"token": None, "user": None, "errors": []}}}
    assert await _users(runtime) == 1


@pytest.mark.parametrize(
    ("email", "name", "field"),
    [("w" * 250 + "@example.cn", "王老师", "email"), ("wang@example.cn", "王" * 81, "displayName")],
    ids=["email", "displayName"],
)
async def test_an_overlong_email_or_name_is_invalid_input(client, runtime, email, name, field):
    body = await gql(client, REGISTER, _applicant(email, name=name))

    errors = body["data"]["register"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", field)]
    assert await _users(runtime) == 0
