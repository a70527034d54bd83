"""Staff admin: the "Shop" menu (categories, products, coupons, orders), the staff
actions on an order, and the sales panel."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import stripe
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import re_path
from django.views.defaults import permission_denied
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.helpers.search import DjangoORMSearchHandler
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register
from wagtail_modeladmin.views import IndexView, InspectView, InstanceSpecificView

from coupons.wagtail_hooks import CouponAdmin
from shop.wagtail_hooks import CategoryAdmin, ProductAdmin

from . import selectors
from .exceptions import (
    InvalidOrderTransition,
    PaymentUnderway,
    RefundNotSent,
    RefundRefused,
)
from .exports import orders_csv_response
from .forms import OrderNoteForm, RefundForm, ShipmentForm
from .models import Order, OrderEvent
from .services.cancel import order_cancel
from .services.fulfilment import order_mark_delivered, order_mark_shipped
from .services.history import order_event_record
from .services.refund import refund_left, refund_request, refunded_quantities

logger = logging.getLogger(__name__)


class OrderActionRefused(Exception):
    """A staff action could not be done; the message says why, for the staff member."""


@dataclass(frozen=True)
class OrderAction:
    """Something staff do to one order: a button on its inspect view, shown only
    when the order's status may move to `target` and the user has `permission`;
    it opens a confirmation page that POSTs (with CSRF) to the same URL,
    `/admin/orders/order/<name>/<id>/`. `perform` calls a service and returns the
    success message, or raises `OrderActionRefused`. With a `form_class` the
    confirmation page shows that form; `perform` then gets its cleaned data as
    keyword arguments, and an invalid form is shown again with its errors."""

    name: str
    label: str
    target: str
    permission: str
    explanation: str
    confirm_label: str
    perform: Callable[..., str] | None
    # Where the action applies when narrower than the state machine allows.
    from_statuses: tuple[str, ...] = ()
    form_class: type[forms.Form] | None = None
    # "form": the action has a form page of its own (RefundActionView) instead of
    # the confirmation page.
    view_class: str = ""

    def allowed(self, user, order: Order) -> bool:
        if self.from_statuses and order.status not in self.from_statuses:
            return False
        return self.target in Order.TRANSITIONS.get(order.status, ()) and user.has_perm(
            self.permission
        )


def _cancel(*, order: Order, user) -> str:
    if order.status == Order.Status.PAID:
        return _cancel_paid(order=order, user=user)
    try:
        order_cancel(order=order, by=user)
    except PaymentUnderway as exc:
        raise OrderActionRefused(
            f"Not canceled: Stripe reports the payment of order {order.number} as "
            "done or under way. The payment webhook will update the order."
        ) from exc
    except stripe.StripeError as exc:
        logger.warning("Stripe unreachable canceling order %s", order.pk, exc_info=True)
        raise OrderActionRefused(
            "Not canceled: Stripe could not be reached to close the payment page. "
            "Nothing changed; please try again."
        ) from exc
    except InvalidOrderTransition as exc:
        raise OrderActionRefused(
            f"Not canceled: order {order.number} changed meanwhile. Please check it "
            "and try again."
        ) from exc
    return f"Order {order.number} canceled; its items are back in stock."


def _ship(*, order: Order, user, carrier: str, tracking_number: str) -> str:
    try:
        order_mark_shipped(
            order=order, carrier=carrier, tracking_number=tracking_number, by=user
        )
    except InvalidOrderTransition as exc:
        raise OrderActionRefused(
            f"Not shipped: order {order.number} changed meanwhile. Please check it "
            "and try again."
        ) from exc
    return (
        f"Order {order.number} marked shipped ({carrier}, {tracking_number}); "
        "the customer is being mailed."
    )


def _deliver(*, order: Order, user) -> str:
    try:
        order_mark_delivered(order=order, by=user)
    except InvalidOrderTransition as exc:
        raise OrderActionRefused(
            f"Not marked delivered: order {order.number} changed meanwhile. Please "
            "check it and try again."
        ) from exc
    return f"Order {order.number} marked delivered."


def _cancel_paid(*, order: Order, user) -> str:
    """A paid order not shipped yet: everything left is refunded through Stripe
    and its units go back in stock; it becomes "canceled" when Stripe confirms.
    Needs only `cancel_order` (canceling is the decision; the refund follows)."""
    try:
        refund = refund_request(order=order, cancel=True, by=user)
    except (RefundRefused, RefundNotSent) as exc:
        raise OrderActionRefused(f"Not canceled: {exc}") from exc
    return (
        f"Refund of {refund.amount} {refund.currency.upper()} requested from Stripe: "
        f"order {order.number} is canceled and its items back in stock when Stripe "
        "confirms it."
    )


ORDER_ACTIONS = (
    OrderAction(
        name="cancel",
        label="Cancel order",
        target=Order.Status.CANCELED,
        permission="orders.cancel_order",
        explanation="Its items go back in stock and its Stripe payment page, if one "
        "is open, is closed so it can no longer be paid. A paid order is refunded "
        "in full through Stripe first: it is canceled when Stripe confirms the "
        "refund. This cannot be undone.",
        confirm_label="Yes, cancel the order",
        perform=_cancel,
        from_statuses=(Order.Status.PENDING, Order.Status.PAID),
    ),
    OrderAction(
        name="refund",
        label="Refund…",
        target=Order.Status.REFUNDED,
        permission="orders.refund_order",
        explanation="Give money back through Stripe: some units of its lines, an "
        "amount, or both. The order records the refund when Stripe confirms it.",
        confirm_label="Refund",
        perform=None,
        view_class="form",
    ),
    OrderAction(
        name="ship",
        label="Mark shipped",
        target=Order.Status.FULFILLED,
        permission="orders.fulfil_order",
        explanation="The customer gets a mail with the carrier and tracking number "
        "(a tracking link for the carriers in ORDERS_TRACKING_URLS).",
        confirm_label="Mark shipped",
        perform=_ship,
        form_class=ShipmentForm,
    ),
    OrderAction(
        name="deliver",
        label="Mark delivered",
        target=Order.Status.DELIVERED,
        permission="orders.fulfil_order",
        explanation="The parcel has reached the customer. No mail is sent.",
        confirm_label="Yes, mark delivered",
        perform=_deliver,
    ),
)


class OrderActionView(InstanceSpecificView):
    """The confirmation page (GET) and the action itself (POST)."""

    action: OrderAction = None
    template_name = "modeladmin/orders/order/action_confirm.html"

    def __init__(self, model_admin, instance_pk, action):
        super().__init__(model_admin, instance_pk)
        self.action = action

    def check_action_permitted(self, user):
        return user.has_perm(self.action.permission)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.check_action_permitted(
            request.user
        ):
            # A plain 403: Wagtail's admin would turn PermissionDenied into a
            # redirect to the dashboard, which scripts and tests read as success.
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.action.label

    @property
    def inspect_url(self):
        return self.url_helper.get_action_url("inspect", self.pk_quoted)

    def _not_possible(self):
        messages.error(
            self.request,
            f"Order {self.instance.number} is "
            f"{self.instance.get_status_display().lower()}: "
            f"“{self.action.label}” is not possible.",
        )
        return redirect(self.inspect_url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["carriers"] = sorted(settings.ORDERS_TRACKING_URLS)
        return context

    # The base view has checked the login and the permission (403) by now.
    def get(self, request, *args, **kwargs):
        if not self.action.allowed(request.user, self.instance):
            return self._not_possible()
        form = self.action.form_class() if self.action.form_class else None
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if not self.action.allowed(request.user, self.instance):
            return self._not_possible()
        values = {}
        if self.action.form_class:
            form = self.action.form_class(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form))
            values = form.cleaned_data
        try:
            message = self.action.perform(
                order=self.instance, user=request.user, **values
            )
        except OrderActionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, message)
        return redirect(self.inspect_url)


class OrderNoteView(InstanceSpecificView):
    """Adds a staff note to the order's timeline (POST from the inspect view's
    form): for staff who may view orders; anything else gets 403."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            user.is_staff and user.has_perm("orders.view_order")
        ):
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = OrderNoteForm(request.POST)
        if form.is_valid():
            order_event_record(
                order=self.instance,
                kind=OrderEvent.Kind.NOTE,
                actor=request.user,
                message=form.cleaned_data["message"],
            )
            messages.success(request, "Note added to the timeline.")
        else:
            errors = "; ".join(form.errors["message"])
            messages.error(request, f"Note not added: {errors}")
        inspect = self.url_helper.get_action_url("inspect", self.pk_quoted)
        return redirect(f"{inspect}#timeline")


