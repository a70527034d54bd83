"""Journey 5, the reader: pages through the blog, follows a tag, searches, comments,
shares a post by e-mail (delivered by the real Celery worker) and reads the RSS
feed. Every public page visited is checked with axe-core."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from .helpers import assert_accessible, screenshot

pytestmark = pytest.mark.e2e

MAIL_TIMEOUT = 15  # seconds the worker gets to deliver the share mail


def wait_for_mail(count: int = 1) -> list:
    """Poll the locmem outbox (shared with the in-process worker) until `count`
    mails arrived or the bounded wait is over."""
    deadline = time.monotonic() + MAIL_TIMEOUT
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return mail.outbox


def test_reader_pages_follows_a_tag_comments_shares_and_reads_the_feed(
    page, demo_site, celery_worker
):
    from wagtail.models import Site

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Blog", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/blog/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Blog")
    posts = page.locator("main ul.cards > li")
    # 14 demo posts, 10 a page: the newest first, so the first one is the last topic.
    expect(posts).to_have_count(10)
    expect(posts.first.get_by_role("heading", level=2)).to_have_text(
        "Deploying with gunicorn and whitenoise"
    )
    pages_nav = page.get_by_role("navigation", name="Pages")
    expect(pages_nav).to_contain_text("Page 1 of 2")
    assert_accessible(page, "blog index")
    screenshot(page, "blog-index")

    pages_nav.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"/blog/\?page=2$"))
    expect(pages_nav).to_contain_text("Page 2 of 2")
    expect(posts).to_have_count(4)
    expect(pages_nav.get_by_role("link", name="Previous")).to_be_visible()
    assert_accessible(page, "blog index, page 2")

    # The oldest demo post is the last card of page 2.
    title = "Getting started with Wagtail"
    posts.last.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(r"/blog/getting-started-with-wagtail/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    article = page.locator("article.post")
    expect(article.get_by_role("heading", name="What this post covers")).to_be_visible()
    expect(article.get_by_role("img", name=f"Illustration for {title}")).to_be_visible()
    assert_accessible(page, "blog post")
    screenshot(page, "blog-post")

    # Its tags link to the tag archive.
    article.get_by_role("list", name="Tags").get_by_role("link", name="django").click()
    expect(page).to_have_url(re.compile(r"/blog/tag/django/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Posts tagged “django”")
    # Six demo posts carry the tag: one page, each card showing it.
    expect(posts).to_have_count(6)
    for card in posts.all():
        expect(card.get_by_role("list", name="Tags")).to_contain_text("django")
    expect(posts.get_by_role("link", name="Caching pages with Redis")).to_be_visible()
    expect(posts.get_by_role("link", name="Writing posts in Markdown")).to_have_count(0)
    assert_accessible(page, "tag page")

    # Back to a post, found with the search box in the header: comment on it.
    title = "Caching pages with Redis"
    search = page.get_by_role("searchbox", name="Search the site")
    search.fill("redis caching")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=redis\+caching$"))
    found = page.get_by_role("region", name=re.compile(r"^Blog posts"))
    expect(found.get_by_role("link").first).to_have_text(title)
    assert_accessible(page, "search results")
    found.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    post_url = page.url
    comments = page.locator("#comments")
    comments.get_by_label("Name").fill("Linus Reader")
    comments.get_by_label("E-mail (not published)").fill("linus@example.com")
    comments.get_by_label("Comment").fill("Redis made our pages fast, thanks!")
    comments.get_by_role("button", name="Post comment").click()
    expect(
        page.get_by_text("Thank you, your comment is awaiting moderation.")
    ).to_be_visible()
    expect(page).to_have_url(post_url + "#comments")
    # Pre-moderated: not on the page until an editor approves it.
    expect(page.get_by_text("Redis made our pages fast")).to_have_count(0)
    assert_accessible(page, "blog post after commenting")

    # Share the post by e-mail; the worker sends the mail.
    mail.outbox.clear()
    share = page.locator("#share")
    share.get_by_label("Your name").fill("Linus Reader")
    share.get_by_label("Your e-mail").fill("linus@example.com")
    share.get_by_label("Send to (e-mail)").fill("friend@example.com")
    share.get_by_label("Message (optional)").fill("This one is for you.")
    share.get_by_role("button", name="Send").click()
    expect(
        page.get_by_text("The post is on its way to friend@example.com.")
    ).to_be_visible()
    outbox = wait_for_mail()
    assert len(outbox) == 1, "the Celery worker did not deliver the share mail"
    message = outbox[0]
    assert message.to == ["friend@example.com"]
    assert message.subject == f"Linus Reader recommends you read “{title}”"
    site_root = Site.objects.get(is_default_site=True).root_url
    absolute_url = f"{site_root}/blog/caching-pages-with-redis/"
    assert absolute_url in message.body
    assert "This one is for you." in message.body

    # The feed, found through the sidebar's RSS link like a reader's feed reader would.
    feed_href = (
        page.get_by_role("complementary", name="About the blog")
        .get_by_role("link", name="RSS")
        .get_attribute("href")
    )
    assert feed_href == "/blog/feed/"
    response = page.request.get(feed_href)
    assert response.ok
    assert response.headers["content-type"].startswith("application/rss+xml")
    feed = response.text()
    assert "<rss" in feed
    assert "<title>Blog</title>" in feed
    for newest in (
        "Deploying with gunicorn and whitenoise",
        "Caching pages with Redis",
        "Getting started with Wagtail",
    ):
        assert f"<title>{newest}</title>" in feed
