"""Refunds through Stripe's Refund API, and what Stripe's refund webhooks change.

A request (`refund_request`, by staff) is checked and written under a row lock on
the order, so two concurrent requests cannot give back more than was paid: the
amount left is `total - refunded_amount - requests still open`. Stripe is then
called outside the lock with an idempotency key per request; if it cannot be
reached (or refuses) the request is marked failed and the order is unchanged.

Nothing about the order changes on Stripe's answer to the call: only its webhooks
(`refund.created`, `refund.updated`, `charge.refunded`; signed, each event applied
once by `payment.stripe_event_process`) confirm a refund. Then, once per refund:
`Order.refunded_amount` follows Stripe's figures, a "refund" event is recorded,
the refunded units go back in stock (if asked), the customer's refund mail (with a
credit note) is queued, and a fully refunded order becomes "refunded" (or
"canceled", when staff canceled a paid order). A refund made in the Stripe
dashboard arrives the same way and gets its own `Refund` row.
"""

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.converters import id64_or_none
from core.mail import mail_send
from shop.services import product_stock_release

from ..exceptions import RefundNotSent, RefundRefused
from ..models import Order, OrderEvent, Refund
from .checkout import order_transition
from .history import order_event_record
from .mail import MAIL_CLAIM_LEASE
from .payment import stripe_client, to_cents

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Requests that still hold their amount, and refunds that gave money back.
LIVE_STATUSES = (Refund.Status.REQUESTED, Refund.Status.SUCCEEDED)
# Stripe's refund statuses → ours ("pending" and "requires_action" wait).
STRIPE_STATUSES = {
    "pending": Refund.Status.REQUESTED,
    "requires_action": Refund.Status.REQUESTED,
    "succeeded": Refund.Status.SUCCEEDED,
    "failed": Refund.Status.FAILED,
    "canceled": Refund.Status.CANCELED,
}


def from_cents(cents) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def refund_left(*, order: Order, refunds: Iterable[Refund] | None = None) -> Decimal:
    """What may still be refunded: the total less what Stripe confirmed and less the
    requests still open. `refunds`: the order's refunds if already loaded."""
    if refunds is None:
        refunds = order.refunds.filter(status=Refund.Status.REQUESTED)
    pending = sum(
        (r.amount for r in refunds if r.status == Refund.Status.REQUESTED), ZERO
    )
    return max(order.total - order.refunded_amount - pending, ZERO)


def refunded_quantities(refunds: Iterable[Refund]) -> Counter:
    """Units per order item already in a refund (requested or succeeded)."""
    counted = Counter()
    for refund in refunds:
        if refund.status in LIVE_STATUSES:
            for line in refund.lines:
                counted[line["item"]] += int(line["quantity"])
    return counted


def _lines_amount(*, order: Order, lines: list[dict]) -> Decimal:
    """The lines' cost as the customer paid it: a coupon's discount is shared out in
    proportion (cost × total / subtotal), rounded to the cent."""
    cost = sum((Decimal(line["price"]) * line["quantity"] for line in lines), ZERO)
    if order.subtotal and order.discount_amount:
        cost = cost * order.total / order.subtotal
    return cost.quantize(CENT, rounding=ROUND_HALF_UP)


def _clean_amount(amount) -> Decimal:
    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, ValueError) as exc:
        raise RefundRefused("The amount is not a number.") from exc
    if not amount.is_finite() or amount <= 0:
        raise RefundRefused("The amount must be more than zero.")
    if amount != amount.quantize(CENT):
        raise RefundRefused("The amount has more than two decimals.")
    return amount