class RefundActionView(OrderActionView):
    """The "Refund…" form: per-line quantities and/or an amount, restock."""

    template_name = "modeladmin/orders/order/action_refund.html"

    def _form(self, data=None):
        refunds = list(self.instance.refunds.all())
        return RefundForm(
            data,
            items=list(self.instance.items.all()),
            refunded=refunded_quantities(refunds),
            left=refund_left(order=self.instance, refunds=refunds),
            currency=self.instance.currency.upper(),
        )

    def get_context_data(self, **kwargs):
        if kwargs.get("form") is None:  # the base view's GET passes None
            kwargs["form"] = self._form()
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if not self.action.allowed(request.user, self.instance):
            return self._not_possible()
        form = self._form(request.POST)
        if form.is_valid():
            try:
                refund = refund_request(
                    order=self.instance,
                    amount=form.cleaned_data["amount"],
                    lines=form.lines(),
                    restock=form.cleaned_data["restock"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except RefundRefused as exc:
                form.add_error(None, str(exc))
            except RefundNotSent as exc:
                messages.error(request, str(exc))
                return redirect(self.inspect_url)
            else:
                messages.success(
                    request,
                    f"Refund of {refund.amount} {refund.currency.upper()} requested "
                    f"from Stripe for order {self.instance.number}. The order "
                    "records it when Stripe confirms it.",
                )
                return redirect(self.inspect_url)
        # 200 with the errors, as Django's admin answers an invalid form.
        return TemplateResponse(
            request, self.template_name, self.get_context_data(form=form)
        )


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
        refunds = list(self.instance.refunds.all())
        context["refunds"] = refunds
        context["refund_left"] = refund_left(order=self.instance, refunds=refunds)
        context["actions"] = [
            {
                "label": action.label,
                "url": self.url_helper.get_action_url(action.name, self.pk_quoted),
            }
            for action in ORDER_ACTIONS
            if action.allowed(self.request.user, self.instance)
            # Nothing left to give back (all refunded or requested): no button.
            and (action.name not in ("refund",) or context["refund_left"] > 0)
        ]
        context["events"] = list(self.instance.events.select_related("actor"))
        context["tracking_url"] = self.instance.get_tracking_url()
        if self.request.user.is_staff:
            context["note_form"] = OrderNoteForm()
            context["note_url"] = self.url_helper.get_action_url("note", self.pk_quoted)
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
        "hold_expires_at",
        "paid_at",
        "carrier",
        "tracking_number",
        "shipped_at",
        "delivered_at",
        "first_name",
        "last_name",
        "email",
        "address",
        "postal_code",
        "city",
        "stripe_payment_intent_id",
        "confirmation_sent_at",
        "invoice_sent_at",
        "shipped_mail_sent_at",
        "canceled_mail_sent_at",
    )
    inspect_template_name = "modeladmin/orders/order/inspect.html"
    permission_helper_class = OrderPermissionHelper
    list_per_page = 50

    def get_admin_urls_for_registration(self):
        urls = super().get_admin_urls_for_registration()
        return (
            urls
            + tuple(
                re_path(
                    self.url_helper.get_action_url_pattern(action.name),
                    self._action_view(action),
                    name=self.url_helper.get_action_url_name(action.name),
                )
                for action in ORDER_ACTIONS
            )
            + (
                re_path(
                    self.url_helper.get_action_url_pattern("note"),
                    self._note_view,
                    name=self.url_helper.get_action_url_name("note"),
                ),
            )
        )

    def _note_view(self, request, instance_pk):
        return OrderNoteView.as_view(model_admin=self, instance_pk=instance_pk)(request)

    def _action_view(self, action: OrderAction):
        view_class = RefundActionView if action.view_class else OrderActionView

        def view(request, instance_pk):
            return view_class.as_view(
                model_admin=self, instance_pk=instance_pk, action=action
            )(request)

        return view


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
