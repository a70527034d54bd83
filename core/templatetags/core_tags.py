"""Site-wide template tags for the base layout."""

import hashlib

from django import template
from django.utils.safestring import mark_safe
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

from ..cache_tags import cached_value

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


# --- Fragments cached per version of what they show --------------------------------

FRAGMENT_SECONDS = 60 * 10


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, name, tags, vary):
        self.nodelist, self.name, self.tags, self.vary = nodelist, name, tags, vary

    def render(self, context):
        name = self.name.resolve(context)
        tags = [str(tag.resolve(context)) for tag in self.tags]
        vary = [str(value.resolve(context)) for value in self.vary]
        request = context.get("request")
        host = request.get_host() if request is not None else ""
        key = (
            "fragment:"
            + hashlib.sha256("\0".join([host, name, *tags, *vary]).encode()).hexdigest()
        )
        html = cached_value(
            key, tags, lambda: str(self.nodelist.render(context)), FRAGMENT_SECONDS
        )
        return mark_safe(html)  # noqa: S308 - the block's own rendered output


@register.tag
def cached_fragment(parser, token):
    """`{% cached_fragment "name" "tag" … [vary=value …] %}…{% endcached_fragment %}`

    Renders the block once per version of its dependency tags (core.cache_tags) and
    serves the HTML from Redis until one of them is invalidated, also on pages the
    page cache does not keep (logged-in members, unique query strings). The tags
    must cover everything the block shows, and the block must hold nothing
    per-visitor (user menu, like state, CSRF token): those stay outside it. `vary=`
    values are part of the key. Redis down: rendered every time.
    """
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("cached_fragment needs a name")
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    tags, vary = [], []
    for bit in bits[1:]:
        if bit.startswith("vary="):
            vary.append(parser.compile_filter(bit.removeprefix("vary=")))
        else:
            tags.append(parser.compile_filter(bit))
    return CachedFragmentNode(nodelist, parser.compile_filter(bits[0]), tags, vary)
