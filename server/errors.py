"""Typed refusals raised by the domain. The GraphQL layer maps them: a `UserFacingError`
becomes a `UserError` in a mutation payload; an `AccessError` a top-level error with
`extensions.code`. Messages are Chinese first, English on request."""

import enum


class ErrorCode(enum.StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    TENANT_MISMATCH = "TENANT_MISMATCH"
    COMMUNITY_TOO_SMALL = "COMMUNITY_TOO_SMALL"
    COMMUNITY_FULL = "COMMUNITY_FULL"
    LEVEL_MISMATCH = "LEVEL_MISMATCH"
    LEADER_REQUIRED = "LEADER_REQUIRED"
    ALREADY_MEMBER = "ALREADY_MEMBER"
    NOT_ACTIVE_SITE = "NOT_ACTIVE_SITE"
    CALL_CLOSED = "CALL_CLOSED"
    DUPLICATE = "DUPLICATE"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    BRAND_LIMIT = "BRAND_LIMIT"
    CONFLICT_OF_INTEREST = "CONFLICT_OF_INTEREST"
    OVERPAYMENT = "OVERPAYMENT"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    RATE_LIMITED = "RATE_LIMITED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


class GongxueError(Exception):
    """A refusal with a code and a message in both languages."""

    def __init__(self, code: ErrorCode, zh: str, en: str, field: str | None = None) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en
        self.field = field

    def message(self, language: str) -> str:
        return self.en if language == "en" else self.zh


class UserFacingError(GongxueError):
    """Bad input or a broken rule: reported in the payload, nothing changed."""


class AccessError(GongxueError):
    """Not signed in, not allowed, not there, or the wrong tenant: a top-level error."""


def not_found(what_zh: str, what_en: str) -> AccessError:
    return AccessError(ErrorCode.NOT_FOUND, f"{what_zh}不存在", f"{what_en} not found")


def written_reason(
    reason: str, zh: str = "请填写书面退出理由", en: str = "a written reason is required"
) -> str:
    """The reason a decision needs in writing, trimmed; INVALID_INPUT when it is blank."""
    written = reason.strip()
    if not written:
        raise UserFacingError(ErrorCode.INVALID_INPUT, zh, en, "reason")
    return written
