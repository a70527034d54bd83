"""An order's mails, by kind: "confirmation" when placed, "invoice" (PDF
attached) when paid, "shipped" (carrier, tracking number and link) when staff mark
it shipped, "canceled" when it is canceled. Each kind has its task
(`order_<kind>_send`), its templates (`orders/emails/<kind>_*`), its fields
(`MAIL_FIELDS`), the statuses it is sent in (`MAIL_WHEN`) and the field the sweep
dates it by (`MAIL_SINCE`). `order_transition` queues "shipped" and "canceled"
after commit (`MAIL_ON_STATUS`).

Anyone can type any address at checkout, so confirmations to one address are
capped per hour (`ORDERS_CONFIRMATION_MAILS_PER_ADDRESS`): one over the cap stays
unsent and the sweep sends it in a later hour, unless the order has been canceled
by then. The order itself is never refused for it. For the same reason the
"canceled" mail goes only to customers who got the confirmation: an order nobody
was told about (canceled before its confirmation went out, or held back by the
cap) ends without a mail, so a stranger's unpaid orders cannot be used to mail an
address past the cap."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.mail import mail_send
from core.ratelimit import rate_limited

from ..models import Order, OrderEvent
from .history import order_event_record
from .members import order_claim_absolute_url

logger = logging.getLogger(__name__)

# A mail claimed longer ago than this is assumed lost (worker killed) and retried.
MAIL_CLAIM_LEASE = timedelta(minutes=10)
MAIL_FIELDS = {
    "confirmation": ("confirmation_claimed_at", "confirmation_sent_at"),
    "invoice": ("invoice_claimed_at", "invoice_sent_at"),
    "shipped": ("shipped_mail_claimed_at", "shipped_mail_sent_at"),
    "canceled": ("canceled_mail_claimed_at", "canceled_mail_sent_at"),
}
# No "your order is placed" mail once the order is canceled (e.g. a deferred one).
MAIL_WHEN = {
    "confirmation": ~Q(status=Order.Status.CANCELED),
    "invoice": Q(status__in=Order.PAID_STATUSES),
    # Still shipped, or delivered before the mail went out (not once refunded).
    "shipped": Q(
        status__in=(Order.Status.FULFILLED, Order.Status.DELIVERED),
        shipped_at__isnull=False,
    ),
    "canceled": Q(status=Order.Status.CANCELED, confirmation_sent_at__isnull=False),
}
# The sweep retries a mail once this field is older than its `min_age`.
MAIL_SINCE = {
    "confirmation": "created",
    "invoice": "paid_at",
    "shipped": "shipped_at",
    "canceled": "updated",
}
# The mail a status change queues (after commit), see `order_transition`.
MAIL_ON_STATUS = {
    Order.Status.FULFILLED: "shipped",
    Order.Status.CANCELED: "canceled",
}
CONFIRMATION_CAP_WINDOW = 60 * 60


def mail_enqueue(*, kind: str, order_id: int) -> bool:
    """Queue a mail task; if the broker is down, log it and let the sweep retry."""
    from .. import tasks  # the tasks call this package's services

    task = {
        "confirmation": tasks.order_confirmation_send,
        "invoice": tasks.order_invoice_send,
        "shipped": tasks.order_shipped_send,
        "canceled": tasks.order_canceled_send,
    }[kind]
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
        MAIL_WHEN[kind],
        pk=order_id,
        **{f"{sent_field}__isnull": True},
    )
    if not claim.update(**{claimed_field: now}):
        return False
    order = Order.objects.prefetch_related("items").get(pk=order_id)
    if kind == "confirmation" and _address_over_cap(order.email):
        Order.objects.filter(pk=order_id).update(**{claimed_field: None})
        logger.warning(
            "Order %s: confirmation not sent, its address got %s this hour; "
            "the sweep retries later",
            order_id,
            settings.ORDERS_CONFIRMATION_MAILS_PER_ADDRESS,
        )
        return False
    try:
        _mail_send(order=order, kind=kind)
    except BaseException:
        Order.objects.filter(pk=order_id).update(**{claimed_field: None})
        raise
    Order.objects.filter(pk=order_id).update(**{sent_field: timezone.now()})
    order_event_record(
        order=order, kind=OrderEvent.Kind.MAIL, message=f"{kind} mail", mail=kind
    )
    return True


def _address_over_cap(address: str) -> bool:
    """Count one confirmation to `address` and say whether it is over the hourly
    cap (a Redis counter shared by every worker, see `core.ratelimit`); a cap of
    0 turns it off."""
    if not settings.ORDERS_CONFIRMATION_MAILS_PER_ADDRESS:
        return False
    return rate_limited(
        "order-confirmation",
        address.strip().lower(),
        limit=settings.ORDERS_CONFIRMATION_MAILS_PER_ADDRESS,
        window=CONFIRMATION_CAP_WINDOW,
    )


def _mail_send(*, order: Order, kind: str) -> None:
    attachments = []
    if kind == "invoice":
        # Imported here: WeasyPrint adds ~20 MB and ~1 s to every process that
        # loads it, and web processes (which queue mails) never render one.
        from .invoice import invoice_render_pdf

        pdf = invoice_render_pdf(order=order)
        attachments.append((f"invoice-{order.number}.pdf", pdf, "application/pdf"))
    mail_send(
        template=f"orders/emails/{kind}",
        context={
            "order": order,
            "items": order.items.all(),
            "tracking_url": order.get_tracking_url(),
            "site_url": settings.WAGTAILADMIN_BASE_URL,
            # A guest's confirmation offers to save the order to an account.
            "claim_url": (
                order_claim_absolute_url(order=order) if kind == "confirmation" else ""
            ),
        },
        to=[order.email],
        attachments=attachments,
    )


def mail_sweep_unsent(*, min_age: timedelta = timedelta(minutes=2)) -> int:
    """Re-queue mails not sent yet and not being sent (beat runs this); the claim in
    `order_send_mail` makes an extra queued task harmless."""
    now = timezone.now()
    queued = 0
    for kind, (claimed_field, sent_field) in MAIL_FIELDS.items():
        since = MAIL_SINCE[kind]
        pending = Order.objects.filter(
            Q(**{f"{claimed_field}__isnull": True})
            | Q(**{f"{claimed_field}__lt": now - MAIL_CLAIM_LEASE}),
            MAIL_WHEN[kind],
            **{f"{sent_field}__isnull": True, f"{since}__lte": now - min_age},
        )
        for order_id in pending.values_list("id", flat=True).iterator(chunk_size=500):
            queued += mail_enqueue(kind=kind, order_id=order_id)
    return queued
