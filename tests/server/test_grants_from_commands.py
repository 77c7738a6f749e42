"""Commands that grant roles publish them as the API does: a server already running (this
test's runtime) lets the new holder in within 2 seconds, without a restart."""

import asyncio
import time

from sqlalchemy import func, select

from server.accounts import tokens
from server.accounts.models import User
from server.accounts.service import find_user_by_email
from server.demo.load import load_demo
from server.runtime import open_runtime
from tests.cli import GONGXUE, cli_env
from tests.factories import bearer
from tests.graphql import error_codes, gql

PROJECT_GROUP_ONLY = "{ programmeFindings { totalCount } }"


async def _create_admin(services, settings, password: str) -> tuple[int, str]:
    command = [GONGXUE, "create-admin", "--email", "pg@caea.test", "--password", password]
    process = await asyncio.create_subprocess_exec(
        *command,
        env=cli_env(services, settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode, output.decode()


async def _let_in_within_two_seconds(client, runtime, email: str) -> bool:
    async with runtime.database.transaction() as session:
        user = await find_user_by_email(session, email)
    token, _ = tokens.issue(runtime.settings.secret_key.get_secret_value(), user.id)
    deadline = time.monotonic() + 2
    while True:
        refused = error_codes(await gql(client, PROJECT_GROUP_ONLY, headers=bearer(token)))
        if not refused:
            return True
        assert refused == ["FORBIDDEN"]
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)


async def test_create_admin_lets_the_new_account_in_on_a_running_server(
    client, runtime, services, settings
):
    code, output = await _create_admin(services, settings, "long-enough-pw")

    assert code == 0, output
    assert await _let_in_within_two_seconds(client, runtime, "pg@caea.test")


async def test_create_admin_refuses_a_weak_password(runtime, services, settings):
    code, output = await _create_admin(services, settings, "aaaaaaaaaa")

    assert code == 1
    assert "密码太容易被猜到" in output
    async with runtime.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_the_demo_lets_its_admin_in_on_a_running_server(client, runtime, services, settings):
    command = open_runtime(settings, services)  # `gongxue demo`'s own process, as it opens it
    await command.start()
    try:
        await load_demo(command)
    finally:
        await command.close()

    assert await _let_in_within_two_seconds(client, runtime, "admin@demo.gongxue.test")
