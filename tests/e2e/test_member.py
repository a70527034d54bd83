"""Journey 6, the member: registers, logs back in, adds a photo, bookmarks an image
from another site with the bookmarklet, likes it, follows someone and scrolls the
gallery.

The "other site" is `local_pages` (a second loopback server). The gallery downloads
the picked image through its hardened fetcher, which refuses loopback addresses
unless GALLERY_FETCH_ALLOW_LOOPBACK_PORTS lists the port: the journey lists exactly
the local server's (the live server runs in this process and sees the override).
"""

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from .helpers import (
    VIEWPORT,
    PageWatch,
    assert_accessible,
    assert_images_loaded,
    screenshot,
)

pytestmark = pytest.mark.e2e

PASSWORD = "Tulip-Lantern-93"


def png(size: tuple[int, int], colour: tuple[int, int, int], text: str = "") -> bytes:
    """A PNG drawn by Pillow: a filled rectangle with a contrasting disc."""
    picture = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(picture)
    width, height = size
    draw.ellipse(
        [width // 4, height // 4, 3 * width // 4, 3 * height // 4], fill=(255, 255, 255)
    )
    if text:
        draw.text((width // 2, height // 2), text, fill=colour, anchor="mm")
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def images_loaded(page) -> None:
    """`assert_images_loaded` once lazy images already in view had time to arrive
    (the load event does not wait for them)."""
    page.wait_for_function(
        """() => Array.from(document.images)
            .filter(img => img.getBoundingClientRect().top < window.innerHeight)
            .every(img => img.complete)"""
    )
    assert_images_loaded(page)


def watch_popup(browse, popup) -> PageWatch:
    """Watch a window the page opened itself (`browse` watches the pages it opens).

    Attached once the popup exists, so its first document request escapes the
    outside-request guard; the journey checks that URL itself."""
    watch = PageWatch(allowed_origins=browse.allowed_origins)
    watch.attach(popup)
    browse.watches[popup] = watch
    return watch


@pytest.fixture
def no_view_counts():
    """View counters live in Redis, which the test database's rollback does not
    reset: start without any, so the new bookmark's count is known."""
    from gallery import counters

    counters.clear()


def test_member_bookmarks_an_image_likes_it_follows_and_scrolls(
    page, browse, no_view_counts, demo_site, local_pages, settings
):
    settings.GALLERY_FETCH_ALLOW_LOOPBACK_PORTS = [local_pages.server.server_port]
    site = browse.base_url

    # --- Registers ---
    page.goto("/account/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    assert_accessible(page, "register")
    page.get_by_label("Username").fill("mia")
    page.get_by_label("First name").fill("Mia")
    page.get_by_label("Last name").fill("Moreau")
    page.get_by_label("E-mail").fill("mia.moreau@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(f"{site}/account/")
    expect(
        page.get_by_text("Welcome, Mia: your account has been created.")
    ).to_be_visible()

    # --- Logs out (the header's button posts) ---
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have been logged out.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    # --- Logs in with the e-mail address in upper case ---
    page.get_by_role("banner").get_by_role("link", name="Log in").click()
    expect(page).to_have_url(f"{site}/account/login/")
    assert_accessible(page, "login")
    page.get_by_label("Username or e-mail").fill("MIA.MOREAU@EXAMPLE.COM")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{site}/account/")
    expect(page.get_by_text("Welcome back, Mia.")).to_be_visible()
    expect(
        page.get_by_role("banner").get_by_role("link", name="Mia", exact=True)
    ).to_be_visible()

    # --- Edits the profile with a photo ---
    page.get_by_role("link", name="Edit your profile").click()
    expect(page).to_have_url(f"{site}/account/edit/")
    assert_accessible(page, "profile edit")
    page.get_by_label("Photo").set_input_files(
        files=[
            {
                "name": "mia.png",
                "mimeType": "image/png",
                "buffer": png((300, 300), (40, 90, 160), "M"),
            }
        ]
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your profile has been updated.")).to_be_visible()
    page.get_by_role("link", name="See your member page").click()
    expect(page).to_have_url(f"{site}/people/mia/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mia Moreau")
    avatar = page.locator(".member-header img.avatar")
    # The opaque PNG comes back re-encoded as a JPEG (metadata dropped).
    expect(avatar).to_have_attribute("src", re.compile(r"^/media/users/.+\.jpg$"))
    expect(avatar).to_have_js_property("naturalWidth", 300)
    images_loaded(page)
    assert_accessible(page, "own member page")

    # --- Reads how the bookmarklet works and takes its link ---
    page.get_by_role("link", name="Gallery", exact=True).click()
    page.get_by_role("link", name="Add images with the bookmarklet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Save images from any web site"
    )
    assert_accessible(page, "bookmarklet")
    bookmarklet = page.get_by_role("link", name="Bookmark it").get_attribute("href")
    assert bookmarklet.startswith("javascript:")

    # --- Opens another site with images and runs the bookmarklet there ---
    local_pages.add("/img/kite.png", png((400, 300), (200, 60, 40)), "image/png")
    local_pages.add("/img/boat.png", png((320, 240), (20, 110, 70)), "image/png")
    local_pages.add("/img/icon.png", png((32, 32), (90, 90, 90)), "image/png")
    elsewhere = local_pages.add(
        "/holiday.html",
        """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
        <title>Kites on the beach</title></head><body><main>
        <h1><img src="/img/icon.png" alt="" width="32" height="32"> Our holiday</h1>
        <p><img src="/img/kite.png" alt="A red kite" width="400" height="300"></p>
        <p><img src="/img/boat.png" alt="A green boat" width="320" height="240"></p>
        </main></body></html>""",
    )
    page.goto(elsewhere)
    assert_images_loaded(page)
    # What clicking the saved bookmark does: run the link's script in this page.
    page.evaluate(bookmarklet.removeprefix("javascript:"))
    overlay = page.get_by_role("dialog", name="Choose an image to bookmark")
    expect(overlay).to_be_visible()
    expect(overlay.get_by_role("button", name="Close")).to_be_focused()
    # The two pictures are offered; the 32 px icon is not.
    choices = overlay.get_by_role("button").filter(has=page.locator("img"))
    expect(choices).to_have_count(2)
    assert_accessible(page, "bookmarklet overlay")

    with page.context.expect_page() as opened:
        overlay.get_by_role("button", name="A red kite").click()
    expect(overlay).to_have_count(0)  # the overlay closes after the pick
    create = opened.value
    watch_popup(browse, create)
    create.wait_for_load_state()
    assert create.url.startswith(f"{site}/gallery/create/?url=")

    # --- Saves the bookmark ---
    expect(create.get_by_role("heading", level=1)).to_have_text("Save a bookmark")
    expect(
        create.get_by_role("img", name="Preview of the image to save")
    ).to_be_visible()
    expect(create.get_by_label("Title")).to_have_value("Kites on the beach")
    assert_images_loaded(create)
    assert_accessible(create, "bookmark create")
    create.get_by_label("Title").fill("Red kite over the dunes")
    create.get_by_label("Description").fill("Windy afternoon, string almost gone.")
    create.get_by_role("button", name="Save bookmark").click()
    expect(create.get_by_text("Bookmark saved.")).to_be_visible()
    expect(create).to_have_url(re.compile(r"/gallery/\d+/red-kite-over-the-dunes/$"))
    expect(create.get_by_role("heading", level=1)).to_have_text(
        "Red kite over the dunes"
    )
    expect(create.get_by_role("img", name="Red kite over the dunes")).to_be_visible()
    expect(create.get_by_text(f"from {local_pages.url}/img/kite.png")).to_be_visible()
    expect(create.get_by_text("1 view", exact=True)).to_be_visible()
    expect(create.get_by_text("Nobody yet.")).to_be_visible()
    assert_images_loaded(create)
    assert_accessible(create, "bookmark detail")

    # --- Likes it: the count goes to 1 without a reload ---
    document = create.evaluate("performance.timeOrigin")
    likes = create.locator("[data-like-count]")
    expect(likes).to_have_text("0")
    create.get_by_role("button", name="Like Red kite over the dunes").click()
    expect(likes).to_have_text("1")
    expect(
        create.get_by_role("button", name="Unlike Red kite over the dunes")
    ).to_have_attribute("aria-pressed", "true")
    assert create.evaluate("performance.timeOrigin") == document
    # The like is kept: coming back, the member is listed among the likers.
    create.reload()
    expect(likes).to_have_text("1")
    expect(create.get_by_text("2 views", exact=True)).to_be_visible()
    likers = create.get_by_role("complementary").get_by_role("listitem")
    expect(likers).to_have_text(["mia"])
    assert_images_loaded(create)
    screenshot(create, "bookmark")
    create.close()

    # --- Follows another member and sees their actions on the dashboard ---
    page.goto("/account/")
    actions = page.locator(".actions .action")
    # Following nobody yet, the dashboard shows the member's own activity.
    expect(actions.filter(has_text="bookmarked Red kite over the dunes")).to_have_count(
        1
    )
    page.get_by_role("link", name="Find people to follow").click()
    page.get_by_role("link", name="Ann Archer").click()
    expect(page).to_have_url(f"{site}/people/ann/")
    expect(page.get_by_role("heading", name="Bookmarks")).to_have_count(1)
    expect(
        page.locator(".member-bookmarks").get_by_role("heading", level=3)
    ).to_have_text(
        [
            "Rain on the café window",
            "Autumn leaves in the park",
            "Morning fog over the lake",
        ]
    )
    images_loaded(page)
    assert_accessible(page, "member page")
    followers = page.locator("[data-followers-count]")
    expect(followers).to_have_text("2")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(followers).to_have_text("3")
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()

    page.get_by_role("banner").get_by_role("link", name="Mia", exact=True).click()
    expect(page).to_have_url(f"{site}/account/")
    expect(actions.first).to_be_visible()
    expect(
        actions.filter(has_text="bookmarked Morning fog over the lake")
    ).to_have_count(1)
    # Only Ann's actions now: the member follows her and nobody else.
    for text in actions.all_inner_texts():
        assert text.startswith("Ann Archer"), text
    images_loaded(page)
    assert_accessible(page, "dashboard")
    screenshot(page, "dashboard")

    # --- Scrolls the gallery: the next page arrives by itself ---
    # A laptop-sized window, so the end of the first page (where the script starts
    # loading, 400 px ahead) is surely out of sight until the member scrolls.
    page.set_viewport_size({"width": VIEWPORT["width"], "height": 600})
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Gallery"
    ).click()
    cards = page.locator("#bookmark-cards > li")
    expect(cards).to_have_count(settings.GALLERY_PAGE_SIZE)
    last = cards.last.bounding_box()
    assert last["y"] + last["height"] > 600 + 400, "page 1 fits the window"
    expect(cards.first).to_contain_text("Red kite over the dunes")
    expect(cards.first.locator("[data-like-count]")).to_have_text("1")
    expect(page.locator("[data-infinite-pagination]")).to_be_hidden()
    assert_accessible(page, "gallery")
    page.mouse.wheel(0, 10_000)
    expect(cards).to_have_count(15)  # 14 demo bookmarks and Mia's
    expect(cards.last).to_contain_text("Morning fog over the lake")
    assert_accessible(page, "gallery after scrolling")
    page.mouse.wheel(0, -10_000)
    page.set_viewport_size(VIEWPORT)
    screenshot(page, "gallery")
