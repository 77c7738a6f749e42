"""Pages as HTML: Jinja2 with autoescape on, the base layout's globals (asset URLs, the CSRF
field), and the headers that let a browser or a CDN keep an anonymous page."""

import datetime as dt
import hashlib
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from server.clock import PROGRAMME_TIMEZONE
from server.news.rules import COLOUR
from server.settings import Settings
from server.web import sessions
from server.web.assets import STATIC
from server.web.execution import TEMPLATES_DIR

# An anonymous page may be kept a minute: long enough to spare the database a burst of
# visitors, short enough that a published change shows soon.
ANONYMOUS_CACHE = "public, max-age=60"
# Pages load nothing from another host (CONTRACT.md); the policy makes a mistake fail loudly
# in the browser. Inline styles stay allowed: ECharts and GraphiQL set them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

TEMPLATES = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.globals["asset"] = STATIC.url


def _chinese_date(value: str | dt.date | None) -> str:
    """A date, or the day a moment fell on in Beijing: what a reader in China calls its date."""
    if not value:
        return ""
    if isinstance(value, str):
        day = (
            dt.datetime.fromisoformat(value).astimezone(PROGRAMME_TIMEZONE).date()
            if "T" in value
            else dt.date.fromisoformat(value)
        )
    else:
        day = value
    return f"{day.year}年{day.month}月{day.day}日"


def _brand_colour(value: str | None) -> str | None:
    """A sub-platform's colour for its stylesheet, only ever as `#rrggbb`: the API stores
    nothing else, and the page checks again because the value lands inside a `<style>`."""
    return value if value and COLOUR.fullmatch(value) else None


TEMPLATES.filters["chinese_date"] = _chinese_date
TEMPLATES.filters["brand_colour"] = _brand_colour


def render(
    request: Request,
    settings: Settings,
    template: str,
    status: int = 200,
    **values: Any,
) -> Response:
    """The page as HTML, with the headers `keepable` gives."""
    signed_in = sessions.session_token(request) is not None

    def csrf_field() -> Markup:
        token = sessions.csrf_token(request)
        return Markup('<input type="hidden" name="{}" value="{}">').format(
            sessions.CSRF_FIELD, token
        )

    html = TEMPLATES.get_template(template).render(
        request=request, csrf_field=csrf_field, signed_in=signed_in, **values
    )
    return keepable(request, settings, html.encode(), "text/html; charset=utf-8", status)


def keepable(
    request: Request, settings: Settings, body: bytes, media_type: str, status: int = 200
) -> Response:
    """`body` with the page headers; for a visitor without a session, with an `ETag` of its
    bytes and a cache lifetime, and a 304 when the browser already holds those bytes."""
    signed_in = sessions.session_token(request) is not None
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Vary": "Cookie",
    }
    made_csrf = hasattr(request.state, "new_csrf")
    if status == 200 and not signed_in and not made_csrf:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers |= {"Cache-Control": ANONYMOUS_CACHE, "ETag": etag}
        if etag in _etags(request.headers.get("if-none-match")):
            return Response(status_code=304, headers=headers)
    else:
        headers["Cache-Control"] = "private, no-store"
    response = Response(body, status, headers, media_type=media_type)
    sessions.keep_csrf(request, response, settings)
    return response


def _etags(header: str | None) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",")}
