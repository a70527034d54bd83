"""Business writes for orders: placing, status changes, payments, mails, invoices.
Stock is changed only through `shop.services`."""

import logging
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from shop.cart import Cart
from shop.services import product_stock_release, product_stock_reserve

from .models import Order, OrderItem, StripeEvent

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# A mail claimed longer ago than this is assumed lost (worker killed) and retried.
MAIL_CLAIM_LEASE = timedelta(minutes=10)


class InvalidOrderTransition(Exception):
    """The order cannot move from its current status to the one asked for."""


class OutOfStock(Exception):
    def __init__(self, product_name: str):
        super().__init__(f"{product_name} is sold out or has fewer units left.")
        self.product_name = product_name


class EmptyCart(Exception):
    pass


class StripeNotConfigured(Exception):
    pass


class PaymentExpired(Exception):
    """The order's Checkout Session ran out: the order is canceled, stock released."""


def to_cents(amount: Decimal) -> int:
    """Stripe's smallest currency unit, rounded with Decimal (never float)."""
    return int((amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100).to_integral())


# --- Placing orders ---


def order_create_from_cart(
    *, cart: Cart, customer: dict, token: uuid.UUID
) -> tuple[Order, bool]:
    """Place the cart as one order; returns (order, created).

    One transaction: current database prices, stock reserved per line by
    `shop.services.product_stock_reserve` (two shoppers racing for the last unit:
    one wins, the other gets `OutOfStock` and nothing is written). A second submit of
    the same form (same token) returns the first order. Mail is enqueued after commit.
    """
    existing = Order.objects.filter(checkout_token=token).first()
    if existing:
        return existing, False
    lines = cart.lines()
    if not lines:
        raise EmptyCart
    try:
        with transaction.atomic():
            order = Order.objects.create(
                checkout_token=token,
                currency=settings.STRIPE_CURRENCY.lower(),
                **customer,
            )
            items = []
            for line in sorted(lines, key=lambda line: line.product.id):
                if not product_stock_reserve(
                    product_id=line.product.id, quantity=line.quantity
                ):
                    raise OutOfStock(line.product.name)
                items.append(
                    OrderItem(
                        order=order,
                        product=line.product,
                        product_name=line.product.name,
                        price=line.product.price,
                        quantity=line.quantity,
                    )
                )
            OrderItem.objects.bulk_create(items)
            order.total = sum((item.get_cost() for item in items), Decimal("0.00"))
            order.save(update_fields=["total"])
            transaction.on_commit(
                lambda: mail_enqueue(kind="confirmation", order_id=order.id)
            )
    except IntegrityError:
        # The same form submitted twice at once: the other request placed it.
        existing = Order.objects.filter(checkout_token=token).first()
        if existing is None:
            raise
        return existing, False
    return order, True


def order_transition(*, order: Order, status: str, **changes) -> Order:
    """The one way to change an order's status: checks `Order.TRANSITIONS` and writes
    with a conditional UPDATE so two concurrent changes cannot both succeed."""
    allowed_from = [
        source for source, targets in Order.TRANSITIONS.items() if status in targets
    ]
    updated = Order.objects.filter(pk=order.pk, status__in=allowed_from).update(
        status=status, updated=timezone.now(), **changes
    )
    if not updated:
        current = list(
            Order.objects.filter(pk=order.pk).values_list("status", flat=True)
        )
        raise InvalidOrderTransition(
            f"Order {order.pk}: cannot go from {current or 'missing'} to {status}."
        )
    order.refresh_from_db()
    return order


def order_mark_paid(*, order: Order, payment_intent: str) -> Order:
    order = order_transition(
        order=order,
        status=Order.Status.PAID,
        paid=True,
        paid_at=timezone.now(),
        stripe_id=payment_intent or "",
    )
    transaction.on_commit(lambda: mail_enqueue(kind="invoice", order_id=order.id))
    return order


def order_cancel_and_release_stock(*, order: Order) -> Order:
    """Payment expired: cancel (once, by the transition) and put the units back."""
    with transaction.atomic():
        order = order_transition(order=order, status=Order.Status.CANCELED)
        for item in order.items.exclude(product=None):
            product_stock_release(product_id=item.product_id, quantity=item.quantity)
    return order


