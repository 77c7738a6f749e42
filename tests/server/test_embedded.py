"""The embedded default as processes: `gongxue serve` with nothing configured, killed with
`kill -9` and started again on the same data dir, and its Redis killed under it. Whatever
happens, a clean stop (SIGTERM) leaves no PostgreSQL or Redis running on the data dir."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli import GONGXUE, free_port


def _on(data_dir: Path) -> list[int]:
    """Processes whose command line names the data dir (the servers' do)."""
    found = subprocess.run(["pgrep", "-f", str(data_dir)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


@pytest.fixture
def own_data_dir() -> Iterator[Path]:
    # Short: the servers' unix socket paths must stay under ~100 bytes.
    made = Path(tempfile.mkdtemp(prefix="gx-"))
    yield made
    for pid in _on(made):  # only what this test started: the servers on its own data dir
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(made, ignore_errors=True)


class Serve:
    """`gongxue serve` on the embedded servers in `data_dir`."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGXUE_")}
        env["GONGXUE_DATA_DIR"] = str(data_dir)
        self.process = subprocess.Popen(
            [GONGXUE, "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def health(self) -> tuple[int, dict]:
        answer = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=5)
        return answer.status_code, answer.json()

    def until_healthy(self, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            try:
                status, body = self.health()
                if status == 200:
                    return body
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, "gongxue serve exited"
            assert time.monotonic() < deadline, "gongxue serve did not become healthy"
            time.sleep(0.2)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def _until_none_left(data_dir: Path, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _on(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def test_a_killed_serve_is_taken_over_and_a_clean_stop_leaves_nothing(own_data_dir):
    first = Serve(own_data_dir)
    first.until_healthy(90)
    first.process.kill()  # kill -9: no clean-up at all
    first.process.wait(timeout=10)
    left_by_the_kill = _on(own_data_dir)

    second = Serve(own_data_dir)
    health = second.until_healthy(60)
    code = second.stop()

    assert left_by_the_kill  # the servers outlived the killed process...
    assert health == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}
    assert code == 0
    assert _until_none_left(own_data_dir, 10) == []  # ...and the next clean stop stopped them


def test_a_dead_embedded_redis_is_started_again(own_data_dir):
    serve = Serve(own_data_dir)
    serve.until_healthy(90)
    redis_pid = int((own_data_dir / "redis" / "redis.pid").read_text())

    os.kill(redis_pid, signal.SIGKILL)
    health = serve.until_healthy(20)
    started_again = int((own_data_dir / "redis" / "redis.pid").read_text())
    code = serve.stop()

    assert started_again != redis_pid
    assert health == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}
    assert code == 0
    assert _until_none_left(own_data_dir, 10) == []
