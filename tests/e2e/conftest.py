"""Fixtures for the browser journeys: headless Chromium against a live server.

- `browser` (session): Debian's Chromium driven by Playwright.
- `browse` (test): opens pages/contexts on the live server (`browse.new_page()` for a
  second visitor) and fails the test at teardown when any page logged a console
  error, threw, had a failed request or a 5xx, or tried to load anything from outside
  the site. `browse.allow_origin(url)` lets pages reach another local server.
- `page` (test): the first visitor's page, `base_url` = the live server, so
  `page.goto("/shop/")` works. `page_watch` is its `PageWatch`.
- `demo_site` (test): `manage.py load_demo` with a known admin password.
- `local_pages` (test): serves pages of your own on another loopback port (e.g. a
  page with images for the bookmarklet); `local_pages.add("/p.html", html)` returns
  its URL, already allowed for the test's pages.

The live server is pytest-django's (a threaded WSGI server on 127.0.0.1, serving static
files; media through our SERVE_MEDIA route) on the real PostgreSQL and Redis. Request
`celery_worker` (root conftest) in a journey that needs tasks to run.
"""

import http.server
import io
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from .helpers import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, PageWatch, origin

# The live server listens on IPv4 loopback: one unambiguous origin for the guard.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

ADMIN_PASSWORD = "e2e-Admin-pass-42"


def pytest_collection_modifyitems(items):
    """Every test in tests/e2e/ is an e2e journey (`-m e2e` / `-m "not e2e"`)."""
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.e2e)


def pytest_collect_file(file_path, parent):
    """Without Chromium, skip the whole e2e directory: one line in the summary.

    (A skip raised while importing a conftest is an error, not a skip; raised while
    collecting this directory's first journey file, it skips the directory.)"""
    if file_path.name.startswith("test_") and not CHROMIUM.exists():
        pytest.skip(
            f"e2e journeys need {CHROMIUM}: install it with `apt-get install -y "
            "chromium` as root (`make test` does when it can)"
        )


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """Chromium for one journey module (a browser context per visitor keeps tests
    apart); launching it takes well under a second.

    While Playwright's sync API runs, an asyncio loop is running in the test thread,
    so Django refuses ORM calls (SynchronousOnlyOperation) in test bodies and in the
    database fixtures; they are safe here (the test thread only), hence
    DJANGO_ALLOW_ASYNC_UNSAFE. Both end with the module, so the tests after the
    journeys run as usual (and subprocesses they start don't inherit the variable).

    Playwright also leaves the test thread in another contextvars context, where
    Django opens new connection objects. Test database set-up stored the data that
    serialized rollback restores (the Wagtail site tree) on the old ones: carry it
    over, or every journey after the first would find an empty site.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all(initialized_only=True)
        if hasattr(connection, "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class Browse:
    """Opens watched pages on the live server; one browser context per visitor."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.allowed_origins = {origin(base_url)}
        self.watches: dict[object, PageWatch] = {}  # page -> its watch
        self.contexts = []

    def allow_origin(self, url: str) -> None:
        """Allow another loopback server for every page, open or still to come."""
        self.allowed_origins.add(origin(url))

    def new_page(self, **context_options):
        """A fresh visitor (own cookies and storage) with a watched page."""
        options = {"base_url": self.base_url, "viewport": VIEWPORT, "locale": "en-GB"}
        context = self.browser.new_context(**(options | context_options))
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        # Shares the set, so allow_origin() later reaches this page too.
        watch = PageWatch(allowed_origins=self.allowed_origins)
        watch.attach(page)
        self.watches[page] = watch
        return page

    def watch_of(self, page) -> PageWatch:
        return self.watches[page]

    def close(self) -> list[str]:
        for context in self.contexts:
            context.close()
        return [
            problem for watch in self.watches.values() for problem in watch.problems()
        ]


@pytest.fixture
def browse(browser, live_server, django_db_serialized_rollback) -> Iterator[Browse]:
    """live_server makes the test transactional; serialized rollback restores the
    Wagtail site tree that migrations created for the tests that run after it."""
    browse = Browse(browser, live_server.url)
    yield browse
    problems = browse.close()
    if problems:
        pytest.fail(
            "The browser saw problems:\n  " + "\n  ".join(problems), pytrace=False
        )


@pytest.fixture
def page(browse):
    return browse.new_page()


@pytest.fixture
def page_watch(page, browse) -> PageWatch:
    return browse.watch_of(page)


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


@pytest.fixture
def demo_site(browse, monkeypatch, settings, tmp_path) -> Credentials:
    """The demo content of every app (`manage.py load_demo`), admin password known.

    BASE_DIR points at tmp_path so the password file is not written into .local/.
    """
    from django.core.management import call_command

    monkeypatch.setenv("ADMIN_PASSWORD", ADMIN_PASSWORD)
    settings.BASE_DIR = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    return Credentials("admin", ADMIN_PASSWORD)


class LocalPages:
    """A second web site on loopback (another origin than the live server)."""

    def __init__(self, browse: Browse):
        self.pages: dict[str, tuple[str, bytes]] = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                content_type, body = pages.get(self.path, ("text/plain", b""))
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):  # noqa: A002 - quiet in tests
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        browse.allow_origin(self.url)

    def add(self, path: str, body: str | bytes, content_type: str = "text/html") -> str:
        data = body.encode() if isinstance(body, str) else body
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        self.pages[path] = (content_type, data)
        return self.url + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_pages(browse) -> Iterator[LocalPages]:
    pages = LocalPages(browse)
    yield pages
    pages.close()