# --- Stripe ---


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise StripeNotConfigured
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
    key = f"order-{order.id}-checkout"
    session = client.v1.checkout.sessions.create(
        params=params, options={"idempotency_key": key}
    )
    Order.objects.filter(pk=order.pk).update(stripe_session_id=session.id)
    order.stripe_session_id = session.id
    return session.url


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
    reference = str(session.get("client_reference_id") or "")
    if not reference.isdigit() or int(reference) > 2**63 - 1:
        logger.warning("Stripe session %s has no usable order id", session.get("id"))
        return None
    order = Order.objects.select_for_update().filter(pk=int(reference)).first()
    if order is None:
        logger.warning(
            "Stripe session %s names unknown order %s", session.get("id"), reference
        )
    return order


def _on_session_completed(session) -> str:
    if session.get("payment_status") != "paid":
        return "not-paid-yet"
    order = _order_for_session(session)
    if order is None:
        return "unknown-order"
    if order.status != Order.Status.PENDING:
        logger.warning(
            "Order %s is %s; completed session ignored", order.pk, order.status
        )
        return f"order-{order.status}"
    expected = to_cents(order.get_total_cost())
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


# --- Mail ---

MAIL_FIELDS = {
    "confirmation": ("confirmation_claimed_at", "confirmation_sent_at"),
    "invoice": ("invoice_claimed_at", "invoice_sent_at"),
}


def mail_enqueue(*, kind: str, order_id: int) -> bool:
    """Queue a mail task; if the broker is down, log it and let the sweep retry."""
    from . import tasks

    task = {"confirmation": tasks.order_created, "invoice": tasks.payment_completed}[
        kind
    ]
    try:
        task.delay(order_id)
    except Exception:  # the broker's errors vary by transport
        logger.exception(
            "Could not queue the %s mail of order %s; the sweep will retry",
            kind,
            order_id,
        )
        return False
    return True


def order_send_mail(*, order_id: int, kind: str) -> bool:
    """Send one of an order's mails at most once; returns whether it was sent now.

    Claiming is a conditional UPDATE, so a task run twice (or by two workers) sends
    one mail. A failed send releases the claim and re-raises so the task retries; a
    worker killed mid-send leaves a claim that expires after `MAIL_CLAIM_LEASE`.
    """
    claimed_field, sent_field = MAIL_FIELDS[kind]
    now = timezone.now()
    claim = Order.objects.filter(
        Q(**{f"{claimed_field}__isnull": True})
        | Q(**{f"{claimed_field}__lt": now - MAIL_CLAIM_LEASE}),
        pk=order_id,
        **{f"{sent_field}__isnull": True},
    )
    if kind == "invoice":
        claim = claim.filter(paid=True)
    if not claim.update(**{claimed_field: now}):
        return False
    order = Order.objects.prefetch_related("items").get(pk=order_id)
    try:
        message = _build_mail(order=order, kind=kind)
        message.send()
    except BaseException:
        Order.objects.filter(pk=order_id).update(**{claimed_field: None})
        raise
    Order.objects.filter(pk=order_id).update(**{sent_field: timezone.now()})
    return True


def _build_mail(*, order: Order, kind: str) -> EmailMultiAlternatives:
    name = {"confirmation": "order_created", "invoice": "payment_completed"}[kind]
    context = {
        "order": order,
        "items": order.items.all(),
        "site_url": settings.WAGTAILADMIN_BASE_URL,
    }
    subject = render_to_string(f"orders/emails/{name}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"orders/emails/{name}_body.txt", context),
        to=[order.email],
    )
    message.attach_alternative(
        render_to_string(f"orders/emails/{name}_body.html", context), "text/html"
    )
    if kind == "invoice":
        message.attach(
            f"invoice-{order.number}.pdf",
            invoice_render_pdf(order=order),
            "application/pdf",
        )
    return message


def mail_sweep_unsent(*, min_age: timedelta = timedelta(minutes=2)) -> int:
    """Re-queue mails not sent yet and not being sent (beat runs this); the claim in
    `order_send_mail` makes an extra queued task harmless."""
    now = timezone.now()
    queued = 0
    for kind, (claimed_field, sent_field) in MAIL_FIELDS.items():
        since = "paid_at" if kind == "invoice" else "created"
        pending = Order.objects.filter(
            Q(**{f"{claimed_field}__isnull": True})
            | Q(**{f"{claimed_field}__lt": now - MAIL_CLAIM_LEASE}),
            **{f"{sent_field}__isnull": True, f"{since}__lte": now - min_age},
        )
        for order_id in pending.values_list("id", flat=True).iterator(chunk_size=500):
            queued += mail_enqueue(kind=kind, order_id=order_id)
    return queued


# --- Invoice ---


def invoice_render_pdf(*, order: Order) -> bytes:
    from .invoices import render_invoice_pdf

    return render_invoice_pdf(order)
