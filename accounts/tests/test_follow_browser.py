"""The follow button in headless Chromium: the count changes without a reload."""

import shutil

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connection
from django.test.testcases import LiveServerThread

from accounts.models import Contact

from .factories import PASSWORD, UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def site_url():
    """The site served from a thread for this test only (pytest-django's
    live_server lives for the whole session); stopping it closes its connections."""
    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()  # closes the thread's database connections too


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_follow_button_updates_the_count_without_reloading(site_url, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls below
    # are still plain synchronous queries (Django's documented escape hatch).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    ann = UserFactory(username="ann", email="ann@example.com")
    bob = UserFactory(username="bob", email="bob@example.com")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{site_url}/account/login/")
            page.fill("#id_username", "BOB@example.com")
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{site_url}/account/")

            page.goto(f"{site_url}/people/ann/")
            marker = page.evaluate("performance.timeOrigin")
            count = page.locator("[data-followers-count]")
            button = page.locator("form[data-follow-form] button")
            assert count.inner_text() == "0"
            button.click()
            expect(count).to_have_text("1")  # polls without eval (CSP forbids it)
            expect(button).to_have_text("Unfollow")
            assert Contact.objects.filter(user_from=bob, user_to=ann).exists()

            button.click()
            expect(count).to_have_text("0")
            expect(button).to_have_text("Follow")
            assert page.evaluate("performance.timeOrigin") == marker  # same document
            assert not Contact.objects.exists()
        finally:
            browser.close()
            # Inside Playwright's loop the ORM used a connection of its own context.
            connection.close()
