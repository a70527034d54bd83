"""Journey 4, the editor: writes a blog post in Wagtail's page editor (title, intro,
a Markdown block, an image chosen in the chooser modal, two tags), saves a draft that
a logged-out visitor cannot see, publishes it, and the visitor finds it on the blog
index, on its tag page and through the header search box."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import admin_login, assert_accessible, axe_violations, screenshot_dir

pytestmark = pytest.mark.e2e

TITLE = "Harbour lights after dark"
INTRO = "A night walk along the harbour, with one photograph."
MARKDOWN = "## Along the quay\n\nThe lamps come on **one by one**."
POST_PATH = "/blog/harbour-lights-after-dark/"
IMAGE = "Bookmark: Harbour lights"  # a demo image (gallery demo content)
ALT_TEXT = "Harbour lamps reflected in dark water"
CAPTION = "The old harbour at nine in the evening."


def admin_screenshot(page, name: str) -> None:
    """Like helpers.screenshot, without its every-image-loaded check: Wagtail's image
    choosers keep an empty <img src=""> placeholder while nothing is chosen (here the
    cover image), which that check would count as a broken image."""
    # The editor scrolls inside its own panes (the chooser left them scrolled), so a
    # full-page shot would show one viewport: show the form from its top, taller.
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 1250})
    page.evaluate(
        """() => {
            document.activeElement?.blur();
            document.querySelectorAll("*").forEach(el => {
                el.scrollTop = 0; el.scrollLeft = 0; });
            window.scrollTo(0, 0);
        }"""
    )
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), animations="disabled")
    page.set_viewport_size(size)


def test_editor_writes_saves_a_draft_publishes_and_readers_find_the_post(
    page, page_watch, browse, demo_site
):
    # Wagtail 8 autosaves the editor form while it is being filled in; until every
    # required field is there, its background save is answered with a 400 (a
    # validation error, shown by Wagtail's own save indicator) that Chromium logs.
    # Only those admin autosave answers are accepted, nothing of the public site.
    page_watch.ignore(
        r"/admin/pages/(add/blog/blogpage/\d+|\d+/edit)/.*status of 400"
        r"|status of 400.*/admin/pages/"
    )
    admin_login(page, demo_site.username, demo_site.password)

    # Pages menu → Home → the blog's child pages → add a post.
    page.get_by_role("button", name="Pages").click()
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name="Explore child pages of 'Blog'").click()
    page.get_by_role("link", name="Add child page").first.click()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/blog/blogpage/\d+/$"))

    page.get_by_role("textbox", name="Title*").fill(TITLE)
    page.get_by_role("textbox", name="Intro*").fill(INTRO)

    # Tags live on their own tab; Wagtail's tag widget turns typed text into a tag
    # on Enter.
    page.get_by_role("tab", name="Byline and tags").click()
    tag_field = page.locator('[data-contentpath="tags"]')
    tag_input = tag_field.get_by_role("textbox")
    for tag in ("harbours", "night walks"):
        tag_input.fill(tag)
        tag_input.press("Enter")
    expect(tag_field.locator(".tagit-label")).to_have_text(
        ["harbours", '"night walks"']
    )

    page.get_by_role("tab", name="Content").click()
    body = page.locator('[data-contentpath="body"]')
    body.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Markdown").click()
    markdown = body.get_by_role("region", name=re.compile(r"^Markdown"))
    markdown.get_by_role("textbox").fill(MARKDOWN)

    body.get_by_role("button", name="Insert a block").last.click()
    page.get_by_role("option", name="Image").click()
    image_block = body.get_by_role("region", name=re.compile(r"^Image"))
    image_block.get_by_label("Alt text").fill(ALT_TEXT)
    image_block.get_by_label("Caption").fill(CAPTION)
    # The image goes last: choosing it makes the form complete.
    image_block.get_by_role("button", name="Choose an image").click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_label("Search term").fill("Harbour")
    chooser.get_by_role("link", name=IMAGE).click()
    expect(chooser).to_be_hidden()
    expect(image_block.get_by_text(IMAGE)).to_be_visible()

    # With the form complete, Wagtail's autosave creates the page (the address
    # becomes its edit view) and its indicator says "Saved". The editor waits for
    # it: a click on "Save draft" while that first autosave is still creating the
    # page makes Wagtail create it twice, and the second fails on the taken slug.
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"), timeout=15_000)
    expect(page.locator("#w-autosave-indicator")).to_have_attribute(
        "data-w-autosave-state-value", "saved"
    )
    admin_screenshot(page, "admin-editor")

    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(page.locator(".messages")).to_contain_text(
        f"Page '{TITLE}' has been updated."
    )
    axe_violations(page)  # Wagtail's admin: reported, not ours to fix

    # A logged-out visitor cannot see the draft.
    visitor = browse.new_page()
    browse.watch_of(visitor).ignore(r"status of 404")
    response = visitor.goto(POST_PATH)
    assert response.status == 404
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Page not found")
    visitor.goto("/blog/")
    expect(visitor.get_by_role("link", name=TITLE)).to_have_count(0)

    # Publish lives in the footer's "More actions" menu.
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Page '{TITLE}' has been published."
    )

    # The visitor finds it first on the blog index (newest first) …
    visitor.reload()
    first_card = visitor.locator("main ul.cards > li").first
    expect(first_card.get_by_role("heading", level=2)).to_have_text(TITLE)
    expect(first_card).to_contain_text(INTRO)
    assert_accessible(visitor, "blog index with the new post")

    first_card.get_by_role("link", name=TITLE).click()
    expect(visitor).to_have_url(re.compile(re.escape(POST_PATH) + "$"))
    post = visitor.locator("article.post")
    expect(post.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(post.get_by_role("heading", level=2, name="Along the quay")).to_be_visible()
    expect(post.locator("strong")).to_have_text("one by one")
    expect(post.get_by_role("img", name=ALT_TEXT)).to_be_visible()
    expect(post.get_by_text(CAPTION)).to_be_visible()
    tags = post.get_by_role("list", name="Tags")
    expect(tags.get_by_role("link")).to_have_text(["harbours", "night walks"])
    assert_accessible(visitor, "new blog post")

    # … on the page of one of its tags …
    tags.get_by_role("link", name="night walks").click()
    expect(visitor).to_have_url(re.compile(r"/blog/tag/night-walks/$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Posts tagged “night walks”"
    )
    cards = visitor.locator("main ul.cards > li")
    expect(cards).to_have_count(1)
    expect(cards.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(visitor, "tag page")

    # … and through the search box in the header.
    search = visitor.get_by_role("searchbox", name="Search the site")
    search.fill("harbour lights")
    search.press("Enter")
    expect(visitor).to_have_url(re.compile(r"/search/\?q=harbour\+lights$"))
    posts = visitor.get_by_role("region", name=re.compile(r"^Blog posts"))
    result = posts.get_by_role("link", name=TITLE)
    expect(result).to_be_visible()
    assert_accessible(visitor, "search results")
    result.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
