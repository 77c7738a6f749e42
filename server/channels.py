"""Pub/sub channel names. Keys belong to one Redis database, channels to the whole server:
another deployment on a different database of the same Redis would otherwise hear this
one's changes (a role granted there applied here, a cut-off there ending our same-numbered
user's tokens), so each channel carries the database's number."""

from redis.asyncio import Redis


def channel(redis: Redis, name: str) -> str:
    return f"{name}:{redis.connection_pool.connection_kwargs.get('db') or 0}"
