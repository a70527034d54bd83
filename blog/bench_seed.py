"""Bench data: 10,000 posts under the blog index with 2-3 tags each and 50,000
comments, inserted in bulk, then put into the search index with one INSERT … SELECT.

Posts are Wagtail pages (multi-table inheritance on a treebeard materialised path), so
they cannot simply be `bulk_create`d: the wagtailcore_page rows are bulk-created with
paths computed here (the parent's path plus a 4-character base-36 step), the
blog_blogpage rows are COPYed with the same ids, and the parent's numchild is fixed
once. `BENCH_POST_SCALE` overrides --scale for posts alone (10: the 100k-post search
figure) without multiplying comments and the rest.
"""

import datetime
import json
import os
import uuid

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page

from bench.seeding import (
    RARE_WORDS,
    WORDS,
    copy_rows,
    fill_search_index,
    prose,
    rng,
    scaled,
    sentence,
    shared_images,
)
from core.demo import site_root_page

from .models import CARD_RENDITIONS, BlogIndexPage, BlogPage, BlogPageTag, Comment

BASE_POSTS = 10_000
BASE_COMMENTS = 50_000
SLUG_PREFIX = "bench-post-"
COMMENT_DOMAIN = "@bench.example"
TAG_NAMES = WORDS[:40]
RARE_EVERY = 997  # one post in ~1,000 mentions a rare word
COMMON_WORD = "django"
COMMON_EVERY = 20  # and one in 20 a common one (texts use made-up words otherwise)
TITLED_EVERY = 50  # "Wagtail" in one title in 50: what the misspelling finds
BATCH = 5000
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4


def post_scale(scale: float) -> float:
    value = os.environ.get("BENCH_POST_SCALE", "").strip()
    return float(value) if value else scale


def path_step(number: int) -> str:
    """Treebeard's step for the number-th child: base 36, 4 characters."""
    digits = ""
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, "0")


def step_number(step: str) -> int:
    return int(step, len(ALPHABET))


def blog_index() -> BlogIndexPage:
    index = BlogIndexPage.objects.first()
    if index is None:
        home = site_root_page()
        index = BlogIndexPage(title="Blog", slug="blog", intro="The bench blog.")
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def post_body(r, number: int) -> str:
    paragraphs = [prose(r, 40) + "." for _ in range(4)]
    if number % COMMON_EVERY == 0:
        paragraphs.append(f"Notes on {COMMON_WORD} deployment.")
    if number % RARE_EVERY == 0:
        paragraphs.append(f"A note on {RARE_WORDS[0]} tuning.")
    return "\n\n".join(paragraphs)


def post_title(r, number: int) -> str:
    if number % TITLED_EVERY == 0:
        return f"Wagtail notes: {prose(r, 3)} {number}"
    return f"{prose(r, 5).capitalize()} {number}"


def seed(command, scale):
    index = blog_index()
    wanted = scaled(BASE_POSTS, post_scale(scale))
    posts = BlogPage.objects.filter(slug__startswith=SLUG_PREFIX)
    have = posts.count()
    images = shared_images("Bench cover", CARD_RENDITIONS)
    tags = tag_pool()
    insert_posts(command, index, have, wanted, images, tags)
    insert_comments(command, scaled(BASE_COMMENTS, scale))
    index_posts(command)
    return []  # indexed here, set-based


def tag_pool() -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(name__in=TAG_NAMES)}
    Tag.objects.bulk_create(
        [Tag(name=n, slug=n) for n in TAG_NAMES if n not in existing],
        ignore_conflicts=True,
    )
    return sorted(Tag.objects.filter(name__in=TAG_NAMES), key=lambda t: t.pk)


