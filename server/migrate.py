"""Applying the Alembic migrations from code (the CLI, `serve`'s start-up, the tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Synchronous (Alembic runs its own event loop): call it outside one, or in a thread."""
    command.upgrade(alembic_config(url), revision)
