"""The sign-in and registration limits against a real Redis, at moments the tests choose:
each number on both sides of its boundary. 10 failures per (account, client) in 60 s, 3 while
the account is under attack, which 30 failures in 15 minutes put it; 20 failures per client in
60 s across accounts; 10 registrations per client an hour. An IPv6 client is its /64.

No database: a run takes a second or two (mutation testing runs this file once per mutant)."""

import os
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from server.accounts import rate_limit
from server.accounts.rate_limit import client_of
from server.embedded import start_redis
from server.errors import ErrorCode, UserFacingError
from tests.clock import START

OWNER = "zhao@example.cn"
ATTACKER = "203.0.113.1"
OWNERS_ADDRESS = "198.51.100.7"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    # Short: Redis's unix socket path must stay under ~100 bytes.
    return os.environ.get("GONGXUE_REDIS_URL") or start_redis(tmp_path_factory.mktemp("gx"))


@pytest.fixture(autouse=True)
def _clean() -> None:
    """Overrides the suite's database clean-up: these tests touch no database."""


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


async def _fail(
    redis: Redis, at: float, times: int = 1, email: str = OWNER, host: str = ATTACKER
) -> None:
    for _ in range(times):
        await rate_limit.record_sign_in_failure(redis, email, host, at)


async def _refused(redis: Redis, at: float, email: str = OWNER, host: str = ATTACKER) -> bool:
    """Whether a sign-in is refused before its password is even checked."""
    try:
        await rate_limit.refuse_sign_in_if_limited(redis, email, host, at)
    except UserFacingError as error:
        assert error.code == ErrorCode.RATE_LIMITED
        return True
    return False


async def _register(redis: Redis, at: float, host: str = ATTACKER) -> bool:
    """Whether an attempt to register is let through."""
    try:
        await rate_limit.count_registration(redis, host, at)
    except UserFacingError as error:
        assert error.code == ErrorCode.RATE_LIMITED
        return False
    return True


@pytest.mark.parametrize(("failures", "refused"), [(9, False), (10, True)])
async def test_ten_failures_from_one_client_refuse_its_eleventh_attempt(redis, failures, refused):
    await _fail(redis, START, failures)

    assert await _refused(redis, START) is refused


async def test_checking_the_limit_counts_nothing(redis):
    await _fail(redis, START, 9)
    for _ in range(3):
        assert not await _refused(redis, START)

    await _fail(redis, START)
    assert await _refused(redis, START)


async def test_a_client_locked_out_of_an_account_is_locked_out_of_that_account_only(redis):
    await _fail(redis, START, 10)

    assert await _refused(redis, START)
    assert not await _refused(redis, START, email="qian@example.cn")
    assert not await _refused(redis, START, host=OWNERS_ADDRESS)


async def test_an_email_counts_as_its_account_whatever_its_case_and_spaces(redis):
    await _fail(redis, START, 5, email="Zhao@Example.cn")
    await _fail(redis, START, 5, email=" ZHAO@EXAMPLE.CN ")

    assert await _refused(redis, START, email="zhao@example.cn")


async def test_the_lock_ends_60_seconds_after_the_first_failure_whatever_came_later(redis):
    await _fail(redis, START)
    await _fail(redis, START + 59.9, 9)

    assert await _refused(redis, START + 59.999)
    assert not await _refused(redis, START + 60)


async def test_after_the_minute_a_client_has_ten_failures_again(redis):
    await _fail(redis, START, 10)

    await _fail(redis, START + 60, 9)
    assert not await _refused(redis, START + 60)
    await _fail(redis, START + 119.999)
    assert await _refused(redis, START + 119.999)


