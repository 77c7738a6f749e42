"""What every workspace shares (`/c/{slug}/manage/`, `/me/`, `/apply/`, `/admin/`,
`/expert/`): running a page's GraphQL document as the browser session's user, reading a form
once its CSRF value is the browser's own, and turning a mutation's answer into the refusals
shown beside each field, or into the page a refusal of the whole request gets (sign in, 403,
404).

Each form posts to a route that runs ONE mutation, then redirects (post/redirect/get, with
`?done=` naming one of the workspace's fixed sentences) or shows the form again with each
`UserError` beside its field. The API decides what a POST may do; opening a page is decided by
the policy the API's services ask (`guard`), so a user without the right gets the 403 page,
not a page of buttons that would all be refused."""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

from server.access.guard import Actor, Guard
from server.accounts import tokens
from server.errors import AccessError, GongxueError, UserFacingError
from server.runtime import Runtime
from server.uploads import service as uploads
from server.web import sessions
from server.web.execution import Answer, Execute, PageFailed, document
from server.web.rendering import render

EncodeId = Callable[..., str]
DecodeId = Callable[[str, str], tuple[int, ...]]

# A list's order, as its filter form's 排序 choice names it (`?order=`), by the API's
# `newestFirst`: the lists page by keyset on the rows' ids, which follow the order they
# were made in, so these are the only two orders a list can be paged in.
OLDEST = "oldest"
NEWEST = "newest"
ORDERS = {OLDEST: "最早在前", NEWEST: "最新在前"}


def list_order(query: Mapping[str, str], default: str) -> str:
    """The order `?order=` chooses for a list, or the list's own (`default`) for none or a
    value that is not one of the two: every list page and its download read it here."""
    chosen = query.get("order", "")
    return chosen if chosen in ORDERS else default


@dataclass(frozen=True)
class Asked:
    """One list as a request asks for it: the page's GraphQL document and its variables
    (filters and order, `newestFirst` among them) for every page of it but the cursor, and
    the filters as the page's form and pager carry them on (`?name=value`)."""

    document: str
    variables: Mapping[str, Any]
    filters: Mapping[str, str]

    def page(self, after: str | None) -> dict[str, Any]:
        return {**self.variables, "after": after}


@dataclass(frozen=True)
class Posted:
    """A form as posted: its text fields and its files (name, bytes) by field."""

    actor: Actor
    fields: dict[str, str]
    files: dict[str, tuple[str, bytes]]

    def text(self, name: str) -> str:
        return self.fields.get(name, "")


