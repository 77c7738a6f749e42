import strawberry

from schema.accounts.types import User
from schema.core import ids
from schema.core.context import Info
from schema.core.errors import UserError
from schema.core.limits import limited
from schema.core.mutations import attempt
from server.access import service as access
from server.accounts import service, tokens
from server.accounts.models import User as UserRow
from server.accounts.rate_limit import REGISTRATIONS
from server.audit.service import record


@strawberry.input
class RegisterInput:
    email: str = limited(254)
    password: str
    display_name: str = limited(80)


@strawberry.input
class LoginInput:
    email: str = limited(254)
    password: str


@strawberry.input(description="Ends the sign-in whose token the request carries.")
class LogoutInput:
    client_mutation_id: str | None = None


@strawberry.input
class CreateUserInput:
    email: str = limited(254)
    password: str
    display_name: str = limited(80)
    unit_id: strawberry.ID | None = None


@strawberry.input
class DeactivateUserInput:
    user_id: strawberry.ID


_SIGN_IN_AFTER = "always null: sign in with `login` once registered"


@strawberry.type(
    description="No errors: the email has an account now, with this password if the account "
    "is new; an email already registered keeps its account and password, and the answer is "
    "the same, so nobody learns which emails are registered."
)
class RegisterPayload:
    token: str | None = strawberry.field(default=None, deprecation_reason=_SIGN_IN_AFTER)
    user: User | None = strawberry.field(default=None, deprecation_reason=_SIGN_IN_AFTER)
    errors: list[UserError]


@strawberry.type
class LoginPayload:
    token: str | None = None
    user: User | None = None
    errors: list[UserError]


@strawberry.type
class LogoutPayload:
    ok: bool
    errors: list[UserError]


@strawberry.type
class CreateUserPayload:
    user: User | None = None
    errors: list[UserError]


@strawberry.type
class DeactivateUserPayload:
    user: User | None = None
    errors: list[UserError]


def _sign_in(info: Info, row: UserRow) -> tuple[str, User]:
    token, _ = tokens.issue(info.context.runtime.settings.secret_key.get_secret_value(), row.id)
    return token, User.of(row)


def _unit_id(value: strawberry.ID | None) -> int | None:
    return None if value is None else ids.decode_as(value, "Unit")[0]


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="An applicant account; then sign in with `login`. At most "
        f"{REGISTRATIONS.times} attempts in {REGISTRATIONS.seconds // 60} minutes from one "
        "address (`RATE_LIMITED`); a weak password is `INVALID_INPUT`."
    )
    async def register(self, info: Info, input: RegisterInput) -> RegisterPayload:
        async def work() -> None:
            async with info.context.transaction() as session:
                row = await service.register(
                    session,
                    info.context.runtime.redis,
                    input.email,
                    input.password,
                    input.display_name,
                    info.context.client,
                    info.context.runtime.clock,
                )
                if row is not None:
                    await record(
                        session,
                        actor_user_id=row.id,
                        action="user.register",
                        target_type="User",
                        target_id=row.id,
                        after={"email": row.email, "displayName": row.display_name},
                    )

        _, errors = await attempt(info.context, work)
        return RegisterPayload(errors=errors)

    @strawberry.mutation(description="Signs in; the token goes in `Authorization: Bearer`.")
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        async def work() -> tuple[str, User]:
            async with info.context.transaction() as session:
                row = await service.authenticate(
                    session,
                    info.context.runtime.redis,
                    input.email,
                    input.password,
                    info.context.client,
                    info.context.runtime.clock,
                )
            return _sign_in(info, row)

        done, errors = await attempt(info.context, work)
        token, user = done or (None, None)
        return LoginPayload(token=token, user=user, errors=errors)

    @strawberry.mutation(description="Revokes the token in use, at once.")
    async def logout(self, info: Info, input: LogoutInput | None = None) -> LogoutPayload:
        actor = (await info.context.guard()).signed_in()
        await info.context.runtime.revocations.revoke(actor.claims)
        return LogoutPayload(ok=True, errors=[])

    @strawberry.mutation(description="Project group: an account for someone else.")
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserPayload:
        guard = await info.context.guard()

        async def work() -> User:
            async with info.context.transaction() as session:
                row = await access.create_account(
                    session,
                    guard,
                    input.email,
                    input.password,
                    input.display_name,
                    _unit_id(input.unit_id),
                )
            return User.of(row)

        user, errors = await attempt(info.context, work)
        return CreateUserPayload(user=user, errors=errors)

    @strawberry.mutation(description="Project group: ends an account and all its sign-ins.")
    async def deactivate_user(
        self, info: Info, input: DeactivateUserInput
    ) -> DeactivateUserPayload:
        guard = await info.context.guard()

        async def work() -> User:
            user_id = ids.decode_as(input.user_id, "User")[0]
            async with info.context.transaction() as session:
                row = await access.deactivate_account(session, guard, user_id)
            await info.context.runtime.revocations.revoke_all_of(user_id)
            return User.of(row)

        user, errors = await attempt(info.context, work)
        return DeactivateUserPayload(user=user, errors=errors)
