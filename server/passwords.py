"""Passwords: hashed with argon2id (argon2-cffi's recommended parameters), and refused when
zxcvbn's guess estimate calls them weak ("aaaaaaaaaa" is ten characters and guessed at once)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from server.errors import ErrorCode, UserFacingError

_hasher = PasswordHasher()

MIN_LENGTH = 10
# zxcvbn's scale: 3 is "safely unguessable: moderate protection from an offline slow-hash
# scenario" (10^8 guesses and more).
MIN_STRENGTH = 3
# zxcvbn refuses longer input (its matching grows fast with length); a password strong over
# its first 72 characters is strong.
SCORED_LENGTH = 72


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def refuse_weak_password(password: str, *known: str) -> None:
    """INVALID_INPUT on `password` when it is short or easy to guess; `known`: what an
    attacker knows of the account (its email, its name), which makes a weak password."""
    if len(password) < MIN_LENGTH:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"密码至少需要 {MIN_LENGTH} 个字符",
            f"the password needs at least {MIN_LENGTH} characters",
            "password",
        )
    hints = [word for text in known for word in (text, *text.replace("@", " ").split()) if word]
    estimate = zxcvbn(password[:SCORED_LENGTH], user_inputs=hints)
    if estimate["score"] < MIN_STRENGTH:
        warning = estimate["feedback"]["warning"]
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            "密码太容易被猜到：请用几个不常见的词组成更长的密码，避免重复字符、常见密码和姓名邮箱",
            "the password is too easy to guess"
            + (f" ({warning.rstrip('.')})" if warning else "")
            + ": use a longer phrase of uncommon words",
            "password",
        )
