"""The README's screenshots: the main platform and a sub-platform, at a desktop's and a phone's
width, shot from a running demo by Debian's chromium through Playwright.

    python docs/screenshots.py [URL] [--slug SLUG]

URL is the running demo (default http://127.0.0.1:8000, as `make run` serves it); the PNGs go
to docs/screenshots/. Each is the page's first screen (900 px high), not the whole page, and
is kept small in 256 colours: text and flat colours lose nothing a reader would see."""

import argparse
from io import BytesIO
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
# As tests/web/conftest.py launches it: the distribution's browser, never a downloaded one.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": 1280, "phone": 375}
HEIGHT = 900


def shoot(url: str, slug: str) -> list[Path]:
    pages = {"platform": "/", "sub-platform": f"/c/{slug}/"}
    OUT.mkdir(exist_ok=True)
    made: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for device, width in WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": HEIGHT},
                device_scale_factor=1,
                locale="zh-CN",
                is_mobile=device == "phone",
                has_touch=device == "phone",
            )
            page = context.new_page()
            for name, path in pages.items():
                answer = page.goto(url.rstrip("/") + path, wait_until="networkidle")
                if answer is None or answer.status != 200:
                    status = answer.status if answer else "no answer"
                    raise SystemExit(f"{url}{path}: {status}")
                png = page.screenshot(full_page=False)
                target = OUT / f"{name}-{device}.png"
                Image.open(BytesIO(png)).convert("RGB").quantize(256).save(target, optimize=True)
                made.append(target)
            context.close()
        browser.close()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument(
        "--slug", default="yrd-county-elderly", help="the community whose sub-platform is shown"
    )
    args = parser.parse_args()
    for made in shoot(args.url, args.slug):
        print(f"{made.relative_to(OUT.parent.parent)}  {made.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
