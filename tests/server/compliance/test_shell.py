"""`gongxue audit` from the shell: the same run, a progress bar, a summary table."""

import subprocess

from tests.cli import GONGXUE, cli_env
from tests.factories import make_community
from tests.server.compliance.helpers import findings


def _audit(services, settings, *args: str) -> subprocess.CompletedProcess:
    env = cli_env(services, settings, COLUMNS="160")
    return subprocess.run(
        [GONGXUE, "audit", *args], env=env, capture_output=True, text=True, timeout=120
    )


async def test_gongxue_audit_runs_one_community_and_prints_the_summary(runtime, services, settings):
    await make_community(runtime, "yrd-small", size=2)
    await make_community(runtime, "yrd-other", size=2)

    run = _audit(services, settings, "--community", "yrd-small")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "community-size" in run.stdout and "16(3)" in run.stdout
    assert "共同体 communities: 1" in run.stdout
    assert "fees" in run.stdout and "awaits" not in run.stdout  # every rule has its data
    sizes = await findings(runtime, "community-size")
    assert len(sizes) == 1  # the other community was not audited


def test_gongxue_audit_names_an_unknown_community(services, settings):
    run = _audit(services, settings, "--community", "no-such-community")

    assert run.returncode == 1
    assert "community not found" in run.stdout
