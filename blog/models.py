"""Blog pages (index and posts), their tags and readers' comments.

A Wagtail page is its own view: its methods read through `selectors` and write
through `services`. Those modules (and `forms`) import this one, so the pages import
them inside the methods that use them, never at the top.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import strip_tags
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core import page_cache
from core.cache_tags import cache_depends
from core.ratelimit import client_ip, rate_limited
from core.renditions import picture_specs

from .blocks import BlogStreamBlock
from .text import render_markdown

POSTS_PER_PAGE = 10
# Tag slugs up to taggit's length have their post count cached; longer ones (only
# made-up URLs) are counted every time.
MAX_CACHED_TAG_LENGTH = 100
CARD_RENDITION = "fill-600x400"
# What a card's {% picture %} asks for: AVIF, WebP and the JPEG fallback.
CARD_RENDITIONS = picture_specs(CARD_RENDITION)


def today():
    return timezone.localdate()


class BlogIndexPage(RoutablePageMixin, Page):
    """The blog: newest posts first, tag archives and feeds as routes of this page,
    so /blog/tag/<slug>/ and /blog/feed/ live wherever editors put the blog."""

    intro = models.TextField(
        blank=True, help_text="One or two sentences shown above the list of posts."
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["blog.BlogPage"]
    max_count = 1

    class Meta:
        verbose_name = "blog index page"

    def get_posts(self):
        from .selectors import published_children

        return published_children(self)

    def paginate(self, request, posts, *, tag: str = ""):
        """One page of `posts`. Their COUNT (a scan of every post) is cached with the
        sidebar widgets under the "posts" tag, which every change readers could see
        invalidates (publish, unpublish, move, delete; a view restriction, like any
        model core/signals.py does not map, invalidates everything)."""
        from . import widget_cache

        paginator = Paginator(posts, POSTS_PER_PAGE)
        if len(tag) <= MAX_CACHED_TAG_LENGTH:
            paginator.count = widget_cache.cached(f"count:{self.pk}:{tag}", posts.count)
        # get_page() turns a bad number into page 1 and a too-large one into the last
        # (answered, never stored by the page cache).
        page_obj = paginator.get_page(request.GET.get("page"))
        page_cache.paginated(request, page_obj)
        cache_depends("posts")
        return page_obj

    @path("")
    def post_list(self, request):
        return self.render(
            request,
            context_overrides={"posts": self.paginate(request, self.get_posts())},
        )

    @path("tag/<slug:tag>/")
    def post_list_by_tag(self, request, tag):
        posts = self.paginate(request, self.get_posts().filter(tags__slug=tag), tag=tag)
        if not posts.paginator.count:
            raise Http404("No published post has this tag")
        # The tag itself ({"name", "slug"}) comes with the posts' tags: no query.
        tag_obj = next(t for t in posts[0].card_tags if t["slug"] == tag)
        return self.render(
            request,
            context_overrides={"posts": posts, "tag": tag_obj},
            template="blog/blog_tag_page.html",
        )

    @path("feed/")
    def rss_feed(self, request):
        from .feeds import LatestPostsFeed

        cache_depends("posts")
        return LatestPostsFeed(self)(request)

    @path("feed/atom/")
    def atom_feed(self, request):
        from .feeds import LatestPostsAtomFeed

        cache_depends("posts")
        return LatestPostsAtomFeed(self)(request)

    def get_sitemap_urls(self, request=None):
        """The index itself plus one entry per tag that has a published post."""
        from .selectors import live_posts

        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        tags = (
            Tag.objects.filter(
                blog_blogpagetag_items__content_object__in=live_posts()
                .child_of(self)
                .values("pk")
            )
            .distinct()
            .order_by("slug")
        )
        urls.extend(
            {"location": f"{base}tag/{tag.slug}/", "changefreq": "weekly"}
            for tag in tags
        )
        return urls


class BlogPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "blog.BlogPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class BlogPage(Page):
    """A post. Drafts, scheduling (go_live_at) and revisions are Wagtail's own;
    readers only ever see live, public posts (see `selectors.live_posts`).

    Readers' comment and share forms post to the post's own URL (the hidden `form`
    field says which); each handler answers with a redirect on success or the page
    again with the form's errors."""

    intro = models.CharField(
        max_length=250, help_text="A sentence or two shown in lists and feeds."
    )
    date = models.DateField(
        "post date", default=today, help_text="The publish date shown to readers."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blog_posts",
        help_text="Shown by name under the title.",
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown on cards in lists; at least 600×400 px.",
    )
    body = StreamField(BlogStreamBlock(), blank=True)
    tags = ClusterTaggableManager(through=BlogPageTag, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    meta_panels = [
        MultiFieldPanel([FieldPanel("date"), FieldPanel("author")], heading="Byline"),
        MultiFieldPanel(
            [FieldPanel("tags"), FieldPanel("cover_image")], heading="Listing"
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(meta_panels, heading="Byline and tags"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )

    # Title outranks intro and tags, which outrank the body. (Page's own fields stay,
    # as Wagtail expects; its title boost of 2 adds to ours.)
    search_fields = [
        *Page.search_fields,
        index.SearchField("title", boost=10),
        index.SearchField("intro", boost=4),
        index.RelatedFields("tags", [index.SearchField("name", boost=4)]),
        index.SearchField("body", boost=1),
        index.FilterField("date"),
    ]

    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "blog post"
        # Lists are newest first: without it PostgreSQL sorts every post (bodies
        # included, on disk at 10k posts: 330 ms) to show ten.
        indexes = [models.Index(fields=["-date"], name="blog_post_date_desc")]

    @property
    def author_name(self) -> str:
        if self.author is None:
            return ""
        return self.author.get_full_name() or self.author.get_username()

    @property
    def body_text(self) -> str:
        """The body as plain text, for search snippets."""
        # Raw JSON, not bound blocks: binding would load every image block's image.
        parts = []
        for block in self.body.raw_data:
            value = block.get("value")
            if block["type"] == "rich_text":
                parts.append(strip_tags(value or ""))
            elif block["type"] == "markdown":
                parts.append(strip_tags(render_markdown(value or "")))
            elif block["type"] in ("quote", "image") and isinstance(value, dict):
                parts.append(value.get("text") or value.get("caption") or "")
        return " ".join(part for part in parts if part)

    def similar_posts(self, limit: int = 4):
        """Live posts sharing the most tags with this one, in one query (the tag ids
        are a subquery, not a separate fetch)."""
        from .selectors import live_posts

        tag_ids = BlogPageTag.objects.filter(content_object_id=self.pk).values("tag_id")
        return list(
            live_posts()
            .filter(tagged_items__tag_id__in=tag_ids)
            .exclude(pk=self.pk)
            .annotate(shared_tags=Count("tagged_items", distinct=True))
            .order_by("-shared_tags", "-date", "-pk")
            .only("id", "title", "url_path", "date", "intro")[:limit]
        )

    def approved_comments(self):
        return self.comments.filter(active=True).order_by("created", "pk")

    def get_context(self, request, *args, comment_form=None, share_form=None, **kwargs):
        from .forms import CommentForm, SharePostForm

        context = super().get_context(request, *args, **kwargs)
        context["comment_form"] = comment_form or CommentForm(prefix="comment")
        context["share_form"] = share_form or SharePostForm(prefix="share")
        saved = self.pk is not None  # an unsaved post is shown in the admin preview
        context["comments"] = list(self.approved_comments()) if saved else []
        context["similar_posts"] = self.similar_posts() if saved else []
        context["post_tags"] = list(self.tags.all())
        # Its own tag "page:<id>" comes from core's before_serve_page hook.
        cache_depends("posts", f"member:{self.author_id}")
        # The index is our parent: its URL is ours minus the slug (no query).
        url = self.get_url(request) or ""
        suffix = f"{self.slug}/"
        context["blog_index_url"] = url[: -len(suffix)] if url.endswith(suffix) else ""
        return context

    def serve(self, request, *args, **kwargs):
        if request.method == "POST":
            if request.POST.get("form") == "share":
                return self.serve_share(request)
            return self.serve_comment(request)
        return super().serve(request, *args, **kwargs)

    def serve_comment(self, request) -> HttpResponse:
        from . import services
        from .forms import CommentForm

        form = CommentForm(request.POST, prefix="comment")
        if form.is_spam():
            # Look like success to the bot; store nothing.
            messages.success(request, "Thank you, your comment is awaiting moderation.")
            return HttpResponseRedirect(self.url + "#comments")
        if not form.is_valid():
            return self._serve_with_errors(request, comment_form=form)
        if _rate_limited(request, "comment"):
            form.add_error(None, "You have posted several comments just now. "
                           "Please wait a few minutes and try again.")  # fmt: skip
            return self._serve_with_errors(request, comment_form=form)
        comment = services.comment_create(post=self, **form.cleaned_data_for_comment())
        if comment.active:
            messages.success(request, "Thank you, your comment is published.")
        else:
            messages.success(request, "Thank you, your comment is awaiting moderation.")
        return HttpResponseRedirect(self.url + "#comments")

    def serve_share(self, request) -> HttpResponse:
        from . import services
        from .forms import SharePostForm

        form = SharePostForm(request.POST, prefix="share")
        if not form.is_valid():
            return self._serve_with_errors(request, share_form=form)
        if _rate_limited(request, "share"):
            form.add_error(None, "You have shared several posts just now. "
                           "Please wait a while and try again.")  # fmt: skip
            return self._serve_with_errors(request, share_form=form)
        data = form.cleaned_data
        services.post_share_enqueue(
            post=self,
            name=data["name"],
            email=data["email"],
            to=data["to"],
            comments=data["comments"],
        )
        messages.success(request, f"The post is on its way to {data['to']}.")
        return HttpResponseRedirect(self.url + "#share")

    def _serve_with_errors(self, request, **bound_forms) -> HttpResponse:
        """The page again, showing the submitted form with its errors."""
        return TemplateResponse(
            request,
            self.get_template(request),
            self.get_context(request, **bound_forms),
        )


def _rate_limited(request, scope: str) -> bool:
    """Count this form post against the client's limit for `scope` (settings'
    BLOG_RATE_LIMITS). The blog's only use of the rate limiter."""
    limit, window = settings.BLOG_RATE_LIMITS[scope]
    return rate_limited(scope, client_ip(request), limit=limit, window=window)


class Comment(models.Model):
    """A reader's comment. New comments wait for an editor when
    BLOG_COMMENTS_PREMODERATED is on; editors approve or hide them in bulk."""

    post = models.ForeignKey(
        BlogPage, on_delete=models.CASCADE, related_name="comments"
    )
    name = models.CharField(max_length=80)
    email = models.EmailField(help_text="Never shown on the site.")
    body = models.TextField(max_length=3000)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    active = models.BooleanField(
        "approved",
        default=False,
        help_text="Only approved comments are shown on the post.",
    )

    panels = [
        FieldPanel("post"),
        FieldPanel("name"),
        FieldPanel("email"),
        FieldPanel("body"),
        FieldPanel("active"),
    ]

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["post", "active", "created"])]

    def __str__(self):
        return f"{self.name} on “{self.post.title}”"
