"""Staff admin: the "Shop" menu (categories, products, coupons, orders) and the sales
panel."""

from decimal import Decimal

from django.conf import settings
from django.http import HttpResponseBadRequest
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.helpers.search import DjangoORMSearchHandler
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register
from wagtail_modeladmin.views import IndexView, InspectView

from coupons.wagtail_hooks import CouponAdmin
from shop.wagtail_hooks import CategoryAdmin, ProductAdmin

from . import selectors
from .exports import orders_csv_response
from .models import Order


class OrderSearchHandler(DjangoORMSearchHandler):
    """Name and e-mail by substring; a number also finds the order with that id."""

    def search_queryset(self, queryset, search_term, **kwargs):
        term = (search_term or "").strip()
        if term.isdigit() and len(term) < 19:
            return queryset.filter(pk=int(term))
        return super().search_queryset(queryset, term, **kwargs)


class OrderPermissionHelper(PermissionHelper):
    """Orders come from checkout and change only through the order services (which
    check status transitions): staff inspect and export them, never edit them."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class OrderIndexView(IndexView):
    def as_spreadsheet(self, queryset, spreadsheet_format):
        # `queryset` is the list as filtered and searched on screen.
        if spreadsheet_format != "csv":
            return HttpResponseBadRequest("Only CSV export is offered.")
        return orders_csv_response(queryset.order_by("-created", "-id"))


class OrderInspectView(InspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = list(self.instance.items.all())
        context["stripe_url"] = self.instance.get_stripe_url()
        context["invoice_url"] = self.instance.get_invoice_url()
        return context


class OrderAdmin(ModelAdmin):
    model = Order
    menu_label = "Orders"
    menu_icon = "list-ul"
    list_display = ("id", "full_name", "email", "status", "total", "created")
    list_filter = ("status", "created")
    search_fields = ("first_name", "last_name", "email")
    search_handler_class = OrderSearchHandler
    list_export = ("id",)  # turns on the export links; the CSV has every field
    index_view_class = OrderIndexView
    index_template_name = "modeladmin/orders/order/index.html"
    inspect_view_enabled = True
    inspect_view_class = OrderInspectView
    inspect_view_fields = (
        "id",
        "status",
        "created",
        "paid_at",
        "first_name",
        "last_name",
        "email",
        "address",
        "postal_code",
        "city",
        "stripe_payment_intent_id",
        "confirmation_sent_at",
        "invoice_sent_at",
    )
    inspect_template_name = "modeladmin/orders/order/inspect.html"
    permission_helper_class = OrderPermissionHelper
    list_per_page = 50


class ShopGroup(ModelAdminGroup):
    menu_label = "Shop"
    menu_icon = "pick"
    menu_order = 300
    items = (CategoryAdmin, ProductAdmin, CouponAdmin, OrderAdmin)


modeladmin_register(ShopGroup)


class SalesPanel(Component):
    """Orders and paid revenue today / 7 / 30 days with a per-day SVG bar chart."""

    name = "sales"
    template_name = "orders/admin/sales_panel.html"
    order = 50
    CHART_WIDTH, CHART_HEIGHT = 600, 120

    def get_context_data(self, parent_context):
        days = selectors.sales_last_days(days=30)
        peak = max((d.revenue for d in days), default=Decimal(0)) or Decimal(1)
        slot = self.CHART_WIDTH / len(days)
        bars = []
        for index, day in enumerate(days):
            height = float(day.revenue / peak) * (self.CHART_HEIGHT - 10)
            bars.append(
                {
                    "x": round(index * slot + 1, 1),
                    "y": round(self.CHART_HEIGHT - height, 1),
                    "width": round(slot - 2, 1),
                    "height": round(height, 1),
                    "day": day,
                }
            )
        return {
            "summary": selectors.sales_summary(days),
            "bars": bars,
            "width": self.CHART_WIDTH,
            "height": self.CHART_HEIGHT,
            "currency": settings.STRIPE_CURRENCY.upper(),
            "peak": peak if peak != 1 else Decimal(0),
        }


@hooks.register("construct_homepage_panels")
def add_sales_panel(request, panels):
    if request.user.has_perm("orders.view_order") or request.user.is_superuser:
        panels.append(SalesPanel())
