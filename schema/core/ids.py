"""Opaque global ids. A tenant-owned object's id carries its community id, so `node(id:)`
knows the tenant before it touches the database: `Membership:<community_id>:<id>`."""

import base64
import binascii

from server.errors import AccessError, ErrorCode

# Every key is a PostgreSQL bigint: a larger one names no row (and the driver cannot send it).
BIGINT = 2**63 - 1


def encode(type_name: str, *keys: int) -> str:
    raw = ":".join([type_name, *map(str, keys)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(global_id: str) -> tuple[str, tuple[int, ...]]:
    """`(type name, keys)`; a malformed id is NOT_FOUND, like a missing one."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, *keys = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        parsed = tuple(int(k) for k in keys)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise unknown() from None
    if not type_name or not parsed or any(not 0 < k <= BIGINT for k in parsed):
        raise unknown()
    return type_name, parsed


def decode_as(global_id: str, type_name: str, arity: int = 1) -> tuple[int, ...]:
    kind, keys = decode(global_id)
    if kind != type_name or len(keys) != arity:
        raise unknown()
    return keys


def unknown() -> AccessError:
    return AccessError(ErrorCode.NOT_FOUND, "对象不存在", "no object has this id")


def of_reference(reference: str) -> str:
    """The global id of an object the domain names in plain form (`Activity:3:17`), as
    evidence lists do."""
    type_name, *keys = reference.split(":")
    return encode(type_name, *map(int, keys))
