"""The follow button in Chromium: follow and unfollow change the count in place."""

from playwright.sync_api import expect

from accounts.models import Contact
from accounts.tests.factories import PASSWORD, UserFactory


def test_follow_button_updates_the_count_without_reloading(page):
    ann = UserFactory(username="ann", email="ann@example.com")
    bob = UserFactory(username="bob", email="bob@example.com")
    page.goto("/account/login/")
    page.get_by_label("Username or e-mail").fill("BOB@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/account/")

    page.goto("/people/ann/")
    marker = page.evaluate("performance.timeOrigin")
    count = page.locator("[data-followers-count]")
    button = page.locator("form[data-follow-form] button")
    expect(count).to_have_text("0")
    button.click()
    expect(count).to_have_text("1")
    expect(button).to_have_text("Unfollow")
    assert Contact.objects.filter(user_from=bob, user_to=ann).exists()

    button.click()
    expect(count).to_have_text("0")
    expect(button).to_have_text("Follow")
    assert page.evaluate("performance.timeOrigin") == marker  # same document
    assert not Contact.objects.exists()
