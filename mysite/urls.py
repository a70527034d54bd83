from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from core.media import serve_media
from search import views as search_views

from .sitemaps import sitemaps


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def bench_bare(request):
    """The benchmark's baseline: the whole middleware stack, no database, no template.

    `make bench` reports every page as a ratio to this view measured in the same run.
    """
    return HttpResponse("bare", content_type="text/plain")


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path(
        "robots.txt",
        cache_control(max_age=86400)(
            TemplateView.as_view(template_name="robots.txt", content_type="text/plain")
        ),
    ),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("account/orders/", include("orders.account_urls")),
    path("account/", include("accounts.urls")),
    path("people/", include("accounts.people_urls")),
    path("gallery/", include("gallery.urls")),
    path("cart/", include("shop.cart_urls")),
    path("shop/", include("shop.urls")),
    path("orders/", include("orders.urls")),
    path("payment/", include("orders.payment_urls")),
]

if settings.BENCH_ENDPOINTS:
    urlpatterns.insert(0, path("__bench__/bare/", bench_bare, name="bench-bare"))

if settings.SERVE_MEDIA:
    # Uploaded images for a single host (on in development, off by default in
    # production); documents never (core/media.py). Object storage: see README.
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve_media, name="media"))

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    if "debug_toolbar" in settings.INSTALLED_APPS:
        urlpatterns = [path("__debug__/", include("debug_toolbar.urls")), *urlpatterns]

# Wagtail's page tree catches everything else, so it comes last.
urlpatterns.append(path("", include(wagtail_urls)))
