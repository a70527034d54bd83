import json
import logging
import uuid

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.ratelimit import client_ip
from coupons.exceptions import CouponError
from shop.cart import Cart

from .documents import credit_note_response, invoice_response
from .exceptions import EmptyCart, OutOfStock, PaymentExpired, TooManyPendingOrders
from .forms import OrderCreateForm
from .models import Order, Refund
from .services.checkout import order_create_from_cart
from .services.members import member_checkout_initial
from .services.payment import payment_checkout_session_url, stripe_event_process

logger = logging.getLogger(__name__)

ORDER_SESSION_KEY = "order_id"


def order_create(request):
    cart = Cart(request)
    if request.method == "POST":
        form = OrderCreateForm(request.POST)
        if form.is_valid():
            if request.session.session_key is None:
                request.session.save()  # a key to count this client's orders by
            try:
                order, _ = order_create_from_cart(
                    cart=cart,
                    customer=form.customer(),
                    token=form.cleaned_data["token"],
                    client_ip=client_ip(request),
                    session_key=request.session.session_key,
                    user=request.user,
                )
            except EmptyCart:
                messages.error(request, "Your cart is empty.")
                return redirect("cart:cart_detail")
            except OutOfStock as exc:
                messages.error(request, f"{exc} Please change your cart.")
                return redirect("cart:cart_detail")
            except TooManyPendingOrders as exc:
                messages.error(
                    request,
                    f"You already have {exc.pending} orders waiting for payment. "
                    "Please pay for one of them, or wait until they expire (unpaid "
                    f"orders are released after {settings.ORDERS_HOLD_MINUTES} "
                    "minutes), before placing another. Your cart is kept.",
                )
                return redirect("cart:cart_detail")
            except CouponError as exc:
                # Never charge more than the page said without showing it first.
                cart.coupon_remove()
                messages.error(
                    request,
                    f"{exc} It was removed from your cart; please check the new "
                    "total before you order.",
                )
                return redirect("cart:cart_detail")
            cart.clear()
            request.session[ORDER_SESSION_KEY] = order.id
            return redirect("payment:process")
    else:
        form = OrderCreateForm(
            initial={
                "token": uuid.uuid4(),
                **member_checkout_initial(user=request.user),
            }
        )
    lines = cart.lines()
    for name in cart.dropped:
        messages.warning(request, f"{name} is no longer available and left your cart.")
    if not lines and request.method == "GET":
        messages.info(request, "Your cart is empty.")
        return redirect("cart:cart_detail")
    coupon = cart.coupon
    if cart.coupon_problem:
        messages.warning(request, f"{cart.coupon_problem} It was removed.")
    return TemplateResponse(
        request,
        "orders/order_create.html",
        {
            "form": form,
            "lines": lines,
            "subtotal": cart.get_total_price(),
            "coupon": coupon,
            "discount": cart.get_discount(),
            "total": cart.get_total_price_after_discount(),
        },
    )


def _session_order(request) -> Order | None:
    order_id = request.session.get(ORDER_SESSION_KEY)
    if not isinstance(order_id, int):
        return None
    return Order.objects.filter(pk=order_id).prefetch_related("items").first()


def payment_process(request):
    order = _session_order(request)
    if order is None:
        messages.info(request, "There is no order waiting for payment.")
        return redirect("shop:product_list")
    context = {"order": order, "stripe_configured": bool(settings.STRIPE_SECRET_KEY)}
    if request.method == "POST" and order.status == Order.Status.PENDING:
        if not context["stripe_configured"]:
            return TemplateResponse(request, "orders/payment_process.html", context)
        try:
            url = payment_checkout_session_url(
                order=order,
                success_url=request.build_absolute_uri(reverse("payment:completed")),
                cancel_url=request.build_absolute_uri(reverse("payment:canceled")),
            )
        except PaymentExpired:
            messages.warning(
                request,
                "This order can no longer be paid: its payment time ran out or "
                "it was canceled.",
            )
            return redirect("payment:process")
        except stripe.StripeError:
            logger.exception("Stripe refused a Checkout Session for order %s", order.pk)
            messages.error(
                request, "The payment service is not reachable. Please try again."
            )
            return redirect("payment:process")
        return redirect(url, permanent=False)
    return TemplateResponse(request, "orders/payment_process.html", context)


def payment_completed(request):
    return TemplateResponse(
        request, "orders/payment_completed.html", {"order": _session_order(request)}
    )


def payment_canceled(request):
    return TemplateResponse(
        request, "orders/payment_canceled.html", {"order": _session_order(request)}
    )


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's signed event notifications. Bad signatures get 400 and change
    nothing; everything verified gets 200 (even unknown orders) so Stripe stops
    retrying events we have deliberately ignored."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    signature = request.headers.get("Stripe-Signature")
    if not secret or not signature:
        return HttpResponseBadRequest("missing signature")
    try:
        stripe.Webhook.construct_event(request.body, signature, secret)
        # Verified: work on plain data (the SDK's objects are not dicts).
        event = json.loads(request.body)
        event["id"], event["type"], event["data"]["object"]  # noqa: B018 - shape check
    except (ValueError, KeyError, TypeError, stripe.SignatureVerificationError):
        logger.warning("Stripe webhook with a bad signature or body refused")
        return HttpResponseBadRequest("bad signature")
    outcome = stripe_event_process(event=event)
    logger.info("Stripe event %s (%s): %s", event["id"], event["type"], outcome)
    return HttpResponse(outcome, content_type="text/plain")


def invoice_pdf(request, order_id):
    """The order's PDF invoice, for whoever may view orders (`orders.view_order`;
    superusers have every permission). Being staff alone is not enough: the
    editors of the blog are staff too."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("orders.view_order"):
        raise PermissionDenied
    order = get_object_or_404(Order.objects.prefetch_related("items"), pk=order_id)
    return invoice_response(order)


def credit_note_pdf(request, refund_id):
    """A confirmed refund's credit note (PDF), for staff who may view orders, as
    the invoice. Only refunds Stripe confirmed have one."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("orders.view_order"):
        raise PermissionDenied
    refund = get_object_or_404(
        Refund.objects.select_related("order"),
        pk=refund_id,
        status=Refund.Status.SUCCEEDED,
    )
    return credit_note_response(refund)
