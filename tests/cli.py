"""Running the `gongxue` command as its own process, on this test run's servers."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
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
    # A file, not a pipe: nobody reads the server's output while it serves, and a pipe full
    # of its access log (64 KiB, a few hundred requests of a browser journey) would block
    # the server mid-request.
    printed = tempfile.TemporaryFile()
    server = subprocess.Popen(command, env=env, stdout=printed, stderr=subprocess.STDOUT)
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
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            raise
        finally:
            printed.seek(0)
            written = printed.read()
            printed.close()
        if output is not None:
            output.append(written.decode())
