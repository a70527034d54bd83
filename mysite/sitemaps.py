"""The sitemaps /sitemap.xml serves: Wagtail's page tree plus what apps add here."""

from wagtail.contrib.sitemaps import Sitemap

from core.cache_tags import cache_depends


class PageSitemap(Sitemap):
    """Wagtail's page tree (blog tag archives included); the page cache keeps the
    sitemap until a page or a post changes."""

    def items(self):
        cache_depends("pages", "posts")
        return super().items()


# Blog tag archives (/blog/tag/<slug>/) are listed by BlogIndexPage.get_sitemap_urls,
# so they come with the page tree's host names.
sitemaps = {
    "pages": PageSitemap,
}
