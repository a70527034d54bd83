"""Coupon admin class. Registered in the "Shop" menu group with categories, products
and orders, in `orders/wagtail_hooks.py` (one group, one place)."""

from wagtail_modeladmin.options import ModelAdmin

from .models import Coupon


class CouponAdmin(ModelAdmin):
    model = Coupon
    menu_label = "Coupons"
    menu_icon = "tag"
    list_display = (
        "code",
        "discount",
        "active",
        "valid_from",
        "valid_to",
        "uses",
        "max_uses",
        "min_order_total",
    )
    list_filter = ("active", "valid_to")
    search_fields = ("code",)
