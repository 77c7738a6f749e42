"""Browser sessions: the token `login` gives, kept in an HttpOnly cookie that only the web
routes read (the GraphQL endpoint never does, so a page of another site cannot make a
browser spend it there), and a CSRF token on every form.

CSRF is the double-submit pattern: a random value in a cookie of its own and in each form's
hidden field, the two compared on every POST, and an `Origin` header, when the browser sends
one, naming this site. SameSite=Lax on both cookies keeps them off other sites' POSTs too."""

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from server.settings import Settings

SESSION_COOKIE = "gx_session"
CSRF_COOKIE = "gx_csrf"
CSRF_FIELD = "csrf_token"
# A token lives 12 hours (`server/accounts/tokens.py`): the cookie no longer.
SESSION_SECONDS = 12 * 60 * 60


def session_token(request: HTTPConnection) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def csrf_token(request: Request) -> str:
    """The request's CSRF value, made now for a browser that has none (and set on the
    response by `keep_csrf`)."""
    known = request.cookies.get(CSRF_COOKIE)
    if known:
        return known
    if not hasattr(request.state, "new_csrf"):
        request.state.new_csrf = secrets.token_urlsafe(32)
    token: str = request.state.new_csrf
    return token


def keep_csrf(request: Request, response: Response, settings: Settings) -> None:
    made = getattr(request.state, "new_csrf", None)
    if made is not None:
        _set(request, response, settings, CSRF_COOKIE, made)


def csrf_refused(request: Request, submitted: str | None) -> bool:
    """A POST whose form does not carry the browser's own CSRF value, or that comes from
    another site."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        return True
    known = request.cookies.get(CSRF_COOKIE)
    if not known or not submitted:
        return True
    return not hmac.compare_digest(known.encode(), submitted.encode())


def start(request: Request, response: Response, settings: Settings, token: str) -> None:
    _set(request, response, settings, SESSION_COOKIE, token, SESSION_SECONDS)
    # A new session, a new CSRF value: one learnt before signing in is worth nothing after.
    _set(request, response, settings, CSRF_COOKIE, secrets.token_urlsafe(32))


def end(request: Request, response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=_secure(request, settings)
    )


def _set(
    request: Request,
    response: Response,
    settings: Settings,
    name: str,
    value: str,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings),
    )


def _secure(request: Request, settings: Settings) -> bool:
    """Secure in production, and on any request that came over HTTPS."""
    return settings.env == "production" or request.url.scheme == "https"


def same_site_path(target: str | None) -> str:
    """Where `/login?next=` may send a browser back to: a path of this site, never another
    host (`//evil`, `https://evil`, `/\\evil`, control characters); else the main page."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(c) < 0x20 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target
