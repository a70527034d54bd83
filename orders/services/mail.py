"""An order's two mails, by kind: "confirmation" when placed, "invoice" (PDF
attached) when paid. Each kind has its task (`order_<kind>_send`), its templates
(`orders/emails/<kind>_*`) and its fields (`<kind>_claimed_at`, `<kind>_sent_at`)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.mail import mail_send

from ..models import Order

logger = logging.getLogger(__name__)

# A mail claimed longer ago than this is assumed lost (worker killed) and retried.
MAIL_CLAIM_LEASE = timedelta(minutes=10)
MAIL_FIELDS = {
    "confirmation": ("confirmation_claimed_at", "confirmation_sent_at"),
    "invoice": ("invoice_claimed_at", "invoice_sent_at"),
}


def mail_enqueue(*, kind: str, order_id: int) -> bool:
    """Queue a mail task; if the broker is down, log it and let the sweep retry."""
    from .. import tasks  # the tasks call this package's services

    task = {
        "confirmation": tasks.order_confirmation_send,
        "invoice": tasks.order_invoice_send,
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
        pk=order_id,
        **{f"{sent_field}__isnull": True},
    )
    if kind == "invoice":
        claim = claim.filter(status=Order.Status.PAID)
    if not claim.update(**{claimed_field: now}):
        return False
    order = Order.objects.prefetch_related("items").get(pk=order_id)
    try:
        _mail_send(order=order, kind=kind)
    except BaseException:
        Order.objects.filter(pk=order_id).update(**{claimed_field: None})
        raise
    Order.objects.filter(pk=order_id).update(**{sent_field: timezone.now()})
    return True


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
            "site_url": settings.WAGTAILADMIN_BASE_URL,
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
        since = "paid_at" if kind == "invoice" else "created"
        pending = Order.objects.filter(
            Q(**{f"{claimed_field}__isnull": True})
            | Q(**{f"{claimed_field}__lt": now - MAIL_CLAIM_LEASE}),
            **{f"{sent_field}__isnull": True, f"{since}__lte": now - min_age},
        )
        for order_id in pending.values_list("id", flat=True).iterator(chunk_size=500):
            queued += mail_enqueue(kind=kind, order_id=order_id)
    return queued
