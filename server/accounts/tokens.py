"""Sign-in tokens: signed JWTs (HS256, the secret from GONGXUE_SECRET_KEY) that expire, and
that can be ended early: revoked (logout), or issued before its user's cut-off (deactivation,
password change). Which have ended early is `server/accounts/revocations.py`'s."""

import datetime as dt
import functools
import time
import uuid
from dataclasses import dataclass

import jwt

from server.errors import AccessError, ErrorCode

ALGORITHM = "HS256"
LIFETIME = dt.timedelta(hours=12)
ISSUER = "gongxue"
# Tokens whose checked claims one process keeps (about half a kilobyte each, the token
# itself included: 5 MB at most).
VERIFIED_KEPT = 10_000


@dataclass(frozen=True)
class Claims:
    user_id: int
    token_id: str
    issued_ms: int  # milliseconds, so a cut-off made in the same second still orders
    expires_at: int


def issue(secret: str, user_id: int, now: dt.datetime | None = None) -> tuple[str, Claims]:
    now = now or dt.datetime.now(dt.UTC)
    claims = Claims(
        user_id=user_id,
        token_id=uuid.uuid4().hex,
        issued_ms=int(now.timestamp() * 1000),
        expires_at=int((now + LIFETIME).timestamp()),
    )
    token = jwt.encode(
        {
            "sub": str(user_id),
            "jti": claims.token_id,
            "iat": claims.issued_ms // 1000,
            "ims": claims.issued_ms,
            "exp": claims.expires_at,
            "iss": ISSUER,
        },
        secret,
        algorithm=ALGORITHM,
    )
    return token, claims


def unauthenticated() -> AccessError:
    return AccessError(
        ErrorCode.UNAUTHENTICATED, "登录已失效，请重新登录", "not signed in, or the sign-in expired"
    )


def read(secret: str, token: str) -> Claims:
    """The claims of a well-signed, unexpired token; UNAUTHENTICATED otherwise."""
    claims = _verified(secret, token)
    if claims.expires_at <= time.time():  # as PyJWT judges it: expired at `exp`
        raise unauthenticated()
    return claims


@functools.lru_cache(maxsize=VERIFIED_KEPT)
def _verified(secret: str, token: str) -> Claims:
    """The token's signature and claims, checked once per token and secret: a client sends
    the same token with every request, and decoding it was a tenth of a small request's time.
    Expiry is checked on every use (`read`); revocation is `Revocations.is_live`'s."""
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "jti", "iat", "exp", "iss", "ims"]},
        )
        return Claims(
            user_id=int(payload["sub"]),
            token_id=str(payload["jti"]),
            issued_ms=int(payload["ims"]),
            expires_at=int(payload["exp"]),
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        raise unauthenticated() from None
