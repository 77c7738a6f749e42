"""`POST /uploads`: a file as the raw request body (`X-Filename`, percent-encoded, names it),
signed in. The answer's `id` goes into a mutation (evidence, a sign-in sheet), keeping GraphQL
free of multipart requests and their CSRF exposure. `GET /uploads/{id}`: the file, as a
download, for those who may read it (by `Authorization`, or the web pages' session cookie):
anyone for a picture a public page shows."""

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from server.access.guard import Actor, Guard
from server.accounts import tokens
from server.errors import ErrorCode, GongxueError
from server.i18n import language_from
from server.runtime import Runtime
from server.uploads import access, service
from server.web.sessions import session_token

Endpoint = Callable[[Request], Awaitable[Response]]
STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.RATE_LIMITED: 429,
}


def upload_endpoints(
    runtime: Runtime,
    encode_id: Callable[..., str],
    decode_id: Callable[[str, str], tuple[int, ...]],
) -> tuple[Endpoint, Endpoint]:
    """The two endpoints; the global ids are the GraphQL layer's, handed in."""

    def signed_in(request: Request) -> Actor:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise tokens.unauthenticated()
        claims = tokens.read(runtime.settings.secret_key.get_secret_value(), token.strip())
        if not runtime.revocations.is_live(claims):
            raise tokens.unauthenticated()
        return Actor(claims.user_id, claims)

    async def upload(request: Request) -> Response:
        try:
            actor = signed_in(request)
            data = await request.body()
            async with runtime.database.transaction() as session:
                stored = await service.store(
                    session,
                    runtime.settings,
                    actor.user_id,
                    request.headers.get("x-filename"),
                    data,
                )
        except GongxueError as error:
            return refusal(request, error)
        return JSONResponse(
            {
                "id": encode_id("Upload", stored.id),
                "filename": stored.filename,
                "contentType": stored.content_type,
                "size": stored.size,
                "sha256": stored.sha256,
            },
            status_code=201,
        )

    def reader(request: Request) -> Actor | None:
        """Who downloads: the bearer of `Authorization`, else the browser session of the web
        pages (a picture in a draft its writers preview), else nobody. A session that ended
        is nobody: public pictures stay readable. Only a read: no form, nothing changes."""
        if "authorization" in request.headers:
            return signed_in(request)
        token = session_token(request)
        if token is None:
            return None
        try:
            claims = tokens.read(runtime.settings.secret_key.get_secret_value(), token)
        except GongxueError:
            return None
        return Actor(claims.user_id, claims) if runtime.revocations.is_live(claims) else None

    async def download(request: Request) -> Response:
        try:
            guard = Guard(runtime.policy, reader(request))
            (upload_id,) = decode_id(request.path_params["id"], "Upload")
            stored, public = await access.readable(runtime.database, guard, upload_id)
        except GongxueError as error:
            return refusal(request, error)
        return FileResponse(
            service.root(runtime.settings) / stored.storage_key,
            media_type=stored.content_type,
            headers={
                "Content-Disposition": attachment(stored.filename),
                "X-Content-Type-Options": "nosniff",
                # A public page's picture may be kept a while; it stops being public when
                # its page is taken back, which a cache learns within five minutes.
                "Cache-Control": "public, max-age=300" if public else "private, no-cache",
                # Opened in a browser tab anyway, a file runs nothing and loads nothing.
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )

    return upload, download


def attachment(filename: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, the real name in `filename*`."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def refusal(request: Request, error: GongxueError) -> JSONResponse:
    language = language_from(request.headers.get("accept-language"))
    body = {
        "errors": [{"message": error.message(language), "extensions": {"code": error.code.value}}]
    }
    retry_after = getattr(error, "retry_after", None)
    return JSONResponse(
        body,
        status_code=STATUS.get(error.code, 400),
        headers={"Retry-After": str(retry_after)} if retry_after else None,
    )
