"""A community at a host name of its own: its sub-platform's pages at `/` of that host."""

from starlette.datastructures import Headers, URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

from server.runtime import Runtime


class CommunityHost(BaseRoute):
    """A sub-platform's page at a host name of its own (GONGXUE_COMMUNITY_HOSTS): `route`
    answers there as its `/c/{slug}/` twin does; any other host, or path, goes on to the
    routes below."""

    def __init__(self, runtime: Runtime, route: Route) -> None:
        self.runtime = runtime
        self.route = route

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        host = Headers(scope=scope).get("host", "").rsplit(":", 1)[0].lower()
        slug = self.runtime.settings.community_host_slugs.get(host)
        if slug is None:
            return Match.NONE, {}
        match, child = self.route.matches(scope)
        if match is not Match.NONE:
            child["path_params"] = {**child["path_params"], "slug": slug}
        return match, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: object) -> URLPath:
        # Named URLs are the `/c/{slug}/` routes'; this twin names none.
        raise NoMatchFound(name, path_params)
