"""Order tasks: ids in, a service does the work. All are idempotent (per-mail sent
flags claimed atomically; per-order claims in Redis for recommendations), hence late
acknowledgement: a killed worker's task runs again rather than getting lost. One
task per mail kind, named after it. The beat also runs the two sweeps: unsent mail,
and expired stock holds."""

from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task
from redis.exceptions import RedisError

from .services import cancel, mail, recommendations, refund

MAIL_RETRY = {
    "acks_late": True,
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(name="orders.order_confirmation_send", **MAIL_RETRY)
def order_confirmation_send(order_id: int) -> bool:
    """Confirmation mail for a placed order."""
    return mail.order_send_mail(order_id=order_id, kind="confirmation")


@shared_task(name="orders.order_invoice_send", **MAIL_RETRY)
def order_invoice_send(order_id: int) -> bool:
    """Invoice mail (PDF attached) for a paid order."""
    return mail.order_send_mail(order_id=order_id, kind="invoice")


@shared_task(name="orders.order_shipped_send", **MAIL_RETRY)
def order_shipped_send(order_id: int) -> bool:
    """ "Your order is on its way" mail, with the carrier and tracking link."""
    return mail.order_send_mail(order_id=order_id, kind="shipped")


@shared_task(name="orders.order_canceled_send", **MAIL_RETRY)
def order_canceled_send(order_id: int) -> bool:
    """ "Your order is canceled" mail (staff cancel or unpaid in time)."""
    return mail.order_send_mail(order_id=order_id, kind="canceled")


@shared_task(name="orders.refund_mail_send", **MAIL_RETRY)
def refund_mail_send(refund_id: int) -> bool:
    """Refund mail (credit note attached) for a refund Stripe confirmed."""
    return refund.refund_send_mail(refund_id=refund_id)


@shared_task(name="orders.sweep_unsent_mail", acks_late=True)
def sweep_unsent_mail(min_age_seconds: int = 120) -> int:
    """Beat: re-queue mails lost to a broker outage or a killed worker."""
    min_age = timedelta(seconds=min_age_seconds)
    return mail.mail_sweep_unsent(min_age=min_age) + refund.refund_mail_sweep(
        min_age=min_age
    )


@shared_task(name="orders.order_holds_expire")
def order_holds_expire() -> dict[str, int]:
    """Beat: cancel pending orders whose stock hold ran out, releasing their units
    once (safe to run twice at once: each cancellation is a conditional UPDATE)."""
    return cancel.order_holds_expire()


@shared_task(
    name="orders.order_recommendations_record",
    acks_late=True,
    autoretry_for=(RedisError,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=10,
)
def order_recommendations_record(order_id: int) -> bool:
    """Bought-together scores for a paid order, counted once per order."""
    return recommendations.order_record_bought_together(order_id=order_id)
