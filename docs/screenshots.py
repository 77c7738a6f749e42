"""The README's screenshots: the main platform and a sub-platform, and each role's workspace
signed in as the demo's user of that role (`gongxue demo` prints their sign-ins), at a
desktop's and a phone's width, shot from a running demo by Debian's chromium through
Playwright.

    python docs/screenshots.py [URL] [--slug SLUG]

URL is the running demo (default http://127.0.0.1:8000, as `make run` serves it); the PNGs go
to docs/screenshots/. Each is the page's first screen (900 px high), not the whole page, and
is kept small in 256 colours: text and flat colours lose nothing a reader would see."""

import argparse
from io import BytesIO
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import BrowserContext, Page, sync_playwright

from server.demo.load import DEMO_DOMAIN, DEMO_PASSWORD
from server.web.sessions import SESSION_COOKIE

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
# Each workspace, by the demo user who opens it (the part of the email before the domain) and
# its path; `{slug}` is the community shown (the demo's community with a deputy and a member).
# The leader shown is the one whose community owes an overdue report (Art. 18(4)), so the
# standing at the top of the dashboard shows what a leader is told to do.
LEADING = "chengyu-county-governance"
WORKSPACES = {
    "leader": (f"leader.{LEADING}", f"/c/{LEADING}/manage/"),
    "member": ("member.{slug}", "/me/"),
    "applicant": ("applicant", "/apply/"),
    "project-group": ("admin", "/admin/"),
    "expert": ("expert", "/expert/"),
}
LOGIN = """mutation ($e: String!, $p: String!) {
  login(input: {email: $e, password: $p}) { token errors { message } } }"""


def token(url: str, email: str) -> str:
    """A session token for the demo user, as `/login` would put in the browser's cookie."""
    body = {"query": LOGIN, "variables": {"e": email, "p": DEMO_PASSWORD}}
    answer = httpx.post(url.rstrip("/") + "/graphql", json=body, timeout=30).json()
    login = answer["data"]["login"]
    if not login["token"]:
        raise SystemExit(f"{email} cannot sign in: {login['errors']}")
    return str(login["token"])


def keep(page: Page, url: str, path: str, target: Path) -> Path:
    """The page's first screen, in 256 colours."""
    answer = page.goto(url.rstrip("/") + path, wait_until="networkidle")
    if answer is None or answer.status != 200:
        status = answer.status if answer else "no answer"
        raise SystemExit(f"{url}{path}: {status}")
    png = page.screenshot(full_page=False)
    Image.open(BytesIO(png)).convert("RGB").quantize(256).save(target, optimize=True)
    return target


def sign_in(context: BrowserContext, url: str, token: str) -> None:
    context.clear_cookies()
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": url.rstrip("/") + "/"}])


def shoot(url: str, slug: str) -> list[Path]:
    pages = {"platform": "/", "sub-platform": f"/c/{slug}/"}
    OUT.mkdir(exist_ok=True)
    made: list[Path] = []
    tokens = {
        role: token(url, f"{user.format(slug=slug)}@{DEMO_DOMAIN}")
        for role, (user, _) in WORKSPACES.items()
    }
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
                made.append(keep(page, url, path, OUT / f"{name}-{device}.png"))
            for role, (_, path) in WORKSPACES.items():
                sign_in(context, url, tokens[role])
                target = OUT / f"workspace-{role}-{device}.png"
                made.append(keep(page, url, path.format(slug=slug), target))
            context.close()
        browser.close()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument(
        "--slug",
        default="yrd-county-elderly",
        help="the community whose sub-platform and leader's workspace are shown",
    )
    args = parser.parse_args()
    for made in shoot(args.url, args.slug):
        print(f"{made.relative_to(OUT.parent.parent)}  {made.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