class Refusal(Exception):
    """Files of a form the upload service (or the form's accepted types) refused, by form
    field: nothing of the form is kept."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(sorted(errors))
        self.errors = errors


@dataclass(frozen=True)
class Accepted:
    """The types of file a form takes (content types as the upload service identifies them),
    and the sentence beside a field whose file is of another."""

    types: Collection[str]
    refused: str


class Workspace:
    """One role's workspace: its pages and forms over `execute`."""

    # The API's names for the fields its refusals point at, as this workspace's forms name
    # them; "" for what no form field holds (the summary at the top shows it).
    form_fields: ClassVar[dict[str, str]] = {}
    # What the page a finished action returns to says, by the name `?done=` gives: fixed
    # sentences, so a link cannot make the page say anything else.
    done_sentences: ClassVar[Mapping[str, str]] = {}
    # A form carries at most this many files besides its text.
    most_files: ClassVar[int] = 2
    most_fields: ClassVar[int] = 200

    def __init__(
        self, runtime: Runtime, execute: Execute, encode_id: EncodeId, decode_id: DecodeId
    ) -> None:
        self.runtime = runtime
        self.execute = execute
        self.encode_id = encode_id
        self.decode_id = decode_id

    def home(self, request: Request) -> str:
        """The workspace's first page: where signing in returns after a POST."""
        raise NotImplementedError

    async def run(self, name: str, request: Request, variables: Mapping[str, Any]) -> Answer:
        return await self.execute(document(name), variables, request)

    def actor(self, request: HTTPConnection) -> Actor | None:
        """The browser session's user, if its token is still good (a page's request, or the
        header's websocket)."""
        token = sessions.session_token(request)
        if token is None:
            return None
        try:
            claims = tokens.read(self.runtime.settings.secret_key.get_secret_value(), token)
        except AccessError:
            return None
        if not self.runtime.revocations.is_live(claims):
            return None
        return Actor(claims.user_id, claims)

    def done(self, request: Request) -> str | None:
        """The sentence the page's `?done=` names, if it names one of this workspace's."""
        return self.done_sentences.get(request.query_params.get("done", ""))

    def guard(self, actor: Actor) -> Guard:
        return Guard(self.runtime.policy, actor)

    async def posted(self, request: Request) -> Posted | Response:
        """The form, once its CSRF value is the browser's own and somebody is signed in."""
        async with request.form(max_files=self.most_files, max_fields=self.most_fields) as form:
            if sessions.csrf_refused(request, text_of(form, sessions.CSRF_FIELD)):
                return render(request, self.runtime.settings, "public/forbidden.html", 403)
            actor = self.actor(request)
            if actor is None:
                return self.to_login(request)
            fields = {name: value for name, value in form.items() if isinstance(value, str)}
            files = {}
            for name, value in form.items():
                # A file input left empty still sends a part, with no name and no bytes.
                if isinstance(value, UploadFile) and value.filename:
                    data = await value.read(uploads.MAX_BYTES + 1)
                    if data:
                        files[name] = (value.filename, data)
        return Posted(actor, fields, files)

    def refusals(
        self, request: Request, answer: Answer, mutation: str
    ) -> dict[str, str] | Response:
        """The mutation's refusals by form field (none: it was done); or the page a refusal
        of the whole request gets (sign in, 403, 404)."""
        codes = answer.codes()
        if "UNAUTHENTICATED" in codes:
            return self.to_login(request)
        if "FORBIDDEN" in codes:
            return self.forbidden(request)
        payload = (answer.data or {}).get(mutation)
        if payload is None:
            if "NOT_FOUND" in codes:
                return self.not_found(request)
            if "INVALID_INPUT" in codes:
                # Input the schema refuses before the mutation runs (a title over its limit).
                return {"": str(answer.errors[0].get("message", ""))}
            raise PageFailed(answer)
        errors: dict[str, str] = {}
        for error in payload["errors"]:
            field = error["field"] or ""
            errors.setdefault(self.form_fields.get(field, field), error["message"])
        return errors

    async def keep_files(self, posted: Posted, accepted: Accepted | None = None) -> dict[str, str]:
        """The form's files, kept by the upload service `POST /uploads` uses (with its checks:
        a file that is what it claims, the size cap, the daily quota), as upload ids by field.
        All are kept in one transaction of their own or, when any is refused (by the service
        or, if given, by `accepted`), none (`Refusal`, each refusal by its field)."""
        if not posted.files:
            return {}
        kept: dict[str, str] = {}
        refused: dict[str, str] = {}
        try:
            async with self.runtime.database.transaction() as session:
                for field, (name, data) in posted.files.items():
                    try:
                        upload = await uploads.store(
                            session,
                            self.runtime.settings,
                            posted.actor.user_id,
                            quote(name, safe=""),
                            data,
                        )
                    except UserFacingError as error:
                        refused[field] = error.message("zh")
                        continue
                    if accepted is not None and upload.content_type not in accepted.types:
                        refused[field] = accepted.refused
                        continue
                    kept[field] = self.encode_id("Upload", upload.id)
                if refused:
                    raise Refusal(refused)  # rolls back the files kept before it
        except GongxueError as error:  # the quota's lock or count failing as a refusal
            raise Refusal({next(iter(posted.files)): error.message("zh")}) from None
        return kept

    def render(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        return render(request, self.runtime.settings, template, status, **values)

    def forbidden(self, request: Request) -> Response:
        return self.render(request, "manage/forbidden.html", 403)

    def not_found(self, request: Request) -> Response:
        return self.render(request, "public/not_found.html", 404)

    def to_login(self, request: Request) -> Response:
        # After signing in the browser GETs: a POST returns to the workspace's first page.
        back = request.url.path if request.method == "GET" else self.home(request)
        return RedirectResponse(f"/login?next={quote(back, safe='/')}", status_code=303)


def text_of(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def back(path: str, done: str | None, **extra: str) -> Response:
    """The page a finished action returns to, `?done=` naming what happened."""
    query = [f"done={done}"] if done else []
    query += [f"{name}={quote(value, safe='')}" for name, value in extra.items()]
    anchor = ""
    if "#" in path:
        path, anchor = path.split("#", 1)
        anchor = "#" + anchor
    return RedirectResponse(path + ("?" + "&".join(query) if query else "") + anchor, 303)
