"""Which sign-in tokens have ended before their expiry, known in the process's memory so that
checking a token costs no Redis round trip.

A token ends early when it is revoked (logout) or when its user gets a cut-off (deactivation,
password change): every token of that user issued at or before the cut-off is dead. Redis
holds both durably, as two sorted sets read whole: revoked token ids scored by the token's
expiry (seconds), and user ids scored by their cut-off (milliseconds). Each write and each
load prunes what no longer matters (an expired token is refused anyway; a cut-off outlives
the tokens it ends by one token lifetime), so the sets hold at most 12 h of logouts and
deactivations and a starting process loads them in one round trip, without scanning keys.

The process that writes a change applies it to its own memory at once, then bumps a version
counter and publishes the change; every other process applies it when the message arrives.
The version counter, polled every second, catches a message a process missed (it then
reloads both sets). So a token revoked through one API replica is refused by the others as
soon as the message arrives, and within ~1 s if the message is lost: the same trade-off as the
role grants (`server/access/policy.py`).
"""

import asyncio
import json
import time

from redis.asyncio import Redis

from server.accounts.tokens import LIFETIME, Claims
from server.channels import Followed, Message

REVOKED_KEY = "gongxue:token:revoked"
NOT_BEFORE_KEY = "gongxue:token:not-before"
VERSION_KEY = "gongxue:token:version"
CHANNEL = "gongxue:token:changes"  # and the database's number: `server/channels.py`
# A cut-off ends tokens issued before it, which expire within one lifetime of it; the margin
# covers processes whose clocks disagree by a little.
CUT_OFF_KEPT_MS = int(LIFETIME.total_seconds() * 1000) + 60_000
# How often a follower drops ended entries from memory (Redis prunes its own on every write).
PRUNE_SECONDS = 60.0


class Revocations(Followed):
    def __init__(self, redis: Redis) -> None:
        super().__init__(redis, CHANNEL, "revocations")
        self._revoked: dict[str, int] = {}  # token id -> its expiry, seconds
        self._not_before: dict[int, int] = {}  # user id -> cut-off, milliseconds
        self._version = -1
        # A load replaces memory with what Redis held when it read: a change applied while it
        # was on its way would be lost, so loads and changes take turns.
        self._lock = asyncio.Lock()
        self._pruned_at = time.monotonic()

    def is_live(self, claims: Claims) -> bool:
        """Neither revoked nor issued at or before its user's cut-off; synchronous, from memory.
        Expiry is `tokens.read`'s."""
        if claims.token_id in self._revoked:
            return False
        cut_off = self._not_before.get(claims.user_id)
        return cut_off is None or claims.issued_ms > cut_off

    async def revoke(self, claims: Claims) -> None:
        """Ends one token (logout)."""
        async with self._lock:
            version = await self._write(
                REVOKED_KEY,
                claims.token_id,
                claims.expires_at,
                prune_below=int(time.time()),
            )
            self._apply_revoked(claims.token_id, claims.expires_at)
            await self._publish(
                version, {"token": claims.token_id, "expires_at": claims.expires_at}
            )

    async def revoke_all_of(self, user_id: int) -> None:
        """Ends every token the user holds now (deactivation, password change)."""
        now_ms = int(time.time() * 1000)
        async with self._lock:
            version = await self._write(
                NOT_BEFORE_KEY,
                str(user_id),
                now_ms,
                prune_below=now_ms - CUT_OFF_KEPT_MS,
                only_later=True,
            )
            self._apply_not_before(user_id, now_ms)
            await self._publish(version, {"user": user_id, "not_before": now_ms})

    async def _write(
        self, key: str, member: str, score: int, *, prune_below: int, only_later: bool = False
    ) -> int:
        """Adds the entry, prunes the set and bumps the version in one transaction; returns
        the version this change is."""
        async with self._redis.pipeline(transaction=True) as pipe:
            # GT: a cut-off never moves back (two processes' clocks may disagree), which would
            # bring back tokens an earlier cut-off ended. ZADD GT is Redis 6.2, the embedded one.
            pipe.zadd(key, {member: score}, gt=only_later)
            pipe.zremrangebyscore(key, "-inf", prune_below)
            pipe.expire(key, CUT_OFF_KEPT_MS // 1000)  # nothing in the set outlives this
            pipe.incr(VERSION_KEY)
            *_, version = await pipe.execute()
        return int(version)

    async def _publish(self, version: int, change: Message) -> None:
        """Tells the other processes. Memory holds every version up to this one only if it
        held the one before; if not, the follower's next poll reloads."""
        if version == self._version + 1:
            self._version = version
        await self._redis.publish(self.channel, json.dumps({"version": version, **change}))

    def _apply_revoked(self, token_id: str, expires_at: int) -> None:
        self._revoked[token_id] = expires_at

    def _apply_not_before(self, user_id: int, cut_off_ms: int) -> None:
        self._not_before[user_id] = max(cut_off_ms, self._not_before.get(user_id, cut_off_ms))

    async def load(self) -> None:
        async with self._lock:
            await self._load()

    async def _load(self) -> None:
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(REVOKED_KEY, "-inf", int(now))
            pipe.zremrangebyscore(NOT_BEFORE_KEY, "-inf", int(now * 1000) - CUT_OFF_KEPT_MS)
            pipe.zrange(REVOKED_KEY, 0, -1, withscores=True)
            pipe.zrange(NOT_BEFORE_KEY, 0, -1, withscores=True)
            pipe.get(VERSION_KEY)
            _, _, revoked, not_before, version = await pipe.execute()
        self._revoked = {token.decode(): int(expires) for token, expires in revoked}
        self._not_before = {int(user): int(cut_off) for user, cut_off in not_before}
        self._version = int(version or 0)
        self._pruned_at = time.monotonic()

    async def _receive(self, message: Message) -> None:
        version = int(message["version"])
        async with self._lock:
            # Applied even when the version says memory holds it already: applying a change
            # twice changes nothing, and after Redis is replaced its counter starts from zero.
            if "token" in message:
                self._apply_revoked(message["token"], int(message["expires_at"]))
            else:
                self._apply_not_before(int(message["user"]), int(message["not_before"]))
            if version == self._version + 1:
                self._version = version
            elif version > self._version:
                await self._load()  # one or more messages before this one were missed

    async def _catch_up(self) -> None:
        version = int(await self._redis.get(VERSION_KEY) or 0)
        if version != self._version:
            async with self._lock:
                await self._load()

    def _tick(self) -> None:
        if time.monotonic() - self._pruned_at > PRUNE_SECONDS:
            self._prune()

    def _prune(self) -> None:
        """Drops what has ended from memory: an expired token is refused by `tokens.read`,
        and a cut-off older than a lifetime ends no token that is still unexpired."""
        now = time.time()
        self._revoked = {t: e for t, e in self._revoked.items() if e > now}
        kept_from = int(now * 1000) - CUT_OFF_KEPT_MS
        self._not_before = {u: c for u, c in self._not_before.items() if c > kept_from}
        self._pruned_at = time.monotonic()
