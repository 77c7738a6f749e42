"""How often a client may fail to sign in, and register, counted in Redis.

Sign-in failures are counted per (account, client) and per client, never per account alone:
an account locked by anyone's failures is an owner locked out by anyone. An account failing
from many clients at once is under attack; each client then gets fewer failures on it, which
slows the attackers and leaves its owner, signing in from a client of their own, untouched.

A window opens at its first count and closes `seconds` later, whatever happens in between.
An IPv6 client is its /64 network: one host usually holds the whole of it.

Time is the caller's `now` (seconds since the epoch), never Redis's: a window ends when the
caller's clock says so, and Redis forgets it at that moment too, so a test that moves its
clock sees a window end without waiting for one.
"""

import hashlib
import ipaddress
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from server.errors import ErrorCode, UserFacingError


@dataclass(frozen=True)  # pragma: no mutate (nothing assigns to or hashes a window)
class Window:
    name: str
    times: int
    seconds: int

    def key(self, *who: str) -> str:
        return ":".join(("gongxue", "window", self.name, *who))


# A client that fails 10 times on one account is refused on it for the rest of the minute.
ACCOUNT_FROM_CLIENT = Window("login-failures:account-client", 10, 60)
# ... and 3 times only while the account is under attack.
ACCOUNT_FROM_CLIENT_UNDER_ATTACK = 3
# Failing 30 times in 15 minutes, from any clients, puts an account under attack; it locks
# nobody by itself.
ACCOUNT = Window("login-failures:account", 30, 15 * 60)
# A client guessing across accounts (credential stuffing); high enough for an office behind
# one address whose staff mistype.
CLIENT = Window("login-failures:client", 20, 60)
# Attempts to register, refused or not: each may cost a password hash.
REGISTRATIONS = Window("registrations:client", 10, 60 * 60)

# Each window in KEYS as it stands at ARGV[1], after ARGV[2] more counts (0 only reads);
# ARGV[2 + i] is the length of window i. One script, so that a window that has ended starts
# again from nothing in the same step as it is counted, whoever else counts at that moment.
_COUNT = """
local now, added = tonumber(ARGV[1]), tonumber(ARGV[2])
local counts = {}
for i, key in ipairs(KEYS) do
  local seconds = tonumber(ARGV[2 + i])
  local count, opened = unpack(redis.call('HMGET', key, 'count', 'opened'))
  if not opened or tonumber(opened) + seconds <= now then
    count, opened = 0, ARGV[1]
  end
  count = tonumber(count) + added
  if added > 0 then
    redis.call('HSET', key, 'count', count, 'opened', opened)
    redis.call('PEXPIREAT', key, math.ceil((tonumber(opened) + seconds) * 1000))
  end
  counts[i] = count
end
return counts
"""
# The script of each client, registered once: it keeps the script's SHA1 and loads the script
# again into a server that has lost it (restarted or flushed) on its next count.
_scripts: WeakKeyDictionary[Redis, AsyncScript] = WeakKeyDictionary()


def client_of(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _account(email: str) -> str:
    # Hashed: an email of any length makes a key of one length.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _sign_in_windows(email: str, host: str) -> list[tuple[str, Window]]:
    account, client = _account(email), client_of(host)
    return [
        (ACCOUNT_FROM_CLIENT.key(account, client), ACCOUNT_FROM_CLIENT),
        (ACCOUNT.key(account), ACCOUNT),
        (CLIENT.key(client), CLIENT),
    ]


async def _count(
    redis: Redis, now: float, windows: list[tuple[str, Window]], added: int
) -> list[int]:
    script = _scripts.get(redis)
    if script is None:
        script = _scripts[redis] = redis.register_script(_COUNT)
    keys = [key for key, _ in windows]
    seconds = [window.seconds for _, window in windows]
    # The reply is Lua's table of integers, which redis-py leaves untyped.
    counts = await script(keys=keys, args=[now, added, *seconds])
    return [int(count) for count in counts]


async def refuse_sign_in_if_limited(redis: Redis, email: str, host: str, now: float) -> None:
    """Refuses a client that has failed too often, a right password included."""
    from_client, on_account, by_client = await _count(
        redis, now, _sign_in_windows(email, host), added=0
    )
    allowed = ACCOUNT_FROM_CLIENT.times
    if on_account >= ACCOUNT.times:
        allowed = ACCOUNT_FROM_CLIENT_UNDER_ATTACK
    if from_client >= allowed or by_client >= CLIENT.times:
        raise UserFacingError(
            ErrorCode.RATE_LIMITED,
            "登录失败次数过多，请一分钟后再试",
            "too many failed sign-ins; try again in a minute",
        )


async def record_sign_in_failure(redis: Redis, email: str, host: str, now: float) -> None:
    await _count(redis, now, _sign_in_windows(email, host), added=1)


async def count_registration(redis: Redis, host: str, now: float) -> None:
    """Counts an attempt to register; refuses it past the client's hourly allowance."""
    (made,) = await _count(
        redis, now, [(REGISTRATIONS.key(client_of(host)), REGISTRATIONS)], added=1
    )
    if made > REGISTRATIONS.times:
        raise UserFacingError(
            ErrorCode.RATE_LIMITED,
            "注册尝试过多，请一小时后再试",
            "too many registrations from this address; try again in an hour",
        )
