"""What a process keeps in memory from shared state and follows as it changes (the role
grants, the token revocations): a writer publishes each change on a Redis channel after
storing it, and every process applies the message at once. A version counter in Redis,
checked every second that no message comes, makes a process that missed one catch up.

Keys belong to one Redis database, channels to the whole server: another deployment on a
different database of the same Redis would otherwise hear this one's changes (a role granted
there applied here, a cut-off there ending our same-numbered user's tokens), so each channel
carries the database's number."""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from redis.asyncio import Redis

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
# A change as a channel carries it: JSON (`Any`), its fields each follower's own.
Message = dict[str, Any]


def channel(redis: Redis, name: str) -> str:
    return f"{name}:{redis.connection_pool.connection_kwargs.get('db') or 0}"


class Followed:
    """A copy in memory following its channel. Subclasses apply a message (`_receive`),
    catch up with the version counter (`_catch_up`), and may do periodic work (`_tick`)."""

    def __init__(self, redis: Redis, channel_name: str, what: str) -> None:
        self._redis = redis
        self.channel = channel(redis, channel_name)
        self._what = what
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._follow(), name=f"{self._what}-follow")

    async def stop(self) -> None:
        """Ends the follower. The flag, not only the cancellation, ends its loop: redis-py
        can swallow a CancelledError that lands inside a pub/sub read."""
        if self._task is not None:
            self._stopping = True
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=3 * POLL_SECONDS)
            self._task = None

    async def _follow(self) -> None:
        while not self._stopping:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    await self._catch_up()
                    while not self._stopping:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=POLL_SECONDS
                        )
                        if message is not None:
                            await self._receive(json.loads(message["data"]))
                        else:
                            await self._catch_up()
                        self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis (or the database) went away: retry, keep serving
                log.exception("%s follower lost its connection; retrying", self._what)
                await asyncio.sleep(POLL_SECONDS)

    async def _receive(self, message: Message) -> None:
        raise NotImplementedError

    async def _catch_up(self) -> None:
        raise NotImplementedError

    def _tick(self) -> None:
        """Periodic work between messages; none by default."""


# Topics: a change that subscribers (websocket subscriptions in any process) may want to see,
# announced after the transaction that made it commits (`server/db.py`). A message says only
# which topic moved; the subscriber reads what it may see from the database, so a message
# lost or out of order costs nothing but the wait for its next poll.
TOPICS = "gongxue:topic"


def topic_channel(redis: Redis, topic: str) -> str:
    return channel(redis, f"{TOPICS}:{topic}")


async def announce(redis: Redis, topics: Iterable[str]) -> None:
    """Tells subscribers these topics moved. A Redis that is away loses the message, never
    the change already committed: subscribers find it on their next poll."""
    try:
        async with redis.pipeline(transaction=False) as pipe:
            for topic in sorted(set(topics)):
                pipe.publish(topic_channel(redis, topic), "")
            await pipe.execute()
    except Exception:
        log.exception("could not announce %s", topics)


class Topics:
    """The topics subscribers in this process wait on, followed with one pattern subscription
    for the process: a websocket subscription costs no Redis connection of its own, and a
    message wakes only the subscribers of its topic."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._prefix = f"{TOPICS}:"
        self._suffix = channel(redis, "")  # ":<db>"
        self._waiting: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._follow(), name="topics-follow")

    async def stop(self) -> None:
        if self._task is not None:
            self._stopping = True
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=3 * POLL_SECONDS)
            self._task = None

    async def moves(self, topic: str, poll_seconds: float) -> AsyncGenerator[None]:
        """Yields at once (read the state then), again when the topic moves, and at least
        every `poll_seconds` (a message missed, or Redis away, is only late)."""
        moved = asyncio.Event()
        self._waiting.setdefault(topic, set()).add(moved)
        try:
            while True:
                yield
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(moved.wait(), poll_seconds)
                moved.clear()  # before reading: a move during the read wakes the next wait
        finally:
            waiting = self._waiting.get(topic, set())
            waiting.discard(moved)
            if not waiting:
                self._waiting.pop(topic, None)

    async def _follow(self) -> None:
        while not self._stopping:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe(f"{self._prefix}*{self._suffix}")
                    self._wake(list(self._waiting))  # what moved while not subscribed
                    while not self._stopping:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=POLL_SECONDS
                        )
                        if message is not None:
                            self._wake([self._topic(message["channel"])])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("topic follower lost its connection; retrying")
                await asyncio.sleep(POLL_SECONDS)

    def _topic(self, name: bytes | str) -> str:
        name = name.decode() if isinstance(name, bytes) else name
        return name.removeprefix(self._prefix).removesuffix(self._suffix)

    def _wake(self, topics: list[str]) -> None:
        for topic in topics:
            for moved in self._waiting.get(topic, ()):
                moved.set()
