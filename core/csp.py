"""django-csp's middleware with per-path additions to the site's policy.

CONTENT_SECURITY_POLICY is the strict policy of every page (no inline script, no
eval, `object-src 'none'`, `base-uri 'self'`). CONTENT_SECURITY_POLICY_PATH_UPDATES
maps a path prefix to sources *added* to it under that prefix — only the Wagtail
admin (`/admin/`), whose templates still carry inline scripts. A view's own
`@csp_update` / `@csp_replace` / `@csp_override` (django-csp) still applies on top.

MIDDLEWARE: "core.csp.PathCSPMiddleware" in place of "csp.middleware.CSPMiddleware".
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


def path_updates(path: str) -> dict[str, list[str]]:
    """The sources added to the policy for `path` (every matching prefix)."""
    merged: dict[str, list[str]] = {}
    for prefix, update in settings.CONTENT_SECURITY_POLICY_PATH_UPDATES.items():
        if path.startswith(prefix):
            for directive, sources in update.items():
                merged.setdefault(directive, []).extend(sources)
    return merged


class PathCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        extra = path_updates(request.path_info)
        if extra and not report_only:
            update = {key: list(value) for key, value in extra.items()}
            for directive, sources in (parts.update or {}).items():
                if isinstance(sources, str):
                    sources = [sources]
                update.setdefault(directive, []).extend(sources or [])
            parts.update = update
        return parts