@pytest.mark.parametrize(
    ("others", "mine", "refused"),
    [(26, 3, False), (27, 3, True), (28, 2, False)],
    ids=["29-failures-3-mine", "30-failures-3-mine", "30-failures-2-mine"],
)
async def test_30_failures_put_an_account_under_attack_where_3_lock_a_client_out(
    redis, others, mine, refused
):
    """My own failures count towards the account's 30 too."""
    for i in range(others):
        await _fail(redis, START, host=f"192.0.2.{i + 1}")
    await _fail(redis, START, mine)

    assert await _refused(redis, START) is refused
    assert not await _refused(redis, START, host=OWNERS_ADDRESS)


async def test_an_account_is_under_attack_for_15_minutes_from_its_first_failure(redis):
    for i in range(27):
        await _fail(redis, START, host=f"192.0.2.{i + 1}")
    await _fail(redis, START + 14 * 60 + 59, 3)

    assert await _refused(redis, START + 14 * 60 + 59.999)
    assert not await _refused(redis, START + 15 * 60)


@pytest.mark.parametrize(("accounts", "refused"), [(19, False), (20, True)])
async def test_a_client_failing_on_20_accounts_is_locked_out_of_every_account(
    redis, accounts, refused
):
    for i in range(accounts):
        await _fail(redis, START, email=f"guess{i}@example.cn")

    assert await _refused(redis, START) is refused
    assert await _refused(redis, START, email="another@example.cn") is refused
    assert not await _refused(redis, START, host=OWNERS_ADDRESS)


async def test_a_client_locked_out_of_every_account_is_for_60_seconds(redis):
    await _fail(redis, START, email="guess0@example.cn")
    for i in range(1, 20):
        await _fail(redis, START + 59.9, email=f"guess{i}@example.cn")

    assert await _refused(redis, START + 59.999)
    assert not await _refused(redis, START + 60)


async def test_failures_go_on_counting_after_redis_forgets_its_scripts(redis):
    """The counting script is registered once per client: a Redis restarted or flushed since
    has lost it, and the next count loads it again. 5 + 5 failures are the 10 that lock."""
    await _fail(redis, START, 5)
    await redis.script_flush()
    await _fail(redis, START, 5)

    assert await _refused(redis, START)


async def test_ten_registrations_an_hour_from_one_client(redis):
    for _ in range(10):
        assert await _register(redis, START)

    assert not await _register(redis, START)  # the 11th
    assert await _register(redis, START, host=OWNERS_ADDRESS)
    assert not await _register(redis, START + 59 * 60 + 59.999)
    assert await _register(redis, START + 60 * 60)


async def test_after_the_hour_a_client_has_ten_registrations_again(redis):
    for _ in range(11):
        await _register(redis, START)

    for _ in range(10):
        assert await _register(redis, START + 60 * 60)
    assert not await _register(redis, START + 60 * 60)


@pytest.mark.parametrize(
    ("host", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::ff", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("testclient", "testclient"),
    ],
    ids=["ipv4", "ipv6", "ipv6-other-host-same-64", "ipv4-mapped", "not-an-address"],
)
def test_a_client_is_its_address_or_its_ipv6_network(host, client):
    assert client_of(host) == client


async def test_failures_from_one_ipv6_network_add_up_and_stop_at_its_edge(redis):
    for i in range(10):
        await _fail(redis, START, host=f"2001:db8:1:2::{i + 1:x}")

    assert await _refused(redis, START, host="2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert not await _refused(redis, START, host="2001:db8:1:3::1")


async def test_an_ipv4_client_seen_through_ipv6_is_that_ipv4_client(redis):
    await _fail(redis, START, 5, host="203.0.113.9")
    await _fail(redis, START, 5, host="::ffff:203.0.113.9")

    assert await _refused(redis, START, host="203.0.113.9")
    assert not await _refused(redis, START, host="203.0.113.10")


async def test_a_window_that_ended_on_the_real_clock_is_not_kept(redis):
    """Redis forgets each window at its end: counts do not pile up for ever."""
    await _fail(redis, 946684800.0)  # 2000-01-01
    await _register(redis, 946684800.0)

    assert await redis.keys() == []
    await _fail(redis, START)
    assert len(await redis.keys()) == 3
