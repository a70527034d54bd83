"""Wagtail: the admin, search, documents and images."""

from .environment import env

WAGTAIL_SITE_NAME = "My Site"
WAGTAILADMIN_BASE_URL = env.str(
    "WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000"
)
SEARCH_LANGUAGE = env.str("SEARCH_LANGUAGE", default="english")
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": SEARCH_LANGUAGE,
    }
}
WAGTAILDOCS_EXTENSIONS = [
    "csv",
    "docx",
    "odt",
    "pdf",
    "pptx",
    "rtf",
    "txt",
    "xlsx",
    "zip",
]
# Documents always stream through Wagtail's /documents/<id>/<name> view, which
# enforces private collections, never a redirect to the storage's (public) URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar avatars in the admin: pages load nothing from outside the site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