def insert_posts(command, index, have, wanted, images, tags) -> None:
    if wanted <= have:
        return
    ct = ContentType.objects.get_for_model(BlogPage)
    last = (
        Page.objects.filter(path__startswith=index.path, depth=index.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    next_step = step_number(last[-STEPLEN:]) + 1 if last else 1
    now = timezone.now()
    author = (
        BlogPage._meta.get_field("author")
        .related_model.objects.filter(username__startswith="bench-member-")
        .order_by("pk")
        .first()
    )
    with command.progress("posts", wanted - have) as bar:
        for start in range(have, wanted, BATCH):
            numbers = range(start, min(start + BATCH, wanted))
            r = rng(start)
            pages = []
            for offset, n in enumerate(numbers):
                slug = f"{SLUG_PREFIX}{n}"
                published = now - datetime.timedelta(minutes=7 * (wanted - n))
                title = post_title(r, n)
                pages.append(
                    Page(
                        path=index.path + path_step(next_step + offset),
                        depth=index.depth + 1,
                        numchild=0,
                        title=title,
                        draft_title=title,
                        slug=slug,
                        content_type=ct,
                        live=True,
                        has_unpublished_changes=False,
                        url_path=f"{index.url_path}{slug}/",
                        locale_id=index.locale_id,
                        translation_key=uuid.uuid4(),
                        first_published_at=published,
                        last_published_at=published,
                    )
                )
            next_step += len(pages)
            Page.objects.bulk_create(pages)
            rows = []
            through = []
            for page, n in zip(pages, numbers, strict=True):
                body = [
                    {
                        "type": "markdown",
                        "value": post_body(r, n),
                        "id": str(uuid.uuid4()),
                    }
                ]
                rows.append(
                    (
                        page.pk,
                        prose(r, 18) + ".",
                        page.first_published_at.date(),
                        author.pk if author else None,
                        images[n % len(images)].pk,
                        json.dumps(body),
                    )
                )
                # Ascending tag ids: the order the index fill aggregates them in.
                for tag in sorted(r.sample(tags, r.choice((2, 3))), key=lambda t: t.pk):
                    through.append(BlogPageTag(content_object_id=page.pk, tag=tag))
            copy_rows(
                "blog_blogpage",
                ["page_ptr_id", "intro", "date", "author_id", "cover_image_id", "body"],
                rows,
            )
            BlogPageTag.objects.bulk_create(through)
            bar.advance(len(pages))
    Page.objects.filter(pk=index.pk).update(
        numchild=Page.objects.filter(
            path__startswith=index.path, depth=index.depth + 1
        ).count()
    )


def insert_comments(command, wanted: int) -> None:
    comments = Comment.objects.filter(email__endswith=COMMENT_DOMAIN)
    have = comments.count()
    if wanted <= have:
        return
    post_ids = list(
        BlogPage.objects.filter(slug__startswith=SLUG_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    r = rng(7)
    with command.progress("comments", wanted - have) as bar:
        for start in range(have, wanted, BATCH * 4):
            numbers = range(start, min(start + BATCH * 4, wanted))
            copy_rows(
                "blog_comment",
                ["post_id", "name", "email", "body", "created", "active"],
                (
                    (
                        post_ids[n % len(post_ids)],
                        f"Reader {n % 500}",
                        f"reader{n % 500}{COMMENT_DOMAIN}",
                        sentence(r, 25) + ".",
                        now - datetime.timedelta(minutes=n),
                        n % 10 != 0,  # one in ten awaits moderation
                    )
                    for n in numbers
                ),
            )
            bar.advance(len(numbers))


POSTS_SOURCE = """(
  SELECT p.id, p.title, b.intro, b.body -> 0 ->> 'value' AS body_text,
         (SELECT string_agg(t.name, ' ' ORDER BY ti.id)
            FROM blog_blogpagetag ti JOIN taggit_tag t ON t.id = ti.tag_id
           WHERE ti.content_object_id = p.id) AS tag_names
  FROM wagtailcore_page p JOIN blog_blogpage b ON b.page_ptr_id = p.id
  WHERE p.slug LIKE %(prefix)s
) src"""

NOT_INDEXED = """NOT EXISTS (
  SELECT 1 FROM wagtailsearch_indexentry e
  WHERE e.content_type_id = %(ct)s AND e.object_id = src.id::text)"""


def index_posts(command, *, where: str = NOT_INDEXED) -> int:
    """BlogPage's search fields (weights from modelsearch's get_weight): title 10→A;
    intro 4→C, tags' names 4→C, body 1→D; autocomplete on the title."""
    count = fill_search_index(
        BlogPage,
        source=POSTS_SOURCE,
        where=where,
        params={"prefix": SLUG_PREFIX + "%"},
        title=[("src.title", "A")],
        body=[("src.intro", "C"), ("src.tag_names", "C"), ("src.body_text", "D")],
        autocomplete=["src.title"],
    )
    command.stdout.write(f"  search index: {count} posts")
    return count
