"""What one process holds open: settings, the database engine and the Redis client, and what
it follows in memory: the role grants and the tokens ended early, the national figures as last
counted; and the clock it counts rate limits on."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from arq.connections import ArqRedis, RedisSettings, create_pool
from redis.asyncio import Redis

from server import channels
from server.access.policy import Policy
from server.accounts.revocations import Revocations
from server.db import Database, SessionLimits, create_engine
from server.db_roles import app_url
from server.embedded import ServiceUrls, resolve_services
from server.settings import Settings
from server.statistics.kept import KeptFigures


@dataclass
class Runtime:
    settings: Settings
    services: ServiceUrls
    database: Database
    redis: Redis
    policy: Policy
    revocations: Revocations
    topics: channels.Topics
    # The time the rate limits count in, seconds since the epoch: a test moves its own.
    clock: Callable[[], float] = time.time
    # The main platform's national figures, as last counted (on `clock`).
    figures: KeptFigures = field(init=False)
    _queue: ArqRedis | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.figures = KeptFigures(lambda: self.clock())

    async def queue(self) -> ArqRedis:
        """The arq connection jobs are enqueued on, opened on first use. With Redis down it
        fails at once (no retries): the request that wanted it answers SERVICE_UNAVAILABLE."""
        if self._queue is None:
            settings = RedisSettings.from_dsn(self.services.redis_url)
            settings.conn_retries = 0
            self._queue = await create_pool(settings)
        return self._queue

    async def start(self) -> None:
        """Loads the role grants and the revoked tokens and follows their changes (call inside
        the event loop)."""
        await self.policy.load()
        await self.revocations.load()
        self.policy.start()
        self.revocations.start()
        self.topics.start()

    async def close(self) -> None:
        await self.policy.stop()
        await self.revocations.stop()
        await self.topics.stop()
        if self._queue is not None:
            await self._queue.aclose()
        await self.redis.aclose()
        await self.database.dispose()


def locate_services(settings: Settings) -> ServiceUrls:
    """Synchronous, and may start embedded servers: call before the event loop starts."""
    return resolve_services(settings.database_url, settings.redis_url, settings.resolved_data_dir)


def open_runtime(settings: Settings, services: ServiceUrls) -> Runtime:
    """Connects as the application role, never as the owner of the tables."""
    password = settings.app_database_password
    url = app_url(
        services.database_url,
        settings.app_database_url,
        password.get_secret_value() if password else None,
    )
    redis = Redis.from_url(services.redis_url, socket_timeout=5, socket_connect_timeout=2)
    limits = SessionLimits(
        idle_in_transaction=settings.db_idle_in_transaction_timeout,
        client_check=settings.db_client_check_interval,
    )
    database = Database(
        create_engine(url, pool_size=settings.db_pool_size, limits=limits),
        partial(channels.announce, redis),
        limits,
    )
    return Runtime(
        settings,
        services,
        database,
        redis,
        Policy(database, redis),
        Revocations(redis),
        channels.Topics(redis),
    )
