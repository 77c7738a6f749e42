"""A role granted or revoked through one process takes effect in another (an API replica, a
worker) within 2 seconds: two real processes, one PostgreSQL, one Redis."""

import asyncio
import os
import sys
from pathlib import Path

from redis.asyncio import ConnectionPool, Redis

from schema.core import ids
from server.access.policy import VERSION_KEY, Policy, PolicyChange
from server.accounts.models import CasbinRule
from tests.eventually import eventually
from tests.factories import bearer, make_community, make_user
from tests.graphql import gql

FOLLOWER = Path(__file__).resolve().parents[1] / "policy_follower.py"
WITHIN_MS = 2000


async def _follower(services, settings) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "GONGXUE_DATABASE_URL": services.database_url,
        "GONGXUE_REDIS_URL": services.redis_url,
        "GONGXUE_SECRET_KEY": settings.secret_key.get_secret_value(),
        "PYTHONPATH": str(FOLLOWER.parents[1]),
    }
    # As a module from the checkout's root: run as a script, its folder (tests/) would come
    # first on sys.path and `server.accounts` would be tests/server/accounts.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.policy_follower",
        cwd=FOLLOWER.parents[1],
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert (await asyncio.wait_for(process.stdout.readline(), 30)).strip() == b"ready"
    return process


async def _ask(process, question: str) -> str:
    process.stdin.write(question.encode() + b"\n")
    await process.stdin.drain()
    return (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()


async def test_a_grant_and_a_revoke_reach_another_process(client, runtime, services, settings):
    community, _ = await make_community(runtime, "yrd-a")
    _, admin = await make_user(runtime, "pg@caea.cn", ("PROJECT_GROUP", None))
    user, _ = await make_user(runtime, "zhao@a.cn")
    follower = await _follower(services, settings)
    variables = {
        "input": {"userId": ids.encode("User", user.id), "role": "LEADER", "communitySlug": "yrd-a"}
    }
    try:
        granted = await gql(
            client,
            "mutation ($input: GrantRoleInput!) { grantRole(input: $input) { errors { code } } }",
            variables,
            headers=bearer(admin),
        )
        assert granted["data"]["grantRole"]["errors"] == []
        seen_grant = await _ask(follower, f"user:{user.id} LEADER {community.id} yes")

        revoked = await gql(
            client,
            "mutation ($input: RevokeRoleInput!) { revokeRole(input: $input) { errors { code } } }",
            variables,
            headers=bearer(admin),
        )
        assert revoked["data"]["revokeRole"]["errors"] == []
        seen_revoke = await _ask(follower, f"user:{user.id} LEADER {community.id} no")
    finally:
        follower.stdin.close()
        await asyncio.wait_for(follower.wait(), 30)

    assert seen_grant != "timeout" and int(seen_grant) < WITHIN_MS
    assert seen_revoke != "timeout" and int(seen_revoke) < WITHIN_MS


async def test_a_missed_message_is_caught_up_from_the_database(runtime, services, settings):
    """A writer that bumped the policy version but whose message never arrived (it crashed
    between the two, or Redis dropped the subscriber): the follower still converges."""
    community, _ = await make_community(runtime, "yrd-a")
    user, _ = await make_user(runtime, "zhao@a.cn")
    follower = await _follower(services, settings)
    try:
        async with runtime.database.transaction() as session:
            session.add(
                CasbinRule(ptype="g", v0=f"user:{user.id}", v1="MEMBER", v2=str(community.id))
            )
        await runtime.redis.incr(VERSION_KEY)  # no message published
        seen = await _ask(follower, f"user:{user.id} MEMBER {community.id} yes")
    finally:
        follower.stdin.close()
        await asyncio.wait_for(follower.wait(), 30)

    assert seen != "timeout" and int(seen) < WITHIN_MS


async def _subscribers(redis: Redis, channel: str) -> int:
    return dict(await redis.pubsub_numsub(channel)).get(channel.encode(), 0)


async def _subscribers_above(redis: Redis, channel: str, before: int) -> bool:
    return await _subscribers(redis, channel) > before


async def test_a_grant_published_on_another_redis_database_is_not_applied(runtime, services):
    """Channels are shared by every database of a Redis server: another deployment one
    database along grants its own user 99, not ours."""
    ours = Redis.from_url(services.redis_url)
    database = ours.connection_pool.connection_kwargs.get("db") or 0
    pool = ours.connection_pool
    theirs = Redis(
        connection_pool=ConnectionPool(
            connection_class=pool.connection_class,
            **{**pool.connection_kwargs, "db": (database + 1) % 16},
        )
    )
    follower, foreign = Policy(runtime.database, ours), Policy(runtime.database, theirs)
    await theirs.delete(VERSION_KEY)  # a deployment as new as this test's: version 1 next
    await follower.load()
    listening = await _subscribers(ours, follower.channel)
    follower.start()
    try:
        # Subscribed before the foreign grant is published, or not hearing it proves nothing.
        await eventually(
            lambda: _subscribers_above(ours, follower.channel, listening), what="subscribed"
        )
        await foreign.publish(PolicyChange("add", ("g2", "user:99", "PROJECT_GROUP")))
        await runtime.policy.publish(PolicyChange("add", ("g2", "user:98", "EXPERT")))
        await eventually(lambda: follower.holds("user:98", "EXPERT"), what="our grant applied")

        assert follower.holds("user:98", "EXPERT")
        assert not follower.holds("user:99", "PROJECT_GROUP")
    finally:
        await follower.stop()
        await theirs.delete(VERSION_KEY)
        await ours.aclose()
        await theirs.aclose()
