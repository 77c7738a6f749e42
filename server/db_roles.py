"""The database roles: the owner (migrations) and the application role (everything else).

The application role neither owns the tables nor bypasses row-level security, so RLS is a
real backstop for the tenant checks in code. It may SELECT, INSERT and UPDATE; DELETE only on
the few tables whose rows are not history (casbin grants).
"""

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

APP_ROLE = "gongxue_app"


def app_url(owner_url: str, explicit: str | None, password: str | None) -> str:
    if explicit:
        return explicit
    url = make_url(owner_url).set(username=APP_ROLE, password=password)
    return url.render_as_string(hide_password=False)


async def set_app_password(owner_url: str, password: str) -> None:
    """Gives the application role its password (the owner's job, at migration time). The
    password travels as a setting, never spliced into SQL text."""
    engine = create_async_engine(owner_url, poolclass=NullPool, hide_parameters=True)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("SELECT set_config('gongxue.app_password', :pw, true)"), {"pw": password}
            )
            await conn.execute(
                text(
                    "DO $$ BEGIN EXECUTE format('ALTER ROLE %I PASSWORD %L', "
                    f"'{APP_ROLE}', current_setting('gongxue.app_password')); END $$"
                )
            )
    finally:
        await engine.dispose()
