"""The database roles: the owner (migrations) and the application role (everything else).

The application role neither owns the tables nor bypasses row-level security, so RLS is a
real backstop for the tenant checks in code. It may SELECT, INSERT and UPDATE; DELETE only on
the few tables whose rows are not history (casbin grants).
"""

from sqlalchemy.engine import make_url

APP_ROLE = "gongxue_app"


def app_url(owner_url: str, explicit: str | None, password: str | None) -> str:
    if explicit:
        return explicit
    url = make_url(owner_url).set(username=APP_ROLE, password=password)
    return url.render_as_string(hide_password=False)
