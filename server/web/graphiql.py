"""GraphiQL, the API's in-browser IDE, served from gongxue's own vendored files
(`static/VENDORED.md`): strawberry's page loads them from a CDN, blank on an intranet."""

from starlette.requests import Request
from starlette.responses import HTMLResponse

from server.web.rendering import CONTENT_SECURITY_POLICY, TEMPLATES


def graphiql_page(request: Request) -> HTMLResponse:
    html = TEMPLATES.get_template("graphiql/graphiql.html").render()
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"}
    return HTMLResponse(html, headers=headers)
