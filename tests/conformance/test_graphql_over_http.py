"""The GraphQL Foundation's GraphQL-over-HTTP audit (`graphql-http`'s `auditServer`, pinned in
`package.json` beside this file) against `gongxue serve` as a process, on the platform's
endpoint and a sub-platform's: every check passes, none warns."""

import asyncio
import shutil
import subprocess
from pathlib import Path

from tests.cli import serving
from tests.factories import make_community

AUDIT = Path(__file__).resolve().parent


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


async def test_the_graphql_over_http_audit_passes_without_warnings(services, settings, runtime):
    node = _node_with_the_audit()
    await make_community(runtime, "audit")
    with serving(services, settings, GONGXUE_ACCESS_LOG="false") as base:
        for path in ("/graphql", "/c/audit/graphql"):
            audit = await asyncio.create_subprocess_exec(
                node,
                *("audit.mjs", f"{base}{path}"),
                cwd=AUDIT,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            output, _ = await asyncio.wait_for(audit.communicate(), timeout=60)
            print(output.decode())
            assert audit.returncode == 0, output.decode()
            assert " 0 warnings, 0 errors" in output.decode()
