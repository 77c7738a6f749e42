"""The per-request context: the runtime, the language, the tenant named by the request, and
the request's own dataloaders (never shared between requests)."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from strawberry.types import Info as StrawberryInfo

from schema.core import ids
from schema.core.loaders import Loaders
from server.access.guard import Actor, Guard
from server.accounts import tokens
from server.errors import AccessError, not_found
from server.i18n import language_from
from server.reads import Read
from server.runtime import Runtime
from tenants.resolution import Tenant, agree, find_tenant


class Context:
    def __init__(
        self,
        runtime: Runtime,
        request: HTTPConnection,
        path_tenant: Tenant | None,
        doors: dict[str, Tenant] | None = None,
    ):
        """`doors`: the communities the endpoint has looked up by slug, shared by its
        requests (a slug never changes once set, and a community is never deleted)."""
        self.runtime = runtime
        self.request = request
        self.language = language_from(request.headers.get("accept-language"))
        self.path_tenant = path_tenant
        self.header_slug = request.headers.get("x-community") or None
        self._tenants: dict[str, Tenant] = {} if doors is None else doors
        if path_tenant is not None:
            self._tenants[path_tenant.slug] = path_tenant
        self._loaders: Loaders | None = None
        self._guard: Guard | AccessError | None = None

    @property
    def bearer(self) -> str | None:
        scheme, _, token = self.request.headers.get("authorization", "").partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    @property
    def client(self) -> str:
        return self.request.client.host if self.request.client else "unknown"

    @property
    def loaders(self) -> Loaders:
        """The request's dataloaders, made when a field first needs one (a compiled read
        never does)."""
        if self._loaders is None:
            self._loaders = Loaders(self.runtime)
        return self._loaders

    async def guard(self) -> Guard:
        """Who is asking and what they may do. A token that is bad, expired or revoked is
        UNAUTHENTICATED; no token at all is an anonymous guard. Worked out once a request
        (the token's claims and revocation are in memory, no round trip) and kept, the
        refusal too, for every field that asks."""
        if self._guard is None:
            try:
                self._guard = self._sign_in()
            except AccessError as refused:
                self._guard = refused
        if isinstance(self._guard, AccessError):
            raise self._guard
        return self._guard

    def _sign_in(self) -> Guard:
        actor = None
        if self.bearer is not None:
            secret = self.runtime.settings.secret_key.get_secret_value()
            claims = tokens.read(secret, self.bearer)
            if not self.runtime.revocations.is_live(claims):  # memory, no round trip
                raise tokens.unauthenticated()
            actor = Actor(claims.user_id, claims)
        return Guard(self.runtime.policy, actor)

    @asynccontextmanager
    async def transaction(
        self, community_id: int | None = None, *, all_communities: bool = False
    ) -> AsyncIterator[AsyncSession]:
        async with self.runtime.database.transaction(
            community_id, all_communities=all_communities
        ) as session:
            yield session

    def read(
        self, community_id: int | None = None, *, all_communities: bool = False
    ) -> AbstractAsyncContextManager[Read]:
        return self.runtime.database.read(community_id, all_communities=all_communities)

    def tenant_slug(self, argument: str | None = None) -> str | None:
        """The slug the request is for, refusing sources that disagree."""
        path = self.path_tenant.slug if self.path_tenant else None
        return agree(path, self.header_slug, argument)

    async def community_id(self, argument: str | None = None) -> int | None:
        """The id of the community the request is for, if any."""
        tenant = await self.tenant(argument)
        return tenant.id if tenant else None

    async def refuse_other_tenant(self, community_id: int | None) -> None:
        """An object of another community, asked for through this community's door, is
        NOT_FOUND like a missing one (a project-wide object, `None`, belongs to no door)."""
        tenant = await self.tenant()
        if tenant is not None and community_id != tenant.id:
            raise ids.unknown()

    async def tenant(self, argument: str | None = None) -> Tenant | None:
        slug = self.tenant_slug(argument)
        if slug is None:
            if argument is not None:
                # A slug given but blank names no community; it is not "every community".
                raise not_found("共同体", "community")
            return None
        if slug not in self._tenants:
            async with self.transaction() as session:
                self._tenants[slug] = await find_tenant(session, slug)
        return self._tenants[slug]


Info = StrawberryInfo[Context, Any]
