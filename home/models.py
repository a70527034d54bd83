from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """The site root: a hero, then the latest posts, featured products and popular
    bookmarks, each section rendered by the app that owns it."""

    hero_title = models.CharField(
        max_length=120, blank=True, help_text="Large heading at the top of the page."
    )
    hero_text = models.TextField(
        blank=True, help_text="One or two sentences under the heading."
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Wide image behind the hero, at least 1600 px wide.",
    )
    body = RichTextField(blank=True, help_text="Optional text under the hero.")

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
            ],
            heading="Hero",
        ),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"
