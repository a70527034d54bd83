"""Machinery for the browser journeys: page watching, axe-core checks, screenshots.

Journeys get pages from the fixtures in `conftest.py` (`page`, `browse`); the helpers
here are plain functions so a journey reads like what a person does:

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("…")
    assert_accessible(page, "home")
    screenshot(page, "home")
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Request, Route, expect

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# axe impacts that fail a journey; "minor" and "moderate" are reported, not fatal.
FAILING_IMPACTS = frozenset({"serious", "critical"})
VIEWPORT = {"width": 1280, "height": 800}


def origin(url: str) -> str:
    """scheme://host:port of `url`, the unit the outside-request guard compares."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return f"{parts.scheme}://{parts.hostname}:{port}"


@dataclass
class PageWatch:
    """Everything a page did that a visitor should never cause.

    Collects Content-Security-Policy violations (the browser reports each refused
    script, style, image or form on the console), other console errors, uncaught
    exceptions, failed requests, 5xx responses and requests to any origin not allowed
    (those are aborted before they leave the machine). The `page` fixture fails the
    test at teardown when `problems()` is not empty; call `assert_clean()` yourself
    to fail earlier, at the step at fault.
    """

    allowed_origins: set[str]
    csp_violations: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    _ignored: list[re.Pattern] = field(default_factory=list)

    def allow_origin(self, url: str) -> None:
        """Let the page load from another local server (fake Stripe, a test page)."""
        self.allowed_origins.add(origin(url))

    def ignore(self, pattern: str) -> None:
        """Accept console errors / failed requests matching `pattern` (a regex), e.g.
        the browser's own "status of 404" line when a journey opens a 404 on purpose,
        or the aborted request of a download. Never use it for outside requests."""
        self._ignored.append(re.compile(pattern))

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(f"{page.url}: {exc}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.route("**/*", self._guard)

    def _keep(self, message: str) -> bool:
        return not any(p.search(message) for p in self._ignored)

    def _on_console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url") or ""
            text = f"{where}: {message.text}"
            if not self._keep(text):
                return
            if "Content Security Policy" in text:
                self.csp_violations.append(text)
            else:
                self.console_errors.append(text)

    def _on_request_failed(self, request: Request) -> None:
        if origin(request.url) not in self.allowed_origins:
            return  # aborted by _guard, already recorded as an outside request
        if request.failure == "net::ERR_ABORTED":
            # The browser cancelled it: the page navigated away (e.g. the favicon
            # of a page left by a redirect) or it became a download. Not the site's.
            return
        text = f"{request.method} {request.url}: {request.failure}"
        if self._keep(text):
            self.failed_requests.append(text)

    def _on_response(self, response) -> None:
        if response.status >= 500:
            text = f"{response.request.method} {response.url}: HTTP {response.status}"
            if self._keep(text):
                self.server_errors.append(text)

    def _guard(self, route: Route, request: Request) -> None:
        if request.url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        elif request.url.startswith(("chrome:", "chrome-extension:")):
            route.continue_()  # the browser's own UI, e.g. its PDF viewer
        elif origin(request.url) in self.allowed_origins:
            route.continue_()
        else:
            self.outside_requests.append(f"{request.method} {request.url}")
            route.abort("blockedbyclient")

    def problems(self) -> list[str]:
        sections = [
            ("request to outside the site (blocked)", self.outside_requests),
            ("CSP violation", self.csp_violations),
            ("console error", self.console_errors),
            ("uncaught JavaScript error", self.page_errors),
            ("failed request", self.failed_requests),
            ("server error", self.server_errors),
        ]
        return [f"{label}: {item}" for label, items in sections for item in items]

    def take_problems(self) -> list[str]:
        """Return the problems so far and forget them (for tests of this machinery
        that provoke problems on purpose)."""
        problems = self.problems()
        for items in (
            self.outside_requests,
            self.csp_violations,
            self.console_errors,
            self.page_errors,
            self.failed_requests,
            self.server_errors,
        ):
            items.clear()
        return problems

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "The browser saw problems:\n  " + "\n  ".join(problems)


# --- axe-core ---


@cache
def _axe() -> Axe:
    return Axe()


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page as it is now; return its violations (all impacts)."""
    results = _axe().run(page)
    violations = results.response["violations"]
    logger.info(
        "axe %s: %s",
        page.url,
        ", ".join(f"{v['id']} ({v['impact']})" for v in violations) or "no violations",
    )
    return violations


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node.get('failureSummary', '')!r}")
    return "\n".join(lines)


def assert_accessible(page: Page, name: str) -> list[dict]:
    """Fail on any serious or critical axe-core violation on this page.

    Fix the template or CSS at fault, never the rule set. Returns every violation
    (minor and moderate included) so a journey can report them.
    """
    violations = axe_violations(page)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, (
        f"axe-core found serious/critical violations on {name} ({page.url}):\n"
        + format_violations(failing)
    )
    return violations


# --- screenshots ---


@cache
def screenshot_dir() -> Path:
    """docs/screenshots/ under `make screenshots` (E2E_SCREENSHOTS=1); otherwise a
    temporary directory, so `make test` never changes files in the git tree."""
    if os.environ.get("E2E_SCREENSHOTS") == "1":
        path = REPO_ROOT / "docs" / "screenshots"
        path.mkdir(parents=True, exist_ok=True)
    else:
        path = Path(tempfile.mkdtemp(prefix="e2e-screenshots-"))
    return path


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG `<name>.png` once the page's images have loaded."""
    assert_images_loaded(page)
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    logger.info("screenshot %s", path)
    return path


# --- what a person sees ---


def assert_images_loaded(page: Page) -> None:
    """Every <img> on the page has loaded and decoded (none broken)."""
    page.wait_for_load_state("load")
    broken = page.evaluate(
        """() => Array.from(document.images)
            .filter(img => img.loading !== "lazy" || img.getBoundingClientRect().top
                           < window.innerHeight)
            .filter(img => !img.complete || img.naturalWidth === 0)
            .map(img => img.currentSrc || img.src)"""
    )
    assert not broken, f"Images that did not load on {page.url}: {broken}"


def admin_login(page: Page, username: str, password: str) -> None:
    """Sign in through Wagtail's login form and wait for the dashboard."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
