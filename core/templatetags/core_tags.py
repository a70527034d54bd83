"""Site-wide template tags for the base layout."""

from django import template
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

register = template.Library()

# Set at login (core.signals): may this member use the Wagtail admin?
ADMIN_ACCESS_SESSION_KEY = "_admin_access"


def can_access_admin(request) -> bool:
    """has_perm costs two permission queries per page; the answer is taken once at
    login and kept in the session. It only decides whether the userbar shows (a
    permission granted later shows it after the next login); the admin itself checks
    permissions on every request."""
    user = request.user
    if not user.is_authenticated:
        return False
    allowed = request.session.get(ADMIN_ACCESS_SESSION_KEY)
    if allowed is None:  # a session from before this flag existed
        allowed = user.has_perm("wagtailadmin.access_admin")
    return allowed


@register.simple_tag(takes_context=True)
def site_userbar(context, position="bottom-right"):
    """Wagtail's userbar, rendered only for users who may use the admin."""
    request = context.get("request")
    if request is None or not hasattr(request, "user"):
        return ""
    if not can_access_admin(request):
        return ""
    return wagtailuserbar(context, position)
