"""The GraphQL Foundation's GraphQL-over-HTTP audit (`graphql-http`'s `auditServer`, pinned in
`package.json` beside this file) against `gongxue serve` as a process, on the platform's
endpoint and a sub-platform's: every check passes, none warns."""

import asyncio
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import httpx

from tests.cli import GONGXUE, cli_env
from tests.factories import make_community

AUDIT = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _node_with_the_audit() -> str:
    """node, with the audit's npm packages installed. Without node the test fails rather than
    skips: CI installs it (`.ci/run`)."""
    node = shutil.which("node")
    assert node is not None, "the GraphQL-over-HTTP audit needs node (Debian: nodejs npm)"
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        npm = shutil.which("npm")
        assert npm is not None, "the GraphQL-over-HTTP audit needs npm (Debian: npm)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AUDIT, check=True, timeout=120)
    return node


async def _until_up(server: asyncio.subprocess.Process, base: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                await http.get(f"{base}/healthz", timeout=2)
                return
            except httpx.HTTPError:
                assert server.returncode is None, "gongxue serve stopped"
                await asyncio.sleep(0.2)
    raise AssertionError("gongxue serve did not come up in 60 s")


async def test_the_graphql_over_http_audit_passes_without_warnings(services, settings, runtime):
    node = _node_with_the_audit()
    await make_community(runtime, "audit")
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        GONGXUE,
        *("serve", "--port", str(port), "--no-worker"),
        env=cli_env(services, settings, GONGXUE_ACCESS_LOG="false"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await _until_up(server, f"http://127.0.0.1:{port}")
        for path in ("/graphql", "/c/audit/graphql"):
            audit = await asyncio.create_subprocess_exec(
                node,
                *("audit.mjs", f"http://127.0.0.1:{port}{path}"),
                cwd=AUDIT,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            output, _ = await asyncio.wait_for(audit.communicate(), timeout=60)
            print(output.decode())
            assert audit.returncode == 0, output.decode()
            assert " 0 warnings, 0 errors" in output.decode()
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), timeout=30)
