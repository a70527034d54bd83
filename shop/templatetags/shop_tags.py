from django import template

from shop import selectors

register = template.Library()


@register.simple_tag
def featured_products(limit: int = 4):
    return selectors.featured_products(limit=limit)
