"""What a sub-platform's news and profile must be, and what their Markdown becomes: plain
functions, no database (`make mutants` runs this file for `server/news/rules.py` and
`server/markdown.py`)."""

import pytest

from server.errors import ErrorCode, UserFacingError
from server.markdown import image_sources, rendered
from server.news import rules
from server.vocabulary import NewsStatus


def _refusal(error: UserFacingError | None) -> tuple[ErrorCode, str | None] | None:
    return None if error is None else (error.code, error.field)


@pytest.mark.parametrize(
    ("title", "body", "refused"),
    [
        ("社区学习周", "正文", None),
        ("", "正文", (ErrorCode.INVALID_INPUT, "title")),
        (" \n\t", "正文", (ErrorCode.INVALID_INPUT, "title")),
        ("社区学习周", "", (ErrorCode.INVALID_INPUT, "body")),
        ("社区学习周", "   \n", (ErrorCode.INVALID_INPUT, "body")),
        ("", "", (ErrorCode.INVALID_INPUT, "title")),
    ],
)
def test_a_news_item_needs_a_title_and_a_body(title, body, refused):
    assert _refusal(rules.written_error(title, body)) == refused


@pytest.mark.parametrize(
    ("content_type", "refused"),
    [
        ("image/png", False),
        ("image/jpeg", False),
        ("application/pdf", True),
        ("text/csv", True),
        ("image/svg+xml", True),
    ],
)
def test_a_picture_is_a_png_or_jpeg(content_type, refused):
    error = rules.image_error(content_type, "coverUploadId")
    assert _refusal(error) == ((ErrorCode.INVALID_INPUT, "coverUploadId") if refused else None)


@pytest.mark.parametrize(
    ("colour", "stored"),
    [("#1a5fb4", "#1a5fb4"), ("#1A5FB4", "#1a5fb4"), ("#000000", "#000000")],
)
def test_a_colour_is_kept_as_lower_case_hex(colour, stored):
    assert rules.colour_of(colour) == stored


@pytest.mark.parametrize(
    "colour", ["red", "#1a5fb", "#1a5fb4f", "1a5fb4", "#1a5fbg", " #1a5fb4", "#1a5fb4\n"]
)
def test_anything_but_a_six_digit_hex_colour_is_refused(colour):
    with pytest.raises(UserFacingError) as refused:
        rules.colour_of(colour)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "colour")


@pytest.mark.parametrize(
    ("status", "to", "refused"),
    [
        (NewsStatus.DRAFT, NewsStatus.PUBLISHED, None),
        (NewsStatus.PUBLISHED, NewsStatus.DRAFT, None),
        (NewsStatus.PUBLISHED, NewsStatus.PUBLISHED, "the news item is already published"),
        (NewsStatus.DRAFT, NewsStatus.DRAFT, "the news item is not published"),
    ],
)
def test_publishing_and_taking_back_change_the_state(status, to, refused):
    error = rules.transition_error(status, to)
    if refused is None:
        assert error is None
    else:
        assert error is not None and error.code is ErrorCode.INVALID_TRANSITION
        assert error.message("en") == refused


def test_pictures_of_a_text_are_the_platforms_uploads():
    sources = ["/uploads/VXBsb2FkOjE", "/uploads/VXBsb2FkOjI"]
    assert rules.uploaded_pictures(sources, "body") == ["VXBsb2FkOjE", "VXBsb2FkOjI"]
    assert rules.uploaded_pictures([], "body") == []


@pytest.mark.parametrize(
    "source",
    [
        "https://example.com/a.png",
        "//example.com/uploads/VXBsb2FkOjE",
        "/uploads/VXBsb2FkOjE/../x",
        "/uploads/",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_a_picture_from_anywhere_else_is_refused(source):
    with pytest.raises(UserFacingError) as refused:
        rules.uploaded_pictures(["/uploads/VXBsb2FkOjE", source], "intro")
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "intro")


def test_markdown_is_rendered():
    html = rendered("## 简介\n\n**老年**教育，*社区*学习\n\n- 一\n- 二\n\n[官网](https://a.cn)")
    assert "<h2>简介</h2>" in html
    assert "<strong>老年</strong>" in html and "<em>社区</em>" in html
    assert "<ul>\n<li>一</li>" in html
    assert '<a href="https://a.cn" rel="noopener noreferrer">官网</a>' in html


@pytest.mark.parametrize(
    ("written", "never"),
    [
        ("<script>alert(1)</script>", ["<script", "alert(1)"]),
        ("<style>body{display:none}</style>", ["<style", "display:none"]),
        ('<img src="/uploads/VXBsb2FkOjE" onerror="alert(1)">', ["onerror", "alert"]),
        ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
        ("[x](javascript:alert(1))", ["href"]),
        ('<p onclick="steal()">x</p>', ["onclick", "steal"]),
        ('<iframe src="https://evil.example"></iframe>', ["<iframe", "evil"]),
        ("![x](https://evil.example/a.png)", ["evil.example", "<img src"]),
        ('<img src="https://evil.example/a.png">', ["evil.example", "<img src"]),
    ],
)
def test_what_could_run_or_load_from_elsewhere_never_survives(written, never):
    html = rendered(f"前文\n\n{written}\n\n后文")
    for fragment in never:
        assert fragment not in html, html


def test_a_picture_from_the_platform_is_shown():
    assert rendered("![合影](/uploads/VXBsb2FkOjE)") == (
        '<p><img src="/uploads/VXBsb2FkOjE" alt="合影"></p>\n'
    )


def test_the_pictures_a_text_shows_are_found_in_order():
    text = "![a](/uploads/A1)\n\n文字 ![b](https://x.cn/b.png) 和 [链接](/uploads/C3)\n\n![c](/uploads/C2)"
    assert image_sources(text) == ["/uploads/A1", "https://x.cn/b.png", "/uploads/C2"]
