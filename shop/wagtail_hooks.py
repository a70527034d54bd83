"""Catalog admin classes. They are registered in the "Shop" menu group together with
Orders, in `orders/wagtail_hooks.py` (one group, one place)."""

from wagtail_modeladmin.options import ModelAdmin

from .models import Category, Product


class CategoryAdmin(ModelAdmin):
    model = Category
    menu_label = "Categories"
    menu_icon = "folder-open-inverse"
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class ProductAdmin(ModelAdmin):
    model = Product
    menu_label = "Products"
    menu_icon = "pick"
    list_display = ("name", "category", "price", "stock", "available", "updated")
    list_filter = ("available", "category", "created")
    list_select_related = ("category",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
