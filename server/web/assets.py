"""Static files served by gongxue itself, never from another host: each under a name that
carries a hash of its content, so a browser or a CDN keeps it for a year and a new version is
a new name."""

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

STATIC_DIR = Path(__file__).parent / "static"
FOREVER = "public, max-age=31536000, immutable"
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


@dataclass(frozen=True)
class Asset:
    path: Path
    url: str


class Assets:
    """The files under `root` with a served media type (licences and notes stay out)."""

    def __init__(self, root: Path, prefix: str = "/static/") -> None:
        self._root = root
        self._prefix = prefix

    @cached_property
    def _by_name(self) -> dict[str, Asset]:
        found = {}
        for path in sorted(self._root.rglob("*")):
            if path.suffix not in MEDIA_TYPES:
                continue
            name = path.relative_to(self._root).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            stem, dot, suffix = name.rpartition(".")
            found[name] = Asset(path, f"{self._prefix}{stem}.{digest}{dot}{suffix}")
        return found

    @cached_property
    def _by_url(self) -> dict[str, Asset]:
        return {asset.url: asset for asset in self._by_name.values()}

    def url(self, name: str) -> str:
        """The hashed URL of `name` (a path under the root): a KeyError for a file that is
        not there, so a template naming a missing file fails its first render."""
        return self._by_name[name].url

    async def serve(self, request: Request) -> Response:
        asset = self._by_url.get(request.url.path)
        if asset is None:  # an old hash, or no such file: never a stale file under a new name
            return PlainTextResponse("Not Found", 404)
        return FileResponse(
            asset.path,
            media_type=MEDIA_TYPES[asset.path.suffix],
            headers={"Cache-Control": FOREVER, "X-Content-Type-Options": "nosniff"},
        )


STATIC = Assets(STATIC_DIR)
