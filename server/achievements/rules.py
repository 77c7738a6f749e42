"""What an achievement must be (Art. 6b, 16(6)): written, with its authors, files and links
within bounds, and a course resource described by its subject, audience and format. Also who
reads one, by its visibility: one definition for the mutations, the reads and the uploads."""

from collections.abc import Sequence
from urllib.parse import urlsplit

from policies.permissions import Permission
from server.access.guard import Guard
from server.errors import ErrorCode, UserFacingError
from server.vocabulary import AchievementKind, Visibility

MOST_AUTHORS = 20
MOST_FILES = 10
MOST_LINKS = 10
AUTHOR_LENGTH = 100  # the column's
LINK_LENGTH = 500
COURSE_FIELD_LENGTH = 100  # subject, audience, format: the columns'
# The fields only a course resource has (16(6)), as the API names them.
COURSE_FIELDS = ("subject", "audience", "format")
COURSE_LABELS = {"subject": "学科/主题", "audience": "适用对象", "format": "形式"}


def required(value: str | None, field: str, zh: str, en: str) -> str:
    """The text trimmed; INVALID_INPUT naming `field` when it is blank."""
    written = (value or "").strip()
    if not written:
        raise UserFacingError(ErrorCode.INVALID_INPUT, zh, en, field)
    return written


def authors_of(authors: Sequence[str]) -> list[str]:
    """One to 20 named authors, each at most 100 characters, blanks dropped, kept in order."""
    named = list(dict.fromkeys(a.strip() for a in authors if a.strip()))
    if not named:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT, "请填写至少一位作者", "name at least one author", "authors"
        )
    if len(named) > MOST_AUTHORS:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"作者至多 {MOST_AUTHORS} 位",
            f"at most {MOST_AUTHORS} authors",
            "authors",
        )
    if any(len(a) > AUTHOR_LENGTH for a in named):
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"作者姓名至多 {AUTHOR_LENGTH} 个字符",
            f"an author's name has at most {AUTHOR_LENGTH} characters",
            "authors",
        )
    return named


def files_error(upload_ids: Sequence[object]) -> UserFacingError | None:
    if len(set(upload_ids)) > MOST_FILES:
        return UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"附件至多 {MOST_FILES} 个",
            f"at most {MOST_FILES} files",
            "uploadIds",
        )
    return None


def links_of(links: Sequence[str]) -> list[str]:
    """At most 10 http(s) URLs, each at most 500 characters: a page shows them as links, so
    nothing else (a `javascript:` URL above all) may be one."""
    written = list(dict.fromkeys(link.strip() for link in links if link.strip()))
    if len(written) > MOST_LINKS:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"链接至多 {MOST_LINKS} 个",
            f"at most {MOST_LINKS} links",
            "links",
        )
    for link in written:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > LINK_LENGTH:
            raise UserFacingError(
                ErrorCode.INVALID_INPUT,
                "链接须为 http:// 或 https:// 开头的网址",
                "a link must be an http:// or https:// URL",
                "links",
            )
    return written


def course_fields(kind: AchievementKind, given: dict[str, str | None]) -> dict[str, str | None]:
    """A course resource (16(6)) names its subject, audience and format; another kind of
    achievement has none of them."""
    if kind is not AchievementKind.COURSE_RESOURCE:
        for name in COURSE_FIELDS:
            if (given.get(name) or "").strip():
                raise UserFacingError(
                    ErrorCode.INVALID_INPUT,
                    f"只有课程资源填写{COURSE_LABELS[name]}",
                    f"only a course resource has a {name}",
                    name,
                )
        return dict.fromkeys(COURSE_FIELDS)
    written: dict[str, str | None] = {}
    for name in COURSE_FIELDS:
        value = required(
            given.get(name),
            name,
            f"课程资源须填写{COURSE_LABELS[name]}",
            f"a course resource needs its {name}",
        )
        if len(value) > COURSE_FIELD_LENGTH:
            raise UserFacingError(
                ErrorCode.INVALID_INPUT,
                f"{COURSE_LABELS[name]}至多 {COURSE_FIELD_LENGTH} 个字符",
                f"the {name} has at most {COURSE_FIELD_LENGTH} characters",
                name,
            )
        written[name] = value
    return written


def reads_shared(guard: Guard) -> bool:
    """Whether the reader may read achievements shared with all communities: whoever holds a
    role in some community, the experts and the project group."""
    permission = Permission.SHARED_ACHIEVEMENT_READ
    return guard.allows(permission) or bool(guard.communities(permission))


def may_read(guard: Guard, community_id: int, visibility: Visibility) -> bool:
    """A public achievement is everyone's; a shared one every community's; the others are
    read by the community's members, its assigned experts and the project group."""
    if visibility is Visibility.PUBLIC:
        return True
    if visibility is Visibility.ALL_COMMUNITIES and reads_shared(guard):
        return True
    return guard.allows(Permission.TENANT_READ, community_id)
