"""Tokens ended early are known in every process's memory: at once in the process that ended
them, on the message's arrival in another (a second Runtime on the same PostgreSQL and Redis,
as an API replica is), and by the version poll when the message is lost."""

import datetime as dt
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from schema.asgi import build
from server.accounts import tokens
from server.accounts.revocations import (
    CHANNEL,
    CUT_OFF_KEPT_MS,
    NOT_BEFORE_KEY,
    REVOKED_KEY,
    VERSION_KEY,
    Revocations,
)
from server.channels import channel
from server.runtime import Runtime, open_runtime
from tests.eventually import eventually
from tests.factories import bearer, make_user
from tests.graphql import error_codes, gql

ME = "{ me { email } }"
LOGOUT = "mutation { logout { ok } }"
# How long a change may take to reach another process before the test gives up: well past
# the ~1 s version poll, so a slow machine does not fail it.
DEADLINE_SECONDS = 5.0


async def _followers(runtime: Runtime) -> int:
    return (await runtime.redis.pubsub_numsub(runtime.revocations.channel))[0][1]


async def _subscribed(runtime: Runtime, followers: int) -> None:
    async def counted() -> bool:
        return await _followers(runtime) == followers

    await eventually(counted, within=DEADLINE_SECONDS, what=f"{followers} followers")


def _claims(runtime: Runtime, user_id: int, at: dt.datetime | None = None) -> tokens.Claims:
    return tokens.issue(runtime.settings.secret_key.get_secret_value(), user_id, at)[1]


@pytest.fixture
async def replica(runtime, settings, services) -> AsyncIterator[Runtime]:
    """Another process's runtime, as an API replica holds it, once it listens for changes (a
    message published before that would reach it only by the version poll)."""
    await _subscribed(runtime, 1)  # this process's follower; an earlier test's replica gone
    other = open_runtime(settings, services)
    await other.start()
    await _subscribed(runtime, 2)
    yield other
    await other.close()


async def test_a_revoked_token_is_refused_by_the_same_process_at_once(runtime):
    claims = _claims(runtime, 1)
    assert runtime.revocations.is_live(claims)

    await runtime.revocations.revoke(claims)

    # Nothing awaited in between: no message, no poll could have told it.
    assert not runtime.revocations.is_live(claims)
    assert runtime.revocations.is_live(_claims(runtime, 1))


async def test_a_logout_reaches_another_process(client, runtime, replica):
    _, token = await make_user(runtime, "zhao@example.cn")
    claims = tokens.read(runtime.settings.secret_key.get_secret_value(), token)
    transport = httpx.ASGITransport(app=build(replica))
    async with httpx.AsyncClient(transport=transport, base_url="http://gongxue.test") as other:
        before = await gql(other, ME, headers=bearer(token))

        await gql(client, LOGOUT, headers=bearer(token))

        await eventually(lambda: not replica.revocations.is_live(claims), within=DEADLINE_SECONDS)
        after = await gql(other, ME, headers=bearer(token))
    assert before["data"]["me"]["email"] == "zhao@example.cn"
    assert error_codes(after) == ["UNAUTHENTICATED"]


async def test_another_process_applies_the_message_itself(runtime, replica):
    """The message carries the change: applied on arrival, without reloading from Redis (which
    this message's writer never wrote to, so only the message can have told the replica)."""
    claims = _claims(runtime, 1)
    version = await runtime.redis.incr(VERSION_KEY)
    message = {"version": version, "token": claims.token_id, "expires_at": claims.expires_at}

    await runtime.redis.publish(replica.revocations.channel, json.dumps(message))

    await eventually(lambda: not replica.revocations.is_live(claims), within=DEADLINE_SECONDS)


async def test_a_change_on_another_redis_database_is_not_heard(runtime, replica):
    """Keys belong to one database, channels to the whole server: another deployment on the
    same Redis, one database along, ends its own user 7's tokens, not ours."""
    database = runtime.redis.connection_pool.connection_kwargs.get("db") or 0
    elsewhere = channel(Redis(db=database + 1), CHANNEL)  # never connects: only its name is wanted
    ours = _claims(runtime, 7)
    # Version 0: were it heard, it would be applied and kept, not reloaded away.
    foreign = {"version": 0, "user": 7, "not_before": int(time.time() * 1000) + 60_000}
    await runtime.redis.publish(elsewhere, json.dumps(foreign))
    marker = _claims(runtime, 8)

    await runtime.revocations.revoke(marker)  # published after the foreign one

    await eventually(lambda: not replica.revocations.is_live(marker), within=DEADLINE_SECONDS)
    assert replica.revocations.is_live(ours)


