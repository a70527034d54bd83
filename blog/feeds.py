"""RSS and Atom feeds of the latest published posts (routes of BlogIndexPage)."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

FEED_LENGTH = 20


class LatestPostsFeed(Feed):
    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return self.index_page.title

    def link(self):
        return self.index_page.get_url(self.request)

    def description(self):
        return self.index_page.intro or f"The latest posts of {self.index_page.title}"

    def items(self):
        return self.index_page.get_posts()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return item.get_url(self.request)

    def item_author_name(self, item):
        return item.author_name or None

    def item_pubdate(self, item):
        return timezone.make_aware(
            datetime.datetime.combine(item.date, datetime.time.min),
            datetime.UTC,
        )

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [tag["name"] for tag in item.card_tags]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description
