"""Smoke journey over the site's shell: the home page, the 404 page, the admin login.

The feature journeys (editor, reader, member, shopper, staff) build on the same
fixtures and helpers; each visits pages like a person and asserts what they see.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    admin_login,
    assert_accessible,
    assert_images_loaded,
    axe_violations,
    screenshot,
)

pytestmark = pytest.mark.e2e


def test_visitor_sees_the_home_page_with_its_hero(page, demo_site):
    response = page.goto("/")
    assert response.status == 200

    expect(page).to_have_title(re.compile(r"My Site$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stories, pictures and things we make"
    )
    expect(page.get_by_text("Read the blog, browse the community")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Home", "Blog", "Gallery", "Shop"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Home")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("link", name="Cart 0 items")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search the site")).to_be_visible()
    # The hero image is a Wagtail rendition served from MEDIA_ROOT by the site.
    hero = page.locator("img.hero-image")
    expect(hero).to_have_attribute("src", re.compile(r"^/media/images/"))
    assert_images_loaded(page)
    assert_accessible(page, "home")
    screenshot(page, "home")

    # A keyboard user's first Tab lands on the skip link, which becomes visible.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    skip.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_visitor_who_mistypes_an_address_gets_the_friendly_404(page, page_watch):
    # Chromium logs the document's own 404 status; that one is expected here.
    page_watch.ignore(r"status of 404")
    response = page.goto("/no-such-page/")
    assert response.status == 404

    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("Sorry, there is nothing at this address.")).to_be_visible()
    assert_accessible(page, "404")
    screenshot(page, "not-found")

    page.get_by_role("link", name="Go to the home page").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_admin_signs_in_and_reaches_the_dashboard(page, demo_site):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/"))
    expect(page.get_by_role("heading", name="Sign in to Wagtail")).to_be_visible()

    # A wrong password keeps the person on the form with an error, not a crash.
    page.get_by_label("Username").fill(demo_site.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Your username and password didn't match")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/login/"))

    admin_login(page, demo_site.username, demo_site.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("My Site")
    expect(
        page.get_by_role("link", name=re.compile(r"\d+ Pages? created in"))
    ).to_be_visible()

    # Wagtail's admin is not ours to fix: its axe results are reported, not asserted.
    axe_violations(page)
    screenshot(page, "admin")


PHONE = {"width": 375, "height": 812}  # the narrowest phone we design for


def page_width(page) -> int:
    """How wide the laid-out page is: wider than the screen means sideways scroll."""
    return page.evaluate("document.documentElement.scrollWidth")


def test_phone_visitor_sees_the_whole_hero(browse, demo_site):
    page = browse.new_page(viewport=PHONE, is_mobile=True)
    page.goto("/")
    assert page_width(page) <= PHONE["width"]

    hero = page.locator(".hero").bounding_box()
    for element in (page.get_by_role("heading", level=1), page.locator(".hero-text p")):
        expect(element).to_be_visible()
        box = element.bounding_box()
        assert hero["y"] <= box["y"], "hero text is cut off at the top"
        assert box["y"] + box["height"] <= hero["y"] + hero["height"]
    expect(page.get_by_role("searchbox", name="Search the site")).to_be_in_viewport()
    assert_accessible(page, "home on a phone")


def test_phone_reader_of_a_post_with_long_code_lines_scrolls_the_code_not_the_page(
    browse, demo_site
):
    """A code block and a Markdown code fence with a 160-character line: the code
    scrolls sideways inside its box, the page stays as wide as the phone."""
    import datetime

    from blog.models import BlogIndexPage, BlogPage

    line = "result = compute(" + ", ".join(f"argument_{n}" for n in range(12)) + ")"
    assert len(line) > 150
    post = BlogPage(
        title="A long line of code",
        slug="a-long-line-of-code",
        intro="Code wider than a phone.",
        date=datetime.date(2026, 1, 5),
        body=[
            ("code", {"language": "python", "code": line}),
            ("markdown", f"Some text.\n\n```python\n{line}\n```\n"),
        ],
    )
    BlogIndexPage.objects.get(slug="blog").add_child(instance=post)
    post.save_revision().publish()

    page = browse.new_page(viewport=PHONE, is_mobile=True)
    page.goto("/blog/a-long-line-of-code/")
    expect(page.get_by_role("heading", level=1)).to_have_text("A long line of code")
    code_boxes = page.locator("article pre")
    expect(code_boxes).to_have_count(2)
    assert page_width(page) <= PHONE["width"]
    for box in code_boxes.all():
        expect(box).to_contain_text("argument_11")
        # The box itself is narrower than its content: it scrolls.
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")
        assert box.bounding_box()["width"] <= PHONE["width"]
    assert_accessible(page, "post with long code on a phone")
