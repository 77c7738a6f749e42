"""What one process holds open: settings, the database engine and the Redis client."""

from dataclasses import dataclass

from redis.asyncio import Redis

from server.db import Database, create_engine
from server.embedded import ServiceUrls, resolve_services
from server.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    services: ServiceUrls
    database: Database
    redis: Redis

    async def close(self) -> None:
        await self.redis.aclose()
        await self.database.dispose()


def locate_services(settings: Settings) -> ServiceUrls:
    """Synchronous, and may start embedded servers: call before the event loop starts."""
    return resolve_services(settings.database_url, settings.redis_url, settings.resolved_data_dir)


def open_runtime(settings: Settings, services: ServiceUrls) -> Runtime:
    return Runtime(
        settings=settings,
        services=services,
        database=Database(create_engine(services.database_url, pool_size=settings.db_pool_size)),
        redis=Redis.from_url(services.redis_url, socket_timeout=5, socket_connect_timeout=2),
    )
