"""/media/ for a single-host deployment (SERVE_MEDIA), without its back door.

Wagtail documents live under MEDIA_ROOT/documents/ but are served only through
/documents/<id>/<name>, which checks private collections (WAGTAILDOCS_SERVE_METHOD is
"serve_view"). Serving MEDIA_ROOT wholesale would hand a private file to anyone who
knows or guesses its path, so this view refuses everything under documents/, however
the path is spelled (`images/../documents/…`, `//documents/…`).
"""

import posixpath

from django.conf import settings
from django.http import Http404
from django.views.decorators.cache import cache_control
from django.views.static import serve

# Folders of MEDIA_ROOT never served from /media/ (Wagtail's document upload_to).
PRIVATE_MEDIA_FOLDERS = ("documents",)


@cache_control(max_age=86400)
def serve_media(request, path: str):
    normalized = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    if normalized.split("/", 1)[0] in PRIVATE_MEDIA_FOLDERS:
        raise Http404("Documents are served from /documents/.")
    return serve(request, normalized, document_root=settings.MEDIA_ROOT)
