import math

from django import template

register = template.Library()


@register.filter
def minutes(value) -> int:
    """A timedelta as whole minutes, rounded up ("try again in 15 minutes")."""
    try:
        return max(1, math.ceil(value.total_seconds() / 60))
    except AttributeError:
        return 0