def refund_request(
    *,
    order: Order,
    amount=None,
    lines: Iterable[tuple[int, int]] | None = None,
    restock: bool = False,
    by=None,
    cancel: bool = False,
    reason: str = "",
) -> Refund:
    """Ask Stripe to give money back on a paid order; returns the `Refund` (status
    "requested": the webhooks confirm it).

    `lines`: (order item id, quantity) pairs; `amount`: how much (defaults to the
    lines' cost as paid, or to everything left when there are no lines). `restock`
    puts the lines' units back in stock once Stripe confirms. `cancel` (staff
    canceling a paid order): everything left, every unit not refunded yet back in
    stock, and the order ends "canceled" instead of "refunded".

    Raises `RefundRefused` (bad input or nothing left; nothing written or sent)
    and `RefundNotSent` (Stripe unreachable or refusing; the request is marked
    failed, the order unchanged).
    """
    if amount is not None:
        amount = _clean_amount(amount)
    asked = []
    for item_id, quantity in lines or ():
        if not isinstance(quantity, int) or quantity < 1:
            raise RefundRefused("Quantities must be whole numbers of at least 1.")
        asked.append((item_id, quantity))
    if restock and not asked and not cancel:
        raise RefundRefused("Restocking needs the quantities that come back.")
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in Order.PAID_STATUSES:
            raise RefundRefused(
                f"Order {locked.number} is {locked.get_status_display().lower()}: "
                "only paid orders can be refunded."
            )
        if not locked.stripe_payment_intent_id:
            raise RefundRefused(
                f"Order {locked.number} has no Stripe payment to refund."
            )
        refunds = list(locked.refunds.all())
        left = refund_left(order=locked, refunds=refunds)
        if left <= 0:
            raise RefundRefused(f"Order {locked.number} has nothing left to refund.")
        items = {item.id: item for item in locked.items.all()}
        done = refunded_quantities(refunds)
        remaining = {
            item_id: item.quantity - done[item_id] for item_id, item in items.items()
        }
        if cancel:
            asked = [(i, q) for i, q in remaining.items() if q > 0]
            amount, restock = left, True
        chosen = Counter()
        for item_id, quantity in asked:
            chosen[item_id] += quantity
        refund_lines = []
        for item_id, quantity in chosen.items():
            item = items.get(item_id)
            if item is None:
                raise RefundRefused(f"Item {item_id} is not part of this order.")
            if quantity > remaining[item_id]:
                raise RefundRefused(
                    f"{item.product_name}: {quantity} asked, but only "
                    f"{remaining[item_id]} of {item.quantity} can still be refunded."
                )
            refund_lines.append(
                {
                    "item": item.id,
                    "product": item.product_id,
                    "name": item.product_name,
                    "price": str(item.price),
                    "quantity": quantity,
                }
            )
        if amount is None:
            if refund_lines:
                covers_all = all(
                    chosen[item_id] == remaining[item_id]
                    for item_id in items
                    if remaining[item_id] > 0
                )
                amount = (
                    left
                    if covers_all
                    else _lines_amount(order=locked, lines=refund_lines)
                )
                amount = min(amount, left)
            else:
                amount = left
        if amount > left:
            raise RefundRefused(
                f"{amount} {locked.currency.upper()} is more than is left to refund "
                f"on order {locked.number} ({left} {locked.currency.upper()})."
            )
        if amount <= 0:
            raise RefundRefused("The amount must be more than zero.")
        refund = Refund.objects.create(
            order=locked,
            amount=amount,
            currency=locked.currency,
            lines=refund_lines,
            restock=restock and bool(refund_lines),
            cancels_order=cancel,
            requested_by=by if getattr(by, "is_authenticated", False) else None,
            reason=reason[:500],
        )
    _refund_send(refund=refund, payment_intent=locked.stripe_payment_intent_id, by=by)
    return refund


def _refund_send(*, refund: Refund, payment_intent: str, by=None) -> None:
    """Stripe's Refund API, outside any lock; the idempotency key makes the SDK's
    retries (and ours) one refund."""
    try:
        answer = stripe_client().v1.refunds.create(
            params={
                "payment_intent": payment_intent,
                "amount": to_cents(refund.amount),
                "reason": "requested_by_customer",
                "metadata": {
                    "order_id": str(refund.order_id),
                    "refund_id": str(refund.pk),
                },
            },
            options={"idempotency_key": f"refund-{refund.idempotency_key}"},
        )
    except stripe.StripeError as exc:
        Refund.objects.filter(
            pk=refund.pk, status=Refund.Status.REQUESTED, stripe_refund_id=None
        ).update(status=Refund.Status.FAILED, failure=str(exc)[:500])
        refund.status = Refund.Status.FAILED
        logger.warning(
            "Refund %s of order %s not sent to Stripe",
            refund.pk,
            refund.order_id,
            exc_info=True,
        )
        if isinstance(exc, stripe.APIConnectionError):
            raise RefundNotSent(
                "Stripe could not be reached: nothing was refunded and the order is "
                "unchanged. Please try again later."
            ) from exc
        raise RefundNotSent(
            "Stripe refused the refund: "
            f"{exc.user_message or exc.__class__.__name__}. The order is unchanged."
        ) from exc
    # The webhook may have been faster (it finds the row by its metadata).
    Refund.objects.filter(pk=refund.pk, stripe_refund_id=None).update(
        stripe_refund_id=answer.id
    )
    refund.stripe_refund_id = answer.id
    order_event_record(
        order=refund.order_id,
        kind=OrderEvent.Kind.REFUND,
        actor=by,
        message=f"Refund of {refund.amount} {refund.currency.upper()} requested"
        + (" (order canceled)" if refund.cancels_order else ""),
        refund=refund.pk,
        amount=str(refund.amount),
        state="requested",
    )


