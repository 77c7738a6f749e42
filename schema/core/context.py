"""The per-request context: the runtime, the language, the tenant named by the request, and
the request's own dataloaders (never shared between requests)."""

import asyncio
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
from server.units.reasons import STAFF_UNIT, ReasonReaders
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
        self._reason_readers: asyncio.Future[ReasonReaders] | None = None
        self._bearer = bearer_of(request.headers.get("authorization"))

    @property
    def bearer(self) -> str | None:
        return self._bearer

    def sign_in_as(self, token: str | None) -> None:
        """A web page's request: the browser session's token (or nobody) is who asks, never
        an `Authorization` header."""
        self._bearer = token
        self._guard = None

    def enter(self, tenant: Tenant | None) -> None:
        """A websocket's door, known once its `connection_init` has been checked."""
        self.path_tenant = tenant
        if tenant is not None:
            self._tenants[tenant.slug] = tenant

    def for_operation(self) -> "Context":
        """A websocket's context for one of its operations: the socket's door and token,
        its own dataloaders, and its own sign-in, so a token ended meanwhile is refused."""
        context = Context(self.runtime, self.request, self.path_tenant, self._tenants)
        context._bearer = self._bearer
        return context

    def take_socket_token(self, params: dict[str, Any]) -> None:  # the socket's JSON
        """graphql-transport-ws: the token in `connection_init`'s payload, as
        `{"authorization": "Bearer <token>"}` or `{"token": "<token>"}`, else the upgrade
        request's `Authorization` header. A bad one is refused here, as HTTP refuses it."""
        token = params.get("token")
        if not isinstance(token, str) or not token.strip():
            authorization = params.get("authorization")
            token = bearer_of(authorization) if isinstance(authorization, str) else None
        if token:
            self._bearer = token.strip()
        self.still_signed_in()

    def still_signed_in(self) -> Guard:
        """The token checked now (expiry, logout, cut-off) and the guard it gives, never kept:
        what a long-lived socket asks before each event it sends."""
        return self._sign_in()

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

    def signed_in_user_id(self) -> int | None:
        """Who is asking, for the logs: None for nobody, or a token that is not good."""
        try:
            if self._guard is None:
                self._guard = self._sign_in()
        except AccessError as refused:
            self._guard = refused
        if isinstance(self._guard, Guard) and self._guard.actor is not None:
            return self._guard.actor.user_id
        return None

    def _sign_in(self) -> Guard:
        actor = None
        if self.bearer is not None:
            secret = self.runtime.settings.secret_key.get_secret_value()
            claims = tokens.read(secret, self.bearer)
            if not self.runtime.revocations.is_live(claims):  # memory, no round trip
                raise tokens.unauthenticated()
            actor = Actor(claims.user_id, claims)
        return Guard(self.runtime.policy, actor)

    async def reason_readers(self) -> ReasonReaders:
        """Where this request may read why units left: worked out once (one read of the
        user's unit), however many exits and memberships ask."""
        guard = await self.guard()
        if self._reason_readers is None:
            self._reason_readers = asyncio.ensure_future(self._read_reason_readers(guard))
        return await self._reason_readers

    async def _read_reason_readers(self, guard: Guard) -> ReasonReaders:
        staff_unit = None
        if guard.actor is not None:
            async with self.read() as read:
                staff_unit = await read.scalar(STAFF_UNIT, user_id=guard.actor.user_id)
        return ReasonReaders.of(guard, staff_unit)

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
        """The community the request is for; None when it names none (the programme)."""
        if argument is not None:
            return await self.access_community(argument)
        slug = self.tenant_slug()
        return None if slug is None else await self._named(slug)

    async def access_community(self, slug: str) -> Tenant:
        """The community a `communitySlug` names, agreeing with the door; NOT_FOUND when it
        names none (a blank slug is no community, not "every community")."""
        named = self.tenant_slug(slug)
        if named is None:
            raise not_found("共同体", "community")
        return await self._named(named)

    def known_community(self, slug: str) -> Tenant | None:
        """The community this process has already looked up by `slug`, if it has."""
        return self._tenants.get(slug)

    def remember_community(self, tenant: Tenant) -> None:
        """A community looked up by slug, for this process's later requests."""
        self._tenants[tenant.slug] = tenant

    async def _named(self, slug: str) -> Tenant:
        if slug not in self._tenants:
            async with self.transaction() as session:
                self._tenants[slug] = await find_tenant(session, slug)
        return self._tenants[slug]


def bearer_of(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


Info = StrawberryInfo[Context, None]  # no root value is given
