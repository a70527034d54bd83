from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Bookmark(index.Indexed, models.Model):
    """An image a member saved from another web site with the bookmarklet.

    The picture is copied into a Wagtail image (so thumbnails are renditions and the
    original site can disappear); `url` remembers where it came from. `total_likes`
    is a denormalised copy of the size of `users_like`, changed only with
    `QuerySet.update()` so a like never re-saves the row through the search index.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bookmarks_created",
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, blank=True)
    url = models.URLField(
        "source URL", max_length=2000, help_text="Where the image was found."
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    users_like = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="bookmarks_liked", blank=True
    )
    total_likes = models.PositiveIntegerField(default=0, db_index=True, editable=False)

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("url"),
        FieldPanel("image"),
        FieldPanel("description"),
        FieldPanel("owner"),
    ]

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("description"),
        index.FilterField("owner"),
        index.FilterField("created"),
    ]

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created"]),
            # The home page's "popular bookmarks": without it PostgreSQL sorts every
            # bookmark (with owner and image joined: 74 ms at 20k) to show four.
            models.Index(
                fields=["-total_likes", "-created"], name="gallery_bm_popular"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:200] or "bookmark"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("gallery:detail", args=[self.pk, self.slug or "bookmark"])