# --- Stripe's webhooks (called by payment.stripe_event_process, in its transaction)


def _order_for_payment_locked(obj) -> Order | None:
    payment_intent = str(obj.get("payment_intent") or "")
    if not payment_intent:
        return None
    return (
        Order.objects.select_for_update()
        .filter(stripe_payment_intent_id=payment_intent)
        .first()
    )


def refund_event_apply(refund_object: dict) -> str:
    """refund.created / refund.updated: record the refund by its Stripe id."""
    order = _order_for_payment_locked(refund_object)
    if order is None:
        logger.warning(
            "Stripe refund %s for unknown payment %s ignored",
            refund_object.get("id"),
            refund_object.get("payment_intent"),
        )
        return "unknown-order"
    status = _refund_record(order=order, refund_object=refund_object)
    _order_settle(order=order)
    return f"refund-{status}"


def charge_refunded_apply(charge: dict) -> str:
    """charge.refunded: Stripe's total refunded on the charge (`amount_refunded`),
    and its refunds when the event lists them."""
    order = _order_for_payment_locked(charge)
    if order is None:
        logger.warning(
            "Stripe refunded charge %s of unknown payment %s; ignored",
            charge.get("id"),
            charge.get("payment_intent"),
        )
        return "unknown-order"
    for refund_object in (charge.get("refunds") or {}).get("data") or []:
        _refund_record(order=order, refund_object=refund_object)
    _order_settle(
        order=order, stripe_refunded=from_cents(charge.get("amount_refunded"))
    )
    return "refund-recorded"


def _refund_record(*, order: Order, refund_object: dict) -> str:
    stripe_id = str(refund_object.get("id") or "")
    refunds = Refund.objects.select_for_update()
    refund = refunds.filter(stripe_refund_id=stripe_id).first() if stripe_id else None
    if refund is None:
        # Ours, before we stored Stripe's id (or its answer never reached us).
        ours = id64_or_none(
            str((refund_object.get("metadata") or {}).get("refund_id") or "")
        )
        if ours is not None:
            refund = refunds.filter(pk=ours, order=order, stripe_refund_id=None).first()
    if refund is None:
        # Made in the Stripe dashboard.
        refund = Refund(
            order=order,
            reason="Made in the Stripe dashboard",
            amount=from_cents(refund_object.get("amount")),
        )
    refund.stripe_refund_id = stripe_id or None
    refund.amount = from_cents(refund_object.get("amount"))
    refund.currency = str(refund_object.get("currency") or order.currency).lower()
    before = refund.status if refund.pk else None
    status = STRIPE_STATUSES.get(
        str(refund_object.get("status")), Refund.Status.REQUESTED
    )
    if before == Refund.Status.SUCCEEDED and status == Refund.Status.REQUESTED:
        status = before  # an older event arriving late
    refund.status = status
    if status == Refund.Status.FAILED:
        refund.failure = str(refund_object.get("failure_reason") or "failed at Stripe")
    if status == Refund.Status.SUCCEEDED and before != status:
        refund.confirmed_at = timezone.now()
    refund.save()
    if before == status:
        return status
    currency = refund.currency.upper()
    if status == Refund.Status.SUCCEEDED:
        order_event_record(
            order=order,
            kind=OrderEvent.Kind.REFUND,
            message=f"Refund of {refund.amount} {currency} confirmed by Stripe",
            refund=refund.pk,
            amount=str(refund.amount),
            state="succeeded",
        )
        _restock_once(refund=refund)
        refund_pk = refund.pk
        transaction.on_commit(lambda: refund_mail_enqueue(refund_id=refund_pk))
    elif status in (Refund.Status.FAILED, Refund.Status.CANCELED):
        if before == Refund.Status.SUCCEEDED:
            logger.error(
                "Stripe refund %s of order %s went from succeeded to %s: check the "
                "Stripe dashboard",
                stripe_id,
                order.pk,
                status,
            )
        order_event_record(
            order=order,
            kind=OrderEvent.Kind.REFUND,
            message=f"Refund of {refund.amount} {currency} {status} at Stripe",
            refund=refund.pk,
            amount=str(refund.amount),
            state=status,
        )
    return status


