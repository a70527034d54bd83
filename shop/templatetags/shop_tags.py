from django import template

from core.cache_tags import cache_depends
from shop import selectors

register = template.Library()


@register.simple_tag
def featured_products(limit: int = 4):
    cache_depends("products")
    return selectors.featured_products(limit=limit)
