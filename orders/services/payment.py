"""Stripe: the Checkout Session an order is paid through, and the webhook's events."""

import logging
from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.converters import id64_or_none

from ..exceptions import PaymentExpired
from ..models import Order, StripeEvent
from . import mail, recommendations
from .checkout import order_cancel_and_release_stock, order_transition

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    """Stripe's smallest currency unit, rounded with Decimal (never float)."""
    return int((amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100).to_integral())


def stripe_client() -> stripe.StripeClient:
    options = {}
    if settings.STRIPE_API_BASE:
        options["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        max_network_retries=2,
        http_client=stripe.RequestsClient(timeout=(5, 20)),
        **options,
    )


def payment_checkout_session_url(
    *, order: Order, success_url: str, cancel_url: str
) -> str:
    """The URL of the order's Stripe Checkout Session, creating it once.

    An open session is reused on reload; creation carries an idempotency key per
    order so a retried request cannot create a second session either. An expired
    session cancels the order (as its webhook will): a fresh session racing that
    webhook could take money for a canceled order.
    """
    client = stripe_client()
    if order.stripe_session_id:
        session = client.v1.checkout.sessions.retrieve(order.stripe_session_id)
        if session.status == "open":
            return session.url
        if session.status == "complete":
            return success_url  # paid; the webhook marks the order
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            if locked.status == Order.Status.PENDING:
                order_cancel_and_release_stock(order=locked)
        raise PaymentExpired
    items = list(order.items.all())
    params = {
        "mode": "payment",
        "client_reference_id": str(order.id),
        "customer_email": order.email,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": {"order_id": str(order.id)},
        "line_items": [
            {
                "price_data": {
                    "currency": order.currency,
                    "unit_amount": to_cents(item.price),
                    "product_data": {"name": item.product_name},
                },
                "quantity": item.quantity,
            }
            for item in items
        ],
    }
    discounts = _stripe_discounts(client=client, order=order)
    if discounts:
        params["discounts"] = discounts
    key = f"order-{order.id}-checkout"
    session = client.v1.checkout.sessions.create(
        params=params, options={"idempotency_key": key}
    )
    Order.objects.filter(pk=order.pk).update(stripe_session_id=session.id)
    order.stripe_session_id = session.id
    return session.url


def _stripe_discounts(*, client: stripe.StripeClient, order: Order) -> list[dict]:
    """The order's stored discount as a one-off Stripe coupon for exactly that many
    cents, so Stripe charges `order.total` to the cent (a percent-off coupon would
    leave the rounding to Stripe). One coupon per order: the idempotency key makes a
    retried request return the same one."""
    if not order.discount_amount:
        return []
    coupon = client.v1.coupons.create(
        params={
            "amount_off": to_cents(order.discount_amount),
            "currency": order.currency,
            "duration": "once",
            "max_redemptions": 1,
            "name": f"{order.coupon_code} −{order.discount_percent} %"[:40],
            "metadata": {"order_id": str(order.id), "code": order.coupon_code},
        },
        options={"idempotency_key": f"order-{order.id}-coupon"},
    )
    return [{"coupon": coupon.id}]


def order_mark_paid(*, order: Order, payment_intent: str) -> Order:
    order = order_transition(
        order=order,
        status=Order.Status.PAID,
        paid_at=timezone.now(),
        stripe_payment_intent_id=payment_intent or "",
    )
    transaction.on_commit(lambda: mail.mail_enqueue(kind="invoice", order_id=order.id))
    transaction.on_commit(
        lambda: recommendations.recommendations_enqueue(order_id=order.id)
    )
    return order


def stripe_event_process(*, event) -> str:
    """Apply one verified Stripe event, at most once. Returns what happened (for logs
    and tests). Everything runs in one transaction with the event's record, so a
    failure leaves the event unrecorded and Stripe's retry processes it again."""
    with transaction.atomic():
        _, created = StripeEvent.objects.get_or_create(
            id=event["id"], defaults={"type": event["type"]}
        )
        if not created:
            return "replay"
        handler = _EVENT_HANDLERS.get(event["type"])
        if handler is None:
            return "ignored"
        return handler(event["data"]["object"])


def _order_for_session(session) -> Order | None:
    order_id = id64_or_none(str(session.get("client_reference_id") or ""))
    if order_id is None:
        logger.warning("Stripe session %s has no usable order id", session.get("id"))
        return None
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        logger.warning(
            "Stripe session %s names unknown order %s", session.get("id"), order_id
        )
    return order


def _on_session_completed(session) -> str:
    # "no_payment_required": a coupon took the whole amount (then it is 0 and the
    # amount check below still holds).
    if session.get("payment_status") not in {"paid", "no_payment_required"}:
        return "not-paid-yet"
    order = _order_for_session(session)
    if order is None:
        return "unknown-order"
    if order.status != Order.Status.PENDING:
        logger.warning(
            "Order %s is %s; completed session ignored", order.pk, order.status
        )
        return f"order-{order.status}"
    expected = to_cents(order.total)
    amount, currency = session.get("amount_total"), str(session.get("currency") or "")
    if amount != expected or currency.lower() != order.currency.lower():
        logger.error(
            "Order %s: Stripe charged %s %s but the order is %s %s; left unpaid",
            order.pk,
            amount,
            currency,
            expected,
            order.currency,
        )
        return "amount-mismatch"
    order_mark_paid(
        order=order, payment_intent=str(session.get("payment_intent") or "")
    )
    return "paid"


def _on_session_expired(session) -> str:
    order = _order_for_session(session)
    if order is None:
        return "unknown-order"
    if order.status != Order.Status.PENDING:
        return f"order-{order.status}"
    order_cancel_and_release_stock(order=order)
    return "canceled"


_EVENT_HANDLERS = {
    "checkout.session.completed": _on_session_completed,
    "checkout.session.async_payment_succeeded": _on_session_completed,
    "checkout.session.expired": _on_session_expired,
}
