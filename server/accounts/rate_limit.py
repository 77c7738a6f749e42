"""Login failures counted in Redis per account and per client: after `LIMIT` failures in a
`WINDOW`, further attempts are refused until the window ends (a right password included)."""

from redis.asyncio import Redis

from server.errors import ErrorCode, UserFacingError

LIMIT = 10
WINDOW_SECONDS = 60


def failure_keys(email: str, client: str) -> tuple[str, str]:
    return (
        f"gongxue:login-failures:account:{email.strip().lower()}",
        f"gongxue:login-failures:client:{client}",
    )


async def refuse_if_limited(redis: Redis, keys: tuple[str, ...]) -> None:
    counts = await redis.mget(*keys)
    if any(c is not None and int(c) >= LIMIT for c in counts):
        raise UserFacingError(
            ErrorCode.RATE_LIMITED,
            "登录失败次数过多，请一分钟后再试",
            "too many failed sign-ins; try again in a minute",
        )


async def record_failure(redis: Redis, keys: tuple[str, ...]) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        for key in keys:
            # The window opens at the first failure. SET NX with its expiry, then INCR, rather
            # than EXPIRE NX: the embedded Redis (6.2) has no EXPIRE NX.
            pipe.set(key, 0, ex=WINDOW_SECONDS, nx=True)
            pipe.incr(key)
        await pipe.execute()
