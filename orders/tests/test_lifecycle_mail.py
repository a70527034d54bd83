"""The "shipped" and "canceled" customer mails: queued after commit by the status
change, sent once (claim), text and HTML, listed in the order's history."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from orders import tasks
from orders.models import Order
from orders.services import mail as mail_services
from orders.services.cancel import order_cancel, order_holds_expire
from orders.services.checkout import order_transition
from orders.services.fulfilment import order_mark_shipped
from orders.tests.factories import order_with_items

from .test_tasks import settle, wait_for_mail

Status = Order.Status
TRACKING = {"DHL": "https://dhl.test/track?id={number}"}


def html_part(message) -> str:
    (content, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return content


def mail_events(order) -> list[dict]:
    return list(order.events.filter(kind="mail").values_list("data", flat=True))


def test_staff_ship_in_the_admin_and_the_worker_mails_the_tracking_link(
    client, celery_worker, settings
):
    settings.ORDERS_TRACKING_URLS = TRACKING
    order = order_with_items(1, status=Status.PAID, email="ada@example.com")
    client.force_login(
        get_user_model().objects.create_superuser("boss", "b@example.com", "x")
    )
    client.post(
        f"/admin/orders/order/ship/{order.pk}/",
        {"carrier": "DHL", "tracking_number": "JD0146000"},
    )
    outbox = wait_for_mail(1)
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["ada@example.com"]
    assert message.subject == f"Order {order.number} is on its way"
    assert "JD0146000" in message.body
    assert "https://dhl.test/track?id=JD0146000" in message.body
    assert 'href="https://dhl.test/track?id=JD0146000"' in html_part(message)
    order.refresh_from_db()
    assert order.shipped_mail_sent_at is not None
    assert mail_events(order) == [{"mail": "shipped"}]
    # The task again (a redelivery): nothing more.
    assert settle(tasks.order_shipped_send.delay(order.pk)) is False
    assert len(mail.outbox) == 1


def test_canceled_mail_task_run_twice_sends_one(celery_worker):
    order = order_with_items(1, status=Status.CANCELED)
    Order.objects.filter(pk=order.pk).update(confirmation_sent_at=timezone.now())
    first = tasks.order_canceled_send.delay(order.pk)
    second = tasks.order_canceled_send.delay(order.pk)
    assert sorted([settle(first), settle(second)]) == [False, True]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Order {order.number} canceled"
    assert mail_events(Order.objects.get(pk=order.pk)) == [{"mail": "canceled"}]


@pytest.mark.django_db
class TestShippedMail:
    def test_queued_on_commit_by_the_transition(
        self, django_capture_on_commit_callbacks, monkeypatch
    ):
        queued = []
        monkeypatch.setattr(
            mail_services, "mail_enqueue", lambda **kw: queued.append(kw)
        )
        order = order_with_items(1, status=Status.PAID)
        with django_capture_on_commit_callbacks(execute=True):
            order_mark_shipped(order=order, carrier="DHL", tracking_number="1")
            assert queued == []  # not before the commit
        assert queued == [{"kind": "shipped", "order_id": order.pk}]

    def test_unknown_carrier_gets_the_number_without_a_link(self, settings):
        settings.ORDERS_TRACKING_URLS = TRACKING
        order = order_with_items(1, status=Status.PAID)
        order_mark_shipped(order=order, carrier="Pigeon Post", tracking_number="PP-7")
        assert mail_services.order_send_mail(order_id=order.pk, kind="shipped")
        message = mail.outbox[0]
        assert "Pigeon Post" in message.body and "PP-7" in message.body
        assert "http" not in message.body
        assert "<a " not in html_part(message)

    def test_not_sent_for_an_order_not_shipped(self):
        order = order_with_items(1, status=Status.PAID)
        assert not mail_services.order_send_mail(order_id=order.pk, kind="shipped")
        assert mail.outbox == []

    def test_the_sweep_sends_a_lost_one_once(self, settings, monkeypatch):
        order = order_with_items(1, status=Status.PAID)
        order_mark_shipped(order=order, carrier="UPS", tracking_number="1Z9")
        Order.objects.filter(pk=order.pk).update(
            shipped_at=timezone.now() - timedelta(hours=1)
        )
        queued = []
        monkeypatch.setattr(
            mail_services, "mail_enqueue", lambda **kw: queued.append(kw) or True
        )
        assert mail_services.mail_sweep_unsent(min_age=timedelta(minutes=2)) == 1
        assert queued == [{"kind": "shipped", "order_id": order.pk}]
        assert mail_services.order_send_mail(order_id=order.pk, kind="shipped")
        queued.clear()
        assert mail_services.mail_sweep_unsent(min_age=timedelta(minutes=2)) == 0
        assert queued == [] and len(mail.outbox) == 1


@pytest.mark.django_db
class TestCanceledMail:
    def confirmed(self, **kwargs) -> Order:
        order = order_with_items(1, **kwargs)
        Order.objects.filter(pk=order.pk).update(confirmation_sent_at=timezone.now())
        order.refresh_from_db()
        return order

    def test_hold_expiry_mails_not_paid_in_time(
        self, django_capture_on_commit_callbacks, monkeypatch
    ):
        queued = []
        monkeypatch.setattr(
            mail_services, "mail_enqueue", lambda **kw: queued.append(kw)
        )
        order = self.confirmed(hold_expires_at=timezone.now() - timedelta(minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert order_holds_expire() == {"canceled": 1}
        assert queued == [{"kind": "canceled", "order_id": order.pk}]
        assert mail_services.order_send_mail(order_id=order.pk, kind="canceled")
        message = mail.outbox[0]
        assert "was not paid in time and has been canceled" in message.body
        assert "Nothing was charged" in html_part(message)

    def test_staff_cancel_mails_without_in_time(
        self, django_capture_on_commit_callbacks, monkeypatch
    ):
        queued = []
        monkeypatch.setattr(
            mail_services, "mail_enqueue", lambda **kw: queued.append(kw)
        )
        staff = get_user_model().objects.create_user("s", is_staff=True)
        order = self.confirmed(hold_expires_at=timezone.now() + timedelta(minutes=20))
        with django_capture_on_commit_callbacks(execute=True):
            order_cancel(order=order, by=staff)
        assert queued == [{"kind": "canceled", "order_id": order.pk}]
        assert mail_services.order_send_mail(order_id=order.pk, kind="canceled")
        body = mail.outbox[0].body
        assert f"Your order {order.number} has been canceled." in body
        assert "in time" not in body

    def test_no_mail_to_a_customer_never_told_of_the_order(self):
        """Canceled before its confirmation went out (or held back by the per-address
        cap): no cancel mail either, so unpaid orders cannot flood an address."""
        order = order_with_items(1)
        order_transition(order=order, status=Status.CANCELED)
        assert not mail_services.order_send_mail(order_id=order.pk, kind="canceled")
        assert mail_services.mail_sweep_unsent(min_age=timedelta(0)) == 0
        assert mail.outbox == []

    def test_not_sent_while_the_order_is_not_canceled(self):
        order = self.confirmed()
        assert not mail_services.order_send_mail(order_id=order.pk, kind="canceled")
        assert mail.outbox == []

    def test_other_transitions_queue_no_mail(
        self, django_capture_on_commit_callbacks, monkeypatch
    ):
        queued = []
        monkeypatch.setattr(
            mail_services, "mail_enqueue", lambda **kw: queued.append(kw)
        )
        order = order_with_items(1)
        with django_capture_on_commit_callbacks(execute=True):
            order_transition(order=order, status=Status.PAID)
            order_transition(order=order, status=Status.REFUNDED)
        assert queued == []
