"""Wagtail hooks of the site's infrastructure."""

from wagtail import hooks

from .cache_tags import cache_depends


@hooks.register("before_serve_page")
def page_cache_depends_on_the_page(page, request, serve_args, serve_kwargs):
    """Every served page (and each route of a routable page) depends on its own
    tag, "page:<id>", which its publish/unpublish/move/delete invalidates."""
    cache_depends(f"page:{page.pk}")