def _restock_once(*, refund: Refund) -> None:
    """Put the refund's units back, once: the conditional UPDATE of `restocked_at`
    lets only one caller through."""
    if not refund.restock or not refund.lines:
        return
    now = timezone.now()
    if not Refund.objects.filter(pk=refund.pk, restocked_at=None).update(
        restocked_at=now
    ):
        return
    refund.restocked_at = now
    for line in refund.lines:
        if line.get("product"):
            product_stock_release(
                product_id=line["product"], quantity=int(line["quantity"])
            )


def _order_settle(*, order: Order, stripe_refunded: Decimal | None = None) -> None:
    """`refunded_amount` from Stripe's figures (the confirmed refunds, or the
    charge's own total when larger, e.g. a refund we have not seen yet); a fully
    refunded order leaves the paid statuses, once."""
    order.refresh_from_db()
    confirmed = sum(
        order.refunds.filter(status=Refund.Status.SUCCEEDED).values_list(
            "amount", flat=True
        ),
        ZERO,
    )
    figure = max(confirmed, stripe_refunded or ZERO)
    if figure != order.refunded_amount:
        Order.objects.filter(pk=order.pk).update(
            refunded_amount=figure, updated=timezone.now()
        )
        order.refunded_amount = figure
    if figure < order.total or order.status not in Order.PAID_STATUSES:
        return
    canceling = order.status == Order.Status.PAID and (
        order.refunds.filter(cancels_order=True, status__in=LIVE_STATUSES).exists()
    )
    order_transition(
        order=order,
        status=Order.Status.CANCELED if canceling else Order.Status.REFUNDED,
        message=f"Refunded in full ({figure} {order.currency.upper()})",
    )


# --- The refund mail (credit note attached), once per confirmed refund


def refund_mail_enqueue(*, refund_id: int) -> bool:
    from .. import tasks

    try:
        tasks.refund_mail_send.delay(refund_id)
    except Exception:  # the broker's errors vary by transport
        logger.exception(
            "Could not queue the mail of refund %s; the sweep will retry", refund_id
        )
        return False
    return True


def _mail_due(now) -> Q:
    return Q(status=Refund.Status.SUCCEEDED, mail_sent_at=None) & (
        Q(mail_claimed_at=None) | Q(mail_claimed_at__lt=now - MAIL_CLAIM_LEASE)
    )


def refund_send_mail(*, refund_id: int) -> bool:
    """The customer's refund mail with its credit note, at most once (claimed by a
    conditional UPDATE, as the order mails are); returns whether it was sent now."""
    now = timezone.now()
    if not Refund.objects.filter(_mail_due(now), pk=refund_id).update(
        mail_claimed_at=now
    ):
        return False
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    order = refund.order
    try:
        from .invoice import credit_note_render_pdf

        pdf = credit_note_render_pdf(refund=refund)
        mail_send(
            template="orders/emails/refund",
            context={
                "order": order,
                "refund": refund,
                "site_url": settings.WAGTAILADMIN_BASE_URL,
            },
            to=[order.email],
            attachments=[(f"credit-note-{refund.number}.pdf", pdf, "application/pdf")],
        )
    except BaseException:
        Refund.objects.filter(pk=refund_id).update(mail_claimed_at=None)
        raise
    Refund.objects.filter(pk=refund_id).update(mail_sent_at=timezone.now())
    order_event_record(
        order=order,
        kind=OrderEvent.Kind.MAIL,
        message="refund mail",
        mail="refund",
        refund=refund.pk,
    )
    return True


def refund_mail_sweep(*, min_age: timedelta = timedelta(minutes=2)) -> int:
    """Re-queue refund mails not sent yet and not being sent (beat, with the order
    mails' sweep)."""
    now = timezone.now()
    due = Refund.objects.filter(_mail_due(now), confirmed_at__lte=now - min_age)
    return sum(
        refund_mail_enqueue(refund_id=refund_id)
        for refund_id in due.values_list("id", flat=True)
    )
