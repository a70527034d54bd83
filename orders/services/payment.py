"""Stripe: the Checkout Session an order is paid through, and the webhook's events."""

import logging
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.converters import id64_or_none

from ..exceptions import InvalidOrderTransition, PaymentExpired
from ..models import Order, OrderEvent, StripeEvent
from . import mail, recommendations
from .checkout import order_cancel_and_release_stock, order_transition
from .history import order_event_record

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# Stripe takes a Checkout Session's `expires_at` 30 minutes to 24 hours ahead. A
# hold ending sooner than the minimum is stretched, with a margin for clocks and
# for a retried request (same idempotency key, so the same `expires_at`).
STRIPE_MIN_SESSION_LIFETIME = timedelta(minutes=31)
SESSION_STRETCHED_LIFETIME = timedelta(minutes=35)


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
    order so a retried request cannot create a second session either. The session
    expires when the order's stock hold does (stretched to Stripe's 30-minute
    minimum if need be), so the hold and the payment page end together. An expired
    session or hold cancels the order (as its webhook or the beat will): a fresh
    session racing that could take money for a canceled order.
    """
    client = stripe_client()
    if order.stripe_session_id:
        session = client.v1.checkout.sessions.retrieve(order.stripe_session_id)
        if session.status == "open":
            return session.url
        if session.status == "complete":
            return success_url  # paid; the webhook marks the order
        _cancel_if_pending(
            order=order, only_if={"stripe_session_id": order.stripe_session_id}
        )
        raise PaymentExpired
    expires_at = _hold_for_payment(order=order)
    if expires_at is None:
        return success_url  # paid meanwhile
    items = list(order.items.all())
    params = {
        "mode": "payment",
        "client_reference_id": str(order.id),
        "customer_email": order.email,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
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
    attached = (
        Order.objects.filter(pk=order.pk, status=Order.Status.PENDING)
        .filter(Q(stripe_session_id="") | Q(stripe_session_id=session.id))
        .update(stripe_session_id=session.id)
    )
    if not attached:
        # Canceled (by staff) while Stripe made the session: it must not be paid.
        try:
            payment_session_expire(session_id=session.id)
        except stripe.StripeError:
            logger.exception(
                "Order %s was canceled but its new session %s could not be expired",
                order.pk,
                session.id,
            )
        raise PaymentExpired
    order.stripe_session_id = session.id
    return session.url


def _cancel_if_pending(*, order: Order, only_if: dict) -> None:
    try:
        order_cancel_and_release_stock(order=order, only_if=only_if)
    except InvalidOrderTransition:
        pass  # already canceled (or paid) by someone else


def _hold_for_payment(*, order: Order) -> datetime | None:
    """When the order's Checkout Session must expire: the end of its hold, pushed
    to Stripe's minimum (30 minutes ahead) when it ends sooner; the new end is
    stored first, so the beat does not cancel the order while the shopper pays.
    None if the order is paid meanwhile; `PaymentExpired` (the order canceled) if
    the hold has already run out. No network call is made under the row lock."""
    now = timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == Order.Status.PAID:
            return None
        ran_out = locked.status != Order.Status.PENDING or (
            locked.hold_expires_at is not None and locked.hold_expires_at <= now
        )
        if not ran_out:
            hold = locked.hold_expires_at
            if hold is None or hold < now + STRIPE_MIN_SESSION_LIFETIME:
                hold = now + SESSION_STRETCHED_LIFETIME
                Order.objects.filter(pk=order.pk).update(hold_expires_at=hold)
            return hold
    _cancel_if_pending(order=order, only_if={"stripe_session_id": ""})
    raise PaymentExpired


def payment_session_expire(*, session_id: str) -> str:
    """Make a Checkout Session unpayable; returns its status afterwards: "expired"
    (now or before), or "complete" when the shopper has paid or a payment is under
    way (the webhook will tell). Stripe refuses to expire a session that is not
    open, so its answer is then read back. `stripe.StripeError` when Stripe
    cannot be reached: nothing is known, so nothing may be canceled."""
    client = stripe_client()
    try:
        session = client.v1.checkout.sessions.expire(session_id)
    except stripe.InvalidRequestError:
        try:
            session = client.v1.checkout.sessions.retrieve(session_id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                return "expired"  # Stripe has no such session: nobody can pay it
            raise
    return session.status


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
    if order.status == Order.Status.CANCELED:
        # Should not happen (a session is expired before its order is canceled),
        # but if it does the shopper paid for units that are back on sale.
        logger.error(
            "Order %s is canceled but Stripe took its payment %s: refund it in the "
            "Stripe dashboard",
            order.pk,
            session.get("payment_intent"),
        )
        return "order-canceled"
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


def _on_session_ended_unpaid(session) -> str:
    """The session expired, or its delayed payment (e.g. a bank debit) failed:
    either way it can no longer pay the order, so the order is canceled and its
    stock put back, once. Only for the session the order is tied to now: an event
    about an older session must not cancel an order that moved on to another."""
    order = _order_for_session(session)
    if order is None:
        return "unknown-order"
    if order.status != Order.Status.PENDING:
        return f"order-{order.status}"
    if session.get("id") != order.stripe_session_id:
        logger.warning(
            "Order %s: event for session %s, but its session is %s; ignored",
            order.pk,
            session.get("id"),
            order.stripe_session_id or "none",
        )
        return "other-session"
    order_cancel_and_release_stock(
        order=order, only_if={"stripe_session_id": order.stripe_session_id}
    )
    return "canceled"


def _order_for_payment(obj) -> Order | None:
    payment_intent = str(obj.get("payment_intent") or "")
    if not payment_intent:
        return None
    return Order.objects.filter(stripe_payment_intent_id=payment_intent).first()


def _on_charge_refunded(charge) -> str:
    from .refund import charge_refunded_apply  # it imports this module

    return charge_refunded_apply(charge)


def _on_refund_changed(refund) -> str:
    from .refund import refund_event_apply

    return refund_event_apply(refund)


def _on_dispute_created(dispute) -> str:
    """A chargeback: money is held back until staff answer it in Stripe."""
    order = _order_for_payment(dispute)
    if order is not None:
        order_event_record(
            order=order,
            kind=OrderEvent.Kind.DISPUTE,
            message=str(dispute.get("reason") or ""),
            dispute=str(dispute.get("id") or ""),
            amount=dispute.get("amount"),
        )
    logger.error(
        "Stripe dispute %s (%s) over %s %s on charge %s (payment %s, order %s): "
        "answer it in the Stripe dashboard",
        dispute.get("id"),
        dispute.get("reason"),
        dispute.get("amount"),
        dispute.get("currency"),
        dispute.get("charge"),
        dispute.get("payment_intent"),
        order.pk if order else "unknown",
    )
    return "dispute-logged" if order else "unknown-order"


_EVENT_HANDLERS = {
    "checkout.session.completed": _on_session_completed,
    "checkout.session.async_payment_succeeded": _on_session_completed,
    "checkout.session.async_payment_failed": _on_session_ended_unpaid,
    "checkout.session.expired": _on_session_ended_unpaid,
    "charge.refunded": _on_charge_refunded,
    "refund.created": _on_refund_changed,
    "refund.updated": _on_refund_changed,
    "charge.dispute.created": _on_dispute_created,
}
