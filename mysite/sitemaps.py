"""The sitemaps /sitemap.xml serves: Wagtail's page tree plus what apps add here."""

from wagtail.contrib.sitemaps import Sitemap as PageSitemap

sitemaps = {
    "pages": PageSitemap,
}
