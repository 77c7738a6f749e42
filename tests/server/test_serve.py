"""`gongxue serve` as a process: what it writes per request."""

import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.cli import GONGXUE, cli_env, serving

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent
# -o: the installed package is taken as it is, even if pyproject.toml is newer.
MAKE_RUN = ["make", "--no-print-directory", "-o", f"{VENV}/bin/gongxue", "run"]


def _served_output(services, settings, ask=None, **extra: str) -> str:
    """What `gongxue serve` printed while it answered one GraphQL request (and what `ask`
    asks of it at its base URL)."""
    output: list[str] = []
    with serving(services, settings, output, **extra) as url:
        answer = httpx.post(f"{url}/graphql", json={"query": "{ __typename }"})
        assert answer.json() == {"data": {"__typename": "Query"}}
        if ask is not None:
            ask(url)
    return output[0]


def test_the_access_log_is_on_unless_turned_off(services, settings):
    logged = _served_output(services, settings)
    quiet = _served_output(services, settings, GONGXUE_ACCESS_LOG="false")

    assert '"POST /graphql HTTP/1.1" 200' in logged
    assert "Application startup complete" in quiet  # it ran, and logs the rest as before
    assert "POST /graphql" not in quiet


def test_the_access_log_leaves_out_what_a_get_asks(services, settings):
    """A GraphQL GET carries its document and variables in the query string."""

    def ask(url: str) -> None:
        httpx.get(
            f"{url}/graphql",
            params={
                "query": 'query Who($e: String) { community(slug: "private-literal") { name } }',
                "variables": '{"e": "private-variable"}',
            },
        )

    logged = _served_output(services, settings, ask)

    assert '"GET /graphql?… HTTP/1.1" 200' in logged
    assert "private-literal" not in logged and "private-variable" not in logged


def test_a_taken_port_is_refused_before_anything_claims_to_listen(services, settings):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = cli_env(services, settings, COLUMNS="80")

        run = subprocess.run(
            [GONGXUE, "serve", "--demo", "--port", str(port), "--no-worker"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run.returncode == 1
    said = run.stdout + run.stderr
    assert f"端口 {port} 已被占用" in said
    assert f"port {port} on 127.0.0.1 is already in use" in said
    for claim in ("listening", "Uvicorn running", "http://127.0.0.1", "demo sign-ins"):
        assert claim not in said  # nothing claimed to serve, and the demo did not load


def test_make_run_serves_on_the_port_it_is_given(services, settings):
    """`make run PORT=...` passes the port on: shown by the refusal of a taken one."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = cli_env(services, settings, COLUMNS="80")

        run = subprocess.run(
            [*MAKE_RUN, f"PORT={port}", f"VENV={VENV}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in run.stdout
    assert "demo sign-ins" not in run.stdout
