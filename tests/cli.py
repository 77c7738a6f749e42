"""Running the `gongxue` command as its own process, on this test run's servers."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

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


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(services, settings, output: list[str] | None = None, **extra: str) -> Iterator[str]:
    """`gongxue serve` as its own process, on a free port of 127.0.0.1, for the block: its
    base URL. What it printed goes into `output` once it has stopped."""
    port = free_port()
    command = [GONGXUE, "serve", "--port", str(port), "--no-worker"]
    env = cli_env(services, settings, **extra)
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, "did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        printed, _ = server.communicate(timeout=30)
        if output is not None:
            output.append(printed.decode())
