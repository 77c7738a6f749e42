"""`X-Forwarded-For` names the client only when a proxy named in GONGXUE_TRUSTED_PROXIES sends
it: otherwise a client would choose the address its sign-in failures count against."""

import httpx

from tests.cli import serving
from tests.factories import PASSWORD, make_user

LOGIN = """
mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { errors { code } }
}
"""


async def _sign_in(url: str, forwarded_for: str, password: str) -> list[str]:
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{url}/graphql",
            json={"query": LOGIN, "variables": {"email": "zhao@example.cn", "password": password}},
            headers={"X-Forwarded-For": forwarded_for},
        )
    return [e["code"] for e in answer.json()["data"]["login"]["errors"]]


async def _ten_failures_from_ten_forged_addresses(url: str) -> None:
    for i in range(10):
        assert await _sign_in(url, f"203.0.113.{i + 1}", "wrong-password") == [
            "INVALID_CREDENTIALS"
        ]


async def test_a_forged_forwarded_for_is_ignored_by_default(runtime, services, settings):
    """Every failure counts against 127.0.0.1, the address the requests really come from."""
    await make_user(runtime, "zhao@example.cn")
    with serving(services, settings) as url:
        await _ten_failures_from_ten_forged_addresses(url)

        assert await _sign_in(url, "198.51.100.7", PASSWORD) == ["RATE_LIMITED"]


async def test_a_trusted_proxy_names_the_client(runtime, services, settings):
    await make_user(runtime, "zhao@example.cn")
    with serving(services, settings, GONGXUE_TRUSTED_PROXIES="10.0.0.0/8, 127.0.0.1") as url:
        await _ten_failures_from_ten_forged_addresses(url)
        for _ in range(9):
            await _sign_in(url, "192.0.2.1", "wrong-password")

        assert await _sign_in(url, "198.51.100.7", PASSWORD) == []  # the owner, elsewhere
        assert await _sign_in(url, "192.0.2.1", "wrong-password") == ["INVALID_CREDENTIALS"]
        assert await _sign_in(url, "192.0.2.1", PASSWORD) == ["RATE_LIMITED"]
