"""Catalog admin classes. They are registered in the "Shop" menu group together with
Orders, in `orders/wagtail_hooks.py` (one group, one place)."""

from wagtail.admin.panels import ObjectList
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import EditView

from .forms import ProductAdminForm, StockMoved
from .models import Category, Product


class CategoryAdmin(ModelAdmin):
    model = Category
    menu_label = "Categories"
    menu_icon = "folder-open-inverse"
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class ProductEditView(EditView):
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except StockMoved as exc:
            form.show_stock_moved(stock=exc.stock)
            return self.form_invalid(form)


class ProductAdmin(ModelAdmin):
    model = Product
    menu_label = "Products"
    menu_icon = "pick"
    list_display = ("name", "category", "price", "stock", "available", "updated")
    list_filter = ("available", "category", "created")
    list_select_related = ("category",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    # Stock edits are applied as a change to the loaded value (see the form).
    edit_handler = ObjectList(Product.panels, base_form_class=ProductAdminForm)
    edit_view_class = ProductEditView
