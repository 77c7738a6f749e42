"""What a news item and a sub-platform's profile must be: text with something in it, an
image that is one, a colour a page can use, and a state changed only one way at a time."""

import re

from server.errors import ErrorCode, UserFacingError
from server.markdown import UPLOAD_PATH
from server.vocabulary import NewsStatus

# What a page shows as an image: PNG and JPEG, as `POST /uploads` decides by opening them.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def written_error(title: str, body: str) -> UserFacingError | None:
    """A news item needs a title and a body with more than blanks in them."""
    if not title.strip():
        return UserFacingError(
            ErrorCode.INVALID_INPUT, "请填写标题", "a title is required", "title"
        )
    if not body.strip():
        return UserFacingError(ErrorCode.INVALID_INPUT, "请填写正文", "a body is required", "body")
    return None


def image_error(content_type: str, field: str) -> UserFacingError | None:
    """A cover, a logo, a banner or a picture in a text is a PNG or JPEG upload."""
    if content_type in IMAGE_TYPES:
        return None
    return UserFacingError(
        ErrorCode.INVALID_INPUT,
        "图片须为 PNG 或 JPEG 格式的上传文件",
        "an image must be an uploaded PNG or JPEG",
        field,
    )


def colour_of(colour: str) -> str:
    """The sub-platform's colour, `#rrggbb`, as stored (lower case); INVALID_INPUT else."""
    if not COLOUR.fullmatch(colour):
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            "颜色须为 #rrggbb 格式的十六进制值",
            "the colour must be a hex value such as #1a5fb4",
            "colour",
        )
    return colour.lower()


def transition_error(status: NewsStatus, to: NewsStatus) -> UserFacingError | None:
    """Publishing a published item, or taking back a draft, changes nothing: refused."""
    if status is not to:
        return None
    if to is NewsStatus.PUBLISHED:
        return UserFacingError(
            ErrorCode.INVALID_TRANSITION, "该新闻已发布", "the news item is already published", "id"
        )
    return UserFacingError(
        ErrorCode.INVALID_TRANSITION, "该新闻尚未发布", "the news item is not published", "id"
    )


def uploaded_pictures(sources: list[str], field: str) -> list[str]:
    """The upload ids (as pages name them) of the pictures a text shows; INVALID_INPUT for a
    picture from anywhere else, which no reader would be shown."""
    found = [UPLOAD_PATH.match(source) for source in sources]
    if not all(found):
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            "图片须先上传到本平台（/uploads/…）",
            "pictures must be uploaded to this platform first (/uploads/…)",
            field,
        )
    return [match[1] for match in found if match]
