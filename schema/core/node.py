"""`Node` and `node(id:)`: every object answers to one opaque global id."""

from collections.abc import Awaitable, Callable

import strawberry

from schema.core import ids
from schema.core.context import Context, Info


@strawberry.interface(description="An object with a global id that `node(id:)` fetches.")
class Node:
    id: strawberry.ID


Fetch = Callable[[Context, tuple[int, ...]], Awaitable[Node | None]]
# A type fetched by two keys is tenant-owned: (community id, id).
_FETCHERS: dict[str, tuple[int, Fetch]] = {}


def fetches(type_name: str, arity: int = 1) -> Callable[[Fetch], Fetch]:
    """Registers how to fetch a `type_name` by the keys in its global id."""

    def register(fetch: Fetch) -> Fetch:
        _FETCHERS[type_name] = (arity, fetch)
        return fetch

    return register


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id (subject to permissions).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, keys = ids.decode(id)
        registered = _FETCHERS.get(type_name)
        if registered is None or registered[0] != len(keys):
            raise ids.unknown()
        tenant = await info.context.tenant()
        # Another community's object (or another community itself), asked through this
        # one's door, is unknown here as `community(slug:)` would be.
        owned_by = keys[0] if len(keys) == 2 or type_name == "Community" else None
        if tenant is not None and owned_by is not None and owned_by != tenant.id:
            raise ids.unknown()
        found = await registered[1](info.context, keys)
        if found is None:
            raise ids.unknown()
        return found
