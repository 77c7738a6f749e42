"""`POST /uploads`: a file as the raw request body (`X-Filename` names it), signed in. The
answer's `id` goes into a mutation (evidence, a sign-in sheet), keeping GraphQL free of
multipart requests and their CSRF exposure."""

from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.accounts import tokens
from server.errors import GongxueError
from server.i18n import language_from
from server.runtime import Runtime
from server.uploads import service


def upload_endpoint(runtime: Runtime, encode_id):
    async def upload(request: Request) -> JSONResponse:
        language = language_from(request.headers.get("accept-language"))
        try:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise tokens.unauthenticated()
            claims = tokens.read(runtime.settings.secret_key.get_secret_value(), token.strip())
            if not runtime.revocations.is_live(claims):
                raise tokens.unauthenticated()
            data = await request.body()
            filename = unquote(request.headers.get("x-filename", "upload"))
            async with runtime.database.transaction() as session:
                stored = await service.store(
                    session, service.root(runtime.settings), claims.user_id, filename, data
                )
        except GongxueError as error:
            status = 401 if error.code == "UNAUTHENTICATED" else 400
            body = {
                "errors": [
                    {"message": error.message(language), "extensions": {"code": error.code.value}}
                ]
            }
            return JSONResponse(body, status_code=status)
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

    return upload
