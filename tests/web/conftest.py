"""A real browser on the real server: `gongxue serve` on this run's PostgreSQL and Redis, and
Debian's chromium driven by Playwright (its driver comes in the wheel; the browser is never
downloaded: `.ci/run` installs the distribution's)."""

from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.cli import serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def server(services, settings) -> Iterator[str]:
    """One server for a module's tests: each seeds communities under slugs of its own (the
    server remembers a slug's community once it has seen it)."""
    with serving(services, settings) as url:
        yield url


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


class Visit:
    """A browser tab on the server, noting every request it makes and every error the page
    reports (a blocked script or style shows up as one)."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.requested: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requested.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def foreign(self) -> list[str]:
        return [u for u in self.requested if not u.startswith(self.base + "/")]


@pytest.fixture
async def visit(browser, server) -> AsyncIterator:
    opened = []

    async def open_tab(viewport: dict[str, int] = DESKTOP) -> Visit:
        context = await browser.new_context(viewport=viewport, locale="zh-CN")
        opened.append(context)
        return Visit(await context.new_page(), server)

    yield open_tab
    for context in opened:
        await context.close()
