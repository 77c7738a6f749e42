"""`gongxue serve` as a process: what it writes per request."""

import httpx

from tests.cli import serving


def _served_output(services, settings, **extra: str) -> str:
    """What `gongxue serve` printed while it answered one GraphQL request."""
    output: list[str] = []
    with serving(services, settings, output, **extra) as url:
        answer = httpx.post(f"{url}/graphql", json={"query": "{ __typename }"})
        assert answer.json() == {"data": {"__typename": "Query"}}
    return output[0]


def test_the_access_log_is_on_unless_turned_off(services, settings):
    logged = _served_output(services, settings)
    quiet = _served_output(services, settings, GONGXUE_ACCESS_LOG="false")

    assert '"POST /graphql HTTP/1.1" 200' in logged
    assert "Application startup complete" in quiet  # it ran, and logs the rest as before
    assert "POST /graphql" not in quiet
