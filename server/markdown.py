"""What leaders write for the public (news, a community's introduction) is Markdown, shown as
HTML on the sub-platforms. It is rendered by markdown-it (CommonMark) and the
result sanitised by ammonia (nh3): whatever the text holds, no script, event handler or
`javascript:` URL reaches a reader, and an image shows only when it is one of the platform's
own uploads (`/uploads/{id}`), which the platform decides to publish with the text."""

import re

import nh3
from markdown_it import MarkdownIt

# An upload as a page names it: `GET /uploads/{id}`, the id a base64url global id.
UPLOAD_PATH = re.compile(r"^/uploads/([A-Za-z0-9_-]{1,200})$")

TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
SCHEMES = {"http", "https", "mailto"}

# Raw HTML passes to the sanitiser, which keeps only the tags and attributes above: a
# `<script>` goes with its content, an `onerror=` with its value.
_parser = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def _kept(tag: str, attribute: str, value: str) -> str | None:
    """Images only from the platform's uploads; anything else keeps ammonia's verdict."""
    if tag == "img" and attribute == "src" and not UPLOAD_PATH.match(value):
        return None
    return value


def rendered(text: str) -> str:
    """The HTML readers see for `text`: rendered, then sanitised."""
    return nh3.clean(
        _parser.render(text),
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        attribute_filter=_kept,
        url_schemes=SCHEMES,
    )


def image_sources(text: str) -> list[str]:
    """Every image `text` shows, as written (`![alt](src)`), in order."""
    sources: list[str] = []
    for token in _parser.parse(text):
        for child in token.children or ():
            if child.type == "image":
                sources.append(str(child.attrGet("src") or ""))
    return sources
