import datetime as dt
import time

from server.accounts import tokens
from tests.eventually import eventually
from tests.factories import PASSWORD, bearer, make_user
from tests.graphql import error_codes, gql

LOGIN = """
mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    token
    user { email }
    errors { code message }
  }
}
"""
ME = "{ me { email displayName roles { role roleLabel community { slug } } } }"
LOGOUT = "mutation { logout { ok } }"


async def test_login_gives_a_token_that_signs_requests(client, runtime):
    await make_user(runtime, "zhao@example.cn", display_name="赵")

    body = await gql(client, LOGIN, {"email": "zhao@example.cn", "password": PASSWORD})

    token = body["data"]["login"]["token"]
    me = await gql(client, ME, headers=bearer(token))
    assert me["data"]["me"]["email"] == "zhao@example.cn"


async def test_login_never_says_whether_the_email_exists(client, runtime):
    await make_user(runtime, "zhao@example.cn")

    wrong_password = await gql(
        client, LOGIN, {"email": "zhao@example.cn", "password": "nope-nope-nope"}
    )
    no_account = await gql(
        client, LOGIN, {"email": "qian@example.cn", "password": "nope-nope-nope"}
    )

    assert wrong_password["data"]["login"]["errors"] == no_account["data"]["login"]["errors"]
    assert wrong_password["data"]["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_logout_ends_the_token_at_once(client, runtime):
    _, token = await make_user(runtime, "zhao@example.cn")

    out = await gql(client, LOGOUT, headers=bearer(token))
    after = await gql(client, ME, headers=bearer(token))

    assert out["data"]["logout"]["ok"] is True
    assert error_codes(after) == ["UNAUTHENTICATED"]


async def test_logging_out_one_session_keeps_the_others(client, runtime):
    user, first = await make_user(runtime, "zhao@example.cn")
    second, _ = tokens.issue(runtime.settings.secret_key.get_secret_value(), user.id)

    await gql(client, LOGOUT, headers=bearer(first))

    assert (await gql(client, ME, headers=bearer(second)))["data"]["me"] is not None


async def test_a_tampered_token_is_unauthenticated(client, runtime):
    _, token = await make_user(runtime, "zhao@example.cn")
    header, payload, signature = token.split(".")
    forged = ".".join(
        [header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")]
    )

    body = await gql(client, ME, headers=bearer(forged))

    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["errors"][0]["message"] == "登录已失效，请重新登录"


async def test_a_token_signed_with_another_key_is_unauthenticated(client, runtime):
    user, _ = await make_user(runtime, "zhao@example.cn")
    token, _ = tokens.issue("another-secret-" + "y" * 40, user.id)

    assert error_codes(await gql(client, ME, headers=bearer(token))) == ["UNAUTHENTICATED"]


async def test_an_expired_token_is_unauthenticated(client, runtime):
    user, _ = await make_user(runtime, "zhao@example.cn")
    long_ago = dt.datetime.now(dt.UTC) - tokens.LIFETIME - dt.timedelta(minutes=1)
    token, _ = tokens.issue(runtime.settings.secret_key.get_secret_value(), user.id, long_ago)

    assert error_codes(await gql(client, ME, headers=bearer(token))) == ["UNAUTHENTICATED"]


async def test_a_token_that_worked_is_refused_once_it_expires(client, runtime):
    user, _ = await make_user(runtime, "zhao@example.cn")
    almost = dt.datetime.now(dt.UTC) - tokens.LIFETIME + dt.timedelta(seconds=2)
    token, claims = tokens.issue(runtime.settings.secret_key.get_secret_value(), user.id, almost)

    before = await gql(client, ME, headers=bearer(token))
    # Past its `exp` by the clock, not by a guessed sleep: the checked claims are kept, the
    # expiry is not.
    await eventually(lambda: time.time() > claims.expires_at, within=5.0, what="past exp")
    after = await gql(client, ME, headers=bearer(token))

    assert before["data"]["me"]["email"] == "zhao@example.cn"
    assert error_codes(after) == ["UNAUTHENTICATED"]


async def test_without_a_token_me_is_null(client, runtime):
    assert await gql(client, ME) == {"data": {"me": None}}
