"""How often a client may fail to sign in, and register, counted in Redis.

Sign-in failures are counted per (account, client) and per client, never per account alone:
an account locked by anyone's failures is an owner locked out by anyone. An account failing
from many clients at once is under attack; each client then gets fewer failures on it, which
slows the attackers and leaves its owner, signing in from a client of their own, untouched.

A window opens at its first count and closes `seconds` later, whatever happens in between.
An IPv6 client is its /64 network: one host usually holds the whole of it.
"""

import hashlib
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis

from server.errors import ErrorCode, UserFacingError


@dataclass(frozen=True)
class Window:
    name: str
    times: int
    seconds: int

    def key(self, *who: str) -> str:
        return ":".join(("gongxue", self.name, *who))


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
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _login_keys(email: str, host: str) -> tuple[str, str, str]:
    account, client = _account(email), client_of(host)
    return (
        ACCOUNT_FROM_CLIENT.key(account, client),
        ACCOUNT.key(account),
        CLIENT.key(client),
    )


def _too_many_sign_ins() -> UserFacingError:
    return UserFacingError(
        ErrorCode.RATE_LIMITED,
        "登录失败次数过多，请一分钟后再试",
        "too many failed sign-ins; try again in a minute",
    )


async def refuse_sign_in_if_limited(redis: Redis, email: str, host: str) -> None:
    """Refuses a client that has failed too often, a right password included."""
    from_client, on_account, by_client = (
        int(c or 0) for c in await redis.mget(*_login_keys(email, host))
    )
    allowed = ACCOUNT_FROM_CLIENT.times
    if on_account >= ACCOUNT.times:
        allowed = ACCOUNT_FROM_CLIENT_UNDER_ATTACK
    if from_client >= allowed or by_client >= CLIENT.times:
        raise _too_many_sign_ins()


async def record_sign_in_failure(redis: Redis, email: str, host: str) -> None:
    windows = (ACCOUNT_FROM_CLIENT, ACCOUNT, CLIENT)
    await _count(redis, zip(_login_keys(email, host), windows, strict=True))


async def count_registration(redis: Redis, host: str) -> None:
    """Counts an attempt to register; refuses it past the client's hourly allowance."""
    key = REGISTRATIONS.key(client_of(host))
    (made,) = await _count(redis, [(key, REGISTRATIONS)])
    if made > REGISTRATIONS.times:
        raise UserFacingError(
            ErrorCode.RATE_LIMITED,
            "注册尝试过多，请一小时后再试",
            "too many registrations from this address; try again in an hour",
        )


async def _count(redis: Redis, counted: Iterable[tuple[str, Window]]) -> list[int]:
    async with redis.pipeline(transaction=True) as pipe:
        for key, window in counted:
            # SET NX with its expiry, then INCR, rather than EXPIRE NX: the embedded Redis
            # (6.2) has no EXPIRE NX.
            pipe.set(key, 0, ex=window.seconds, nx=True)
            pipe.incr(key)
        results = await pipe.execute()
    return results[1::2]
