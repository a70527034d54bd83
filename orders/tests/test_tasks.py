"""Order mails through a real Celery worker: once, and never lost."""

import io
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from mysite.celery import app
from orders import tasks
from orders.models import Order
from orders.services import mail as mail_services
from orders.tests.factories import order_with_items
from shop.tests.factories import ProductFactory

from .factories import CUSTOMER


def wait_for_mail(count: int, timeout: float = 30) -> list:
    """Wait until the worker has delivered `count` mails (or give up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(mail.outbox) < count:
        time.sleep(0.1)
    return mail.outbox


def settle(result, timeout: float = 30):
    """Wait for a queued task to finish in the worker; returns its value."""
    return result.get(timeout=timeout)


@contextmanager
def broker_down():
    """Point the already-configured Celery app at a broker that is not there."""
    saved = (app.conf.broker_url, app._pool, app.amqp._producer_pool)
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


def place_order(client) -> Order:
    product = ProductFactory(name="Brass compass", stock=3)
    client.post(f"/cart/add/{product.id}/", {"quantity": 1})
    response = client.post("/orders/create/", {**CUSTOMER, "token": str(uuid.uuid4())})
    assert response["Location"] == "/payment/process/"
    return Order.objects.get()


def test_checkout_mails_a_confirmation_once(client, celery_worker):
    order = place_order(client)
    outbox = wait_for_mail(1)
    assert len(outbox) == 1
    assert outbox[0].to == ["grace@example.com"]
    assert order.number in outbox[0].subject
    assert "Brass compass" in outbox[0].body
    # Once more through the sweep: the flag says it is sent, nothing goes out.
    settle(tasks.sweep_unsent_mail.delay(0))
    order.refresh_from_db()
    assert order.confirmation_sent_at is not None
    assert len(mail.outbox) == 1


def test_task_run_twice_sends_one_mail(celery_worker):
    order = order_with_items(1)
    first = tasks.order_confirmation_send.delay(order.id)
    second = tasks.order_confirmation_send.delay(order.id)
    assert sorted([settle(first), settle(second)]) == [False, True]
    assert len(mail.outbox) == 1


def test_broker_down_at_checkout_then_recovered_sends_one_mail(
    client, celery_worker, caplog
):
    with broker_down():
        order = place_order(client)  # saved although the mail could not be queued
    assert "sweep will retry" in caplog.text
    time.sleep(0.5)
    assert mail.outbox == []
    order.refresh_from_db()
    assert order.confirmation_sent_at is None
    assert settle(tasks.sweep_unsent_mail.delay(0)) == 1
    assert len(wait_for_mail(1)) == 1
    assert settle(tasks.sweep_unsent_mail.delay(0)) == 0
    time.sleep(0.5)
    assert len(mail.outbox) == 1


def test_paid_order_gets_the_invoice_pdf_once(celery_worker):
    order = order_with_items(2, status=Order.Status.PAID)
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now())
    assert settle(tasks.order_invoice_send.delay(order.id)) is True
    assert settle(tasks.order_invoice_send.delay(order.id)) is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    name, content, mimetype = message.attachments[0]
    assert name == f"invoice-{order.number}.pdf" and mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert order.number in text


@pytest.mark.django_db
def test_unpaid_order_gets_no_invoice():
    order = order_with_items(1)
    assert mail_services.order_send_mail(order_id=order.id, kind="invoice") is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_smtp_failure_releases_the_claim_for_a_retry(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    order = order_with_items(1)
    with pytest.raises(OSError):
        mail_services.order_send_mail(order_id=order.id, kind="confirmation")
    order.refresh_from_db()
    assert order.confirmation_claimed_at is None and order.confirmation_sent_at is None
    assert issubclass(
        ConnectionRefusedError, tasks.order_confirmation_send.autoretry_for
    )


@pytest.mark.django_db
def test_a_claim_in_progress_blocks_and_an_expired_claim_is_retried():
    order = order_with_items(1)
    Order.objects.filter(pk=order.pk).update(confirmation_claimed_at=timezone.now())
    assert (
        mail_services.order_send_mail(order_id=order.id, kind="confirmation") is False
    )
    # A worker killed mid-send leaves its claim; after the lease it is retried.
    stale = timezone.now() - mail_services.MAIL_CLAIM_LEASE - timedelta(seconds=1)
    Order.objects.filter(pk=order.pk).update(confirmation_claimed_at=stale)
    assert mail_services.order_send_mail(order_id=order.id, kind="confirmation") is True
    assert len(mail.outbox) == 1


def test_mail_tasks_are_late_acked_and_retry_with_backoff():
    for task in (tasks.order_confirmation_send, tasks.order_invoice_send):
        assert task.acks_late is True
        assert task.retry_backoff and task.max_retries >= 5
    assert "orders-sweep-unsent-mail" in app.conf.beat_schedule
