"""Sign-in failures are limited per (account, client) and per client: failures from other
addresses never lock an account's owner out. Each number on both sides of its boundary is in
tests/server/accounts/test_rate_limit.py; these check that a request's address is what is
counted, on the application's clock (`clock` stands still until a test advances it)."""

from tests.factories import PASSWORD, make_user
from tests.graphql import gql

LOGIN = """
mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token errors { code } }
}
"""
OWNER = "zhao@example.cn"
OWNERS_ADDRESS = "198.51.100.7"


async def _sign_in(client, email: str = OWNER, password: str = PASSWORD) -> list[str]:
    """The codes of the refusal; [] when it signed in."""
    payload = (await gql(client, LOGIN, {"email": email, "password": password}))["data"]["login"]
    assert (payload["token"] is None) == bool(payload["errors"])
    return [e["code"] for e in payload["errors"]]


async def _fail(client_at, address: str, times: int, email: str = OWNER) -> None:
    async with client_at(address) as client:
        for _ in range(times):
            assert await _sign_in(client, email, "wrong-password") == ["INVALID_CREDENTIALS"]


async def test_ten_failures_from_ten_addresses_do_not_lock_the_owner_out(runtime, client_at, clock):
    await make_user(runtime, OWNER)
    for i in range(10):
        await _fail(client_at, f"203.0.113.{i + 1}", 1)

    async with client_at(OWNERS_ADDRESS) as owner:
        assert await _sign_in(owner) == []


async def test_ten_failures_from_one_address_lock_it_out_of_that_account_for_a_minute(
    runtime, client_at, clock
):
    await make_user(runtime, OWNER)
    await make_user(runtime, "qian@example.cn")
    await _fail(client_at, "203.0.113.1", 10)

    async with client_at("203.0.113.1") as attacker, client_at(OWNERS_ADDRESS) as owner:
        assert await _sign_in(attacker) == ["RATE_LIMITED"]  # the right password included
        assert await _sign_in(attacker, "qian@example.cn") == []  # another account: not locked
        assert await _sign_in(owner) == []
        clock.advance(59.999)
        assert await _sign_in(attacker) == ["RATE_LIMITED"]
        clock.advance(0.001)
        assert await _sign_in(attacker) == []


async def test_nine_failures_from_one_address_do_not_lock_it(runtime, client_at, clock):
    await make_user(runtime, OWNER)
    await _fail(client_at, "203.0.113.1", 9)

    async with client_at("203.0.113.1") as client:
        assert await _sign_in(client) == []


async def test_an_address_failing_on_twenty_accounts_in_a_minute_is_locked_out(
    runtime, client_at, clock
):
    await make_user(runtime, OWNER)
    for i in range(19):
        await _fail(client_at, "203.0.113.1", 1, f"guess{i}@example.cn")

    async with client_at("203.0.113.1") as guesser, client_at(OWNERS_ADDRESS) as owner:
        assert await _sign_in(guesser) == []  # 19: not yet
        await _fail(client_at, "203.0.113.1", 1, "guess19@example.cn")
        assert await _sign_in(guesser) == ["RATE_LIMITED"]
        assert await _sign_in(owner) == []
        clock.advance(60)
        assert await _sign_in(guesser) == []


async def test_an_account_under_attack_slows_its_attackers_not_its_owner(runtime, client_at, clock):
    """30 failures in 15 minutes from any addresses: each address then gets 3 on it, not 10."""
    await make_user(runtime, OWNER)
    for i in range(30):
        await _fail(client_at, f"203.0.113.{i + 1}", 1)
    await _fail(client_at, "192.0.2.1", 3)

    async with client_at("192.0.2.1") as attacker, client_at(OWNERS_ADDRESS) as owner:
        assert await _sign_in(attacker) == ["RATE_LIMITED"]
        assert await _sign_in(owner) == []


async def test_an_ipv6_client_is_its_whole_network(runtime, client_at, clock):
    """A host holds a /64: changing the last bits of its address does not reset its count."""
    await make_user(runtime, OWNER)
    for i in range(10):
        await _fail(client_at, f"2001:db8:1:2::{i + 1:x}", 1)

    async with client_at("2001:db8:1:2::ff") as same_host, client_at("2001:db8:9::1") as other:
        assert await _sign_in(same_host) == ["RATE_LIMITED"]
        assert await _sign_in(other) == []
