import strawberry

from policies.permissions import Permission
from schema.accounts.types import User
from schema.core import ids
from schema.core.context import Context
from schema.core.errors import UserError, refusals
from schema.core.limits import limited
from schema.core.mutations import Attempt, mutation
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
    errors: list[UserError] = refusals()


@strawberry.type
class LoginPayload:
    token: str | None = None
    user: User | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class LogoutPayload:
    ok: bool
    errors: list[UserError] = refusals()


@strawberry.type
class CreateUserPayload:
    user: User | None = None
    errors: list[UserError] = refusals()


@strawberry.type
class DeactivateUserPayload:
    user: User | None = None
    errors: list[UserError] = refusals()


def _sign_in(context: Context, row: UserRow) -> tuple[str, User]:
    token, _ = tokens.issue(context.runtime.settings.secret_key.get_secret_value(), row.id)
    return token, User.of(row)


def _unit_id(value: strawberry.ID | None) -> int | None:
    return None if value is None else ids.decode_as(value, "Unit")[0]


@strawberry.type
class AccountMutations:
    @mutation(
        description="An applicant account; then sign in with `login`. At most "
        f"{REGISTRATIONS.times} attempts in {REGISTRATIONS.seconds // 60} minutes from one "
        "address (`RATE_LIMITED`); a weak password is `INVALID_INPUT`."
    )
    async def register(self, attempt: Attempt, input: RegisterInput) -> RegisterPayload:
        context = attempt.context
        async with attempt.transaction() as session:
            row = await service.register(
                session,
                context.runtime.redis,
                input.email,
                input.password,
                input.display_name,
                context.client,
                context.runtime.clock,
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
        return RegisterPayload()

    @mutation(description="Signs in; the token goes in `Authorization: Bearer`.")
    async def login(self, attempt: Attempt, input: LoginInput) -> LoginPayload:
        context = attempt.context
        async with attempt.transaction() as session:
            row = await service.authenticate(
                session,
                context.runtime.redis,
                input.email,
                input.password,
                context.client,
                context.runtime.clock,
            )
        token, user = _sign_in(context, row)
        return LoginPayload(token=token, user=user)

    @mutation(signed_in=True, description="Revokes the token in use, at once.")
    async def logout(self, attempt: Attempt, input: LogoutInput | None = None) -> LogoutPayload:
        await attempt.context.runtime.revocations.revoke(attempt.actor.claims)
        return LogoutPayload(ok=True)

    @mutation(Permission.USER_CREATE, description="Project group: an account for someone else.")
    async def create_user(self, attempt: Attempt, input: CreateUserInput) -> CreateUserPayload:
        async with attempt.transaction() as session:
            row = await access.create_account(
                session,
                attempt.guard,
                input.email,
                input.password,
                input.display_name,
                _unit_id(input.unit_id),
            )
        return CreateUserPayload(user=User.of(row))

    @mutation(
        Permission.USER_DEACTIVATE,
        description="Project group: ends an account and all its sign-ins.",
    )
    async def deactivate_user(
        self, attempt: Attempt, input: DeactivateUserInput
    ) -> DeactivateUserPayload:
        user_id = ids.decode_as(input.user_id, "User")[0]
        async with attempt.transaction() as session:
            row = await access.deactivate_account(session, attempt.guard, user_id)
        await attempt.context.runtime.revocations.revoke_all_of(user_id)
        return DeactivateUserPayload(user=User.of(row))