async def test_a_revocation_whose_message_was_lost_is_caught_up_by_the_version(runtime, replica):
    """A writer that stored the revocation and bumped the version but whose message never
    arrived (it crashed between the two, or Redis dropped the subscriber)."""
    claims = _claims(runtime, 1)
    await runtime.redis.zadd(REVOKED_KEY, {claims.token_id: claims.expires_at})

    await runtime.redis.incr(VERSION_KEY)  # no message published

    await eventually(lambda: not replica.revocations.is_live(claims), within=DEADLINE_SECONDS)


async def test_a_process_started_later_loads_the_revocations(runtime, settings, services):
    revoked = _claims(runtime, 1)
    ended = _claims(runtime, 2)
    await runtime.revocations.revoke(revoked)
    await runtime.revocations.revoke_all_of(2)

    later = open_runtime(settings, services)
    try:
        await later.start()
        # At once: loaded at start, not learnt from a message or a poll.
        seen = (later.revocations.is_live(revoked), later.revocations.is_live(ended))
    finally:
        await later.close()
    assert seen == (False, False)


async def test_a_cut_off_ends_older_tokens_and_not_later_ones(runtime, replica):
    older = _claims(runtime, 7)
    other_user = _claims(runtime, 8)

    await runtime.revocations.revoke_all_of(7)

    cut_off = int(await runtime.redis.zscore(NOT_BEFORE_KEY, "7"))
    at = dt.datetime.fromtimestamp(cut_off / 1000, dt.UTC)
    same_ms = _claims(runtime, 7, at)
    next_ms = _claims(runtime, 7, at + dt.timedelta(milliseconds=1))
    for revocations in (runtime.revocations, replica.revocations):
        await eventually(lambda r=revocations: not r.is_live(older), within=DEADLINE_SECONDS)
        assert not revocations.is_live(same_ms)
        assert revocations.is_live(next_ms)
        assert revocations.is_live(other_user)


async def test_a_cut_off_never_moves_back(runtime):
    """Two processes' clocks may disagree: a cut-off written later with an earlier time must
    not bring back the tokens the first one ended."""
    now_ms = int(time.time() * 1000)
    later = now_ms + 60_000
    await runtime.redis.zadd(NOT_BEFORE_KEY, {"7": later})
    await runtime.revocations.load()
    between = _claims(runtime, 7, dt.datetime.fromtimestamp((now_ms + 1000) / 1000, dt.UTC))

    await runtime.revocations.revoke_all_of(7)

    assert int(await runtime.redis.zscore(NOT_BEFORE_KEY, "7")) == later
    assert not runtime.revocations.is_live(between)
    fresh = Revocations(runtime.redis)
    await fresh.load()
    assert not fresh.is_live(between)


async def _ended_entries(runtime: Runtime) -> None:
    now = time.time()
    await runtime.redis.zadd(REVOKED_KEY, {"expired": int(now) - 5, "live": int(now) + 3600})
    await runtime.redis.zadd(
        NOT_BEFORE_KEY,
        {"1": int(now * 1000) - CUT_OFF_KEPT_MS - 5000, "2": int(now * 1000) - 1000},
    )


async def _stored(runtime: Runtime, key: str) -> list[str]:
    return sorted(m.decode() for m in await runtime.redis.zrange(key, 0, -1))


async def test_ended_entries_are_pruned_when_loaded(runtime):
    await _ended_entries(runtime)

    await runtime.revocations.load()

    assert await _stored(runtime, REVOKED_KEY) == ["live"]
    assert await _stored(runtime, NOT_BEFORE_KEY) == ["2"]


async def test_ended_entries_are_pruned_when_written(runtime):
    await _ended_entries(runtime)
    claims = _claims(runtime, 3)

    await runtime.revocations.revoke(claims)
    await runtime.revocations.revoke_all_of(4)

    assert await _stored(runtime, REVOKED_KEY) == sorted(["live", claims.token_id])
    assert await _stored(runtime, NOT_BEFORE_KEY) == ["2", "4"]
    # Nothing in either set outlives one token lifetime and its margin, nor the set itself.
    for key in (REVOKED_KEY, NOT_BEFORE_KEY):
        assert 0 < await runtime.redis.ttl(key) <= CUT_OFF_KEPT_MS // 1000
