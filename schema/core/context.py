"""The per-request context: the runtime, the language, the tenant named by the request, and
the request's own dataloaders (never shared between requests)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from strawberry.types import Info as StrawberryInfo

from schema.core.loaders import Loaders
from server.i18n import language_from
from server.runtime import Runtime
from tenants.resolution import Tenant, agree, find_tenant


class Context:
    def __init__(self, runtime: Runtime, request: HTTPConnection, path_tenant: Tenant | None):
        self.runtime = runtime
        self.request = request
        self.language = language_from(request.headers.get("accept-language"))
        self.path_tenant = path_tenant
        self.header_slug = request.headers.get("x-community") or None
        self._tenants: dict[str, Tenant] = {}
        if path_tenant is not None:
            self._tenants[path_tenant.slug] = path_tenant
        self.loaders = Loaders(runtime)

    @asynccontextmanager
    async def transaction(self, community_id: int | None = None) -> AsyncIterator[AsyncSession]:
        async with self.runtime.database.transaction(community_id) as session:
            yield session

    def tenant_slug(self, argument: str | None = None) -> str | None:
        """The slug the request is for, refusing sources that disagree."""
        path = self.path_tenant.slug if self.path_tenant else None
        return agree(path, self.header_slug, argument)

    async def tenant(self, argument: str | None = None) -> Tenant | None:
        slug = self.tenant_slug(argument)
        if slug is None:
            return None
        if slug not in self._tenants:
            async with self.transaction() as session:
                self._tenants[slug] = await find_tenant(session, slug)
        return self._tenants[slug]


Info = StrawberryInfo[Context, Any]
