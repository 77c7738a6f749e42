"""Applying the Alembic migrations from code (the CLI, `serve`'s start-up, the tests)."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from server.db_roles import set_app_password

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Synchronous (Alembic runs its own event loop): call it outside one, or in a thread."""
    command.upgrade(alembic_config(url), revision)


def migrate(owner_url: str, app_password: str | None) -> None:
    """Everything `gongxue migrate` does: the schema, then the application role's password
    when one is configured (trust-authenticated servers need none)."""
    upgrade(owner_url)
    if app_password:
        asyncio.run(set_app_password(owner_url, app_password))
