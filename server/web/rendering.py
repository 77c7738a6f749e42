"""Pages as HTML: Jinja2 with autoescape on, the base layout's globals (asset URLs, the CSRF
field), and the headers that let a browser or a CDN keep an anonymous page."""

import datetime as dt
import hashlib
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from policies.articles import article_label
from server.clock import PROGRAMME_TIMEZONE, chinese_date
from server.fees.rules import yuan
from server.news.rules import COLOUR
from server.settings import Settings
from server.web import sessions
from server.web.account import UNREAD_SECONDS, workspaces_of
from server.web.assets import STATIC
from server.web.execution import TEMPLATES_DIR, Answer

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

# Anonymous pages kept rendered, by what made them (`render`): a few hundred of a page's own
# size, the oldest let go first.
PAGES_KEPT = 256

TEMPLATES = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.globals["asset"] = STATIC.url
TEMPLATES.globals["workspaces_of"] = workspaces_of
TEMPLATES.globals["unread_every"] = UNREAD_SECONDS


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
    return chinese_date(day)


def _chinese_time(value: str | None) -> str:
    """A moment's date and time of day in Beijing, 2026年3月2日 14:05: for what happens several
    times a day (audit runs), where the date alone does not tell them apart."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value).astimezone(PROGRAMME_TIMEZONE)
    return f"{_chinese_date(moment.date())} {moment:%H:%M}"


def _brand_colour(value: str | None) -> str | None:
    """A sub-platform's colour for its stylesheet, only ever as `#rrggbb`: the API stores
    nothing else, and the page checks again because the value lands inside a `<style>`."""
    return value if value and COLOUR.fullmatch(value) else None


def _yuan(fen: int | None) -> str:
    """Fen as the yuan a reader in China reads: 123456 -> 1,234.56 (money is kept in fen)."""
    return "" if fen is None else yuan(fen)


TEMPLATES.filters["chinese_date"] = _chinese_date
TEMPLATES.filters["yuan"] = _yuan
TEMPLATES.filters["chinese_time"] = _chinese_time
TEMPLATES.filters["article"] = article_label  # 第16条第3项
TEMPLATES.filters["brand_colour"] = _brand_colour


def render(
    request: Request,
    settings: Settings,
    template: str,
    status: int = 200,
    *,
    answer: Answer | None = None,
    **values: Any,
) -> Response:
    """The page as HTML, with the headers `keepable` gives; `answer`'s data among its values.

    An anonymous page is a function of its template, its path, its other values and the
    bytes of its answer: the same bytes again give the page rendered before, without running
    the template. A change to anything the page shows changes the answer, which is read
    afresh after any write through this process, and after a few seconds at most otherwise
    (`server/web/kept_answers.py`)."""
    signed_in = sessions.session_token(request) is not None
    key = None
    if not signed_in and answer is not None and answer.raw is not None:
        key = _kept_key(template, status, request.url.path, answer.raw, values)
    html = _KEPT.get(key) if key is not None else None
    if html is None:

        def csrf_field() -> Markup:
            token = sessions.csrf_token(request)
            return Markup('<input type="hidden" name="{}" value="{}">').format(
                sessions.CSRF_FIELD, token
            )

        page = {**((answer.data or {}) if answer is not None else {}), **values}
        html = (
            TEMPLATES.get_template(template)
            .render(request=request, csrf_field=csrf_field, signed_in=signed_in, **page)
            .encode()
        )
        # A page that made a CSRF token holds it: the next visitor's would differ.
        if key is not None and not hasattr(request.state, "new_csrf"):
            _keep(key, html)
    return keepable(request, settings, html, "text/html; charset=utf-8", status)


_KEPT: dict[tuple[object, ...], bytes] = {}


def _kept_key(
    template: str, status: int, path: str, raw: bytes, values: dict[str, Any]
) -> tuple[object, ...] | None:
    try:
        others = tuple(sorted(values.items()))
        hash(others)
    except TypeError:
        return None  # a value that is no key (a list read separately): rendered each time
    digest = hashlib.blake2b(raw, digest_size=20).digest()
    return (template, status, path, digest, others)


def _keep(key: tuple[object, ...], html: bytes) -> None:
    if len(_KEPT) >= PAGES_KEPT:
        del _KEPT[next(iter(_KEPT))]
    _KEPT[key] = html


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
