"""Demo blog: an index under the home page, 14 posts on a few tags with cover
images, Markdown and rich-text bodies, and approved and pending comments.
Idempotent: posts are found again by slug."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.demo import ADMIN_USERNAME, demo_image, site_root_page

from .models import BlogIndexPage, BlogPage, Comment

TOPICS = [
    ("Getting started with Wagtail", ["wagtail", "django"]),
    ("Writing posts in Markdown", ["markdown", "writing"]),
    ("Full-text search on PostgreSQL", ["postgresql", "search"]),
    ("Typo-tolerant search with trigrams", ["postgresql", "search"]),
    ("Scheduling posts for later", ["wagtail", "writing"]),
    ("Background jobs with Celery", ["django", "celery"]),
    ("Caching pages with Redis", ["django", "redis"]),
    ("Images, renditions and focal points", ["wagtail", "images"]),
    ("Moderating comments", ["wagtail", "community"]),
    ("Tags, feeds and sitemaps", ["wagtail", "seo"]),
    ("Testing against real services", ["django", "testing"]),
    ("Query budgets for every page", ["django", "performance", "testing"]),
    ("A tour of the StreamField", ["wagtail", "writing"]),
    ("Deploying with gunicorn and whitenoise", ["django", "deployment"]),
]

MARKDOWN = """## What this post covers

This is a demo post about **{title}**. It is written in *Markdown*, which editors can
use next to rich text.

- one point
- another point

> Markdown is rendered and then sanitised, so scripts never reach the page.

```python
print("hello from {slug}")
```
"""


def load(command) -> None:
    home = site_root_page()
    if home is None:
        command.stdout.write("blog: no home page, skipped")
        return
    author = get_user_model().objects.filter(username=ADMIN_USERNAME).first()
    index = BlogIndexPage.objects.filter(slug="blog").first()
    if index is None:
        index = BlogIndexPage(
            title="Blog",
            slug="blog",
            intro="Notes on building this site: Wagtail, Django, search and more.",
        )
        home.add_child(instance=index)
        index.save_revision().publish()

    today = timezone.localdate()
    created = 0
    for number, (title, tags) in enumerate(TOPICS):
        slug = title.lower().replace(",", "").replace(" ", "-")
        if BlogPage.objects.filter(slug=slug).exists():
            continue
        post = BlogPage(
            title=title,
            slug=slug,
            intro=f"A short introduction to {title.lower()}.",
            date=today - datetime.timedelta(days=3 * (len(TOPICS) - number)),
            author=author,
            cover_image=demo_image(f"Blog: {title}", seed=20 + number),
            body=[
                ("markdown", MARKDOWN.format(title=title, slug=slug)),
                (
                    "image",
                    {
                        "image": demo_image(f"Blog: {title}", seed=20 + number),
                        "alt_text": f"Illustration for {title}",
                        "caption": "A generated demo picture.",
                    },
                ),
                (
                    "quote",
                    {
                        "text": "Simple things should be simple.",
                        "attribution": "Alan Kay",
                    },
                ),
            ],
        )
        post.tags.add(*tags)
        index.add_child(instance=post)
        post.save_revision().publish()
        Comment.objects.create(
            post=post,
            name="Ada",
            email="ada@example.com",
            body=f"Thanks, {title.lower()} was just what I needed.",
            active=True,
        )
        if number % 3 == 0:
            Comment.objects.create(
                post=post,
                name="Grace",
                email="grace@example.com",
                body="Nice write-up; one more approved comment.",
                active=True,
            )
            Comment.objects.create(
                post=post,
                name="Spammy",
                email="spam@example.com",
                body="Buy cheap things here (awaiting moderation).",
                active=False,
            )
        created += 1
    command.stdout.write(
        f"blog: {BlogPage.objects.live().count()} posts ({created} new) at /blog/"
    )
