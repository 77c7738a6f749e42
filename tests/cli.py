"""Running the `gongxue` command as its own process, on this test run's servers."""

import os
import sys
from pathlib import Path

GONGXUE = Path(sys.executable).parent / "gongxue"


def cli_env(services, settings, **extra: str) -> dict[str, str]:
    """The environment of a `gongxue` process that uses this run's database, Redis, data
    dir and secret, with `extra` settings on top."""
    return {
        **os.environ,
        "GONGXUE_DATABASE_URL": services.database_url,
        "GONGXUE_REDIS_URL": services.redis_url,
        "GONGXUE_DATA_DIR": str(settings.data_dir),
        "GONGXUE_ENV": "test",
        "GONGXUE_SECRET_KEY": settings.secret_key.get_secret_value(),
        **extra,
    }
