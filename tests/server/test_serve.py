"""`gongxue serve` as a process: what it writes per request."""

import httpx

from tests.cli import serving


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
