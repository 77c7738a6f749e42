"""The name an upload is shown and downloaded under. It is only ever displayed: the file is
stored by its content hash, so nothing here reaches the file system."""

import unicodedata
from urllib.parse import unquote

from server.uploads.kinds import Kind

MAX_LENGTH = 200  # the column's width
FALLBACK = "upload"


def display_name(header: str | None, kind: Kind) -> str:
    """From the percent-encoded `X-Filename` header: the last path segment (`/` or `\\`),
    without control, format (bidi overrides, zero-width) or unassigned characters, capped, and
    ending in the extension of what the bytes are (`report.pdf.exe` is served as a PDF named
    `report.pdf.exe.pdf`)."""
    raw = unquote(header or "", errors="replace")
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(_shown(c) for c in base)
    name = " ".join(kept.split()).strip(" .") or FALLBACK
    stem, dot, suffix = name.rpartition(".")
    extension = f".{suffix.lower()}" if dot else ""
    if extension not in kind.extensions:
        stem, extension = name, kind.extension
    return stem[: MAX_LENGTH - len(extension)].rstrip(" .") + extension


def _shown(c: str) -> str:
    category = unicodedata.category(c)
    if category == "Zs":  # the ideographic space of a Chinese name included
        return " "
    return "" if category[0] == "C" or category in ("Zl", "Zp") else c
