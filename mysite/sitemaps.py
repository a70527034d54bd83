"""The sitemaps /sitemap.xml serves: Wagtail's page tree plus what apps add here."""

from wagtail.contrib.sitemaps import Sitemap as PageSitemap

# Blog tag archives (/blog/tag/<slug>/) are listed by BlogIndexPage.get_sitemap_urls,
# so they come with the page tree's host names.
sitemaps = {
    "pages": PageSitemap,
}
