"""`gongxue serve` as a process: what it writes per request."""

import signal
import socket
import subprocess
import time

import httpx

from tests.cli import GONGXUE, cli_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _served_output(services, settings, ask=None, **extra: str) -> str:
    """What `gongxue serve` printed while it answered one GraphQL request (and what `ask`
    asks of it on its port)."""
    port = _free_port()
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
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"})
        assert answer.json() == {"data": {"__typename": "Query"}}
        if ask is not None:
            ask(port)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    return output.decode()


def test_the_access_log_is_on_unless_turned_off(services, settings):
    logged = _served_output(services, settings)
    quiet = _served_output(services, settings, GONGXUE_ACCESS_LOG="false")

    assert '"POST /graphql HTTP/1.1" 200' in logged
    assert "Application startup complete" in quiet  # it ran, and logs the rest as before
    assert "POST /graphql" not in quiet


def test_the_access_log_leaves_out_what_a_get_asks(services, settings):
    """A GraphQL GET carries its document and variables in the query string."""

    def ask(port: int) -> None:
        httpx.get(
            f"http://127.0.0.1:{port}/graphql",
            params={
                "query": 'query Who($e: String) { community(slug: "private-literal") { name } }',
                "variables": '{"e": "private-variable"}',
            },
        )

    logged = _served_output(services, settings, ask)

    assert '"GET /graphql?… HTTP/1.1" 200' in logged
    assert "private-literal" not in logged and "private-variable" not in logged
