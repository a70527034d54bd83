"""Filters for the member's order pages (and the mails and pages that link to them)."""

from django import template

from ..services.members import order_has_invoice, order_status_label

register = template.Library()


@register.filter
def customer_status(order) -> str:
    """The order's status as its customer reads it ("Shipped, partially refunded")."""
    return order_status_label(order)


@register.filter
def has_invoice(order) -> bool:
    return order_has_invoice(order)


@register.simple_tag
def order_claim_url(order) -> str:
    """The signed "Save this order to your account" link of a guest order."""
    from django.urls import reverse

    from ..services.members import order_claim_token

    return reverse("member_orders:claim", args=[order_claim_token(order=order)])
