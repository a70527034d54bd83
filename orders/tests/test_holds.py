"""Stock holds: a pending order keeps its units for ORDERS_HOLD_MINUTES; the beat task
then cancels it and releases them exactly once, closing its Stripe session first."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from mysite.celery import app
from orders import tasks
from orders.models import Order
from orders.services.cancel import order_holds_expire
from orders.services.payment import payment_checkout_session_url
from orders.tests.factories import CUSTOMER, order_with_items
from shop.models import Product
from shop.tests.factories import ProductFactory

from .fake_stripe import make_event
from .test_webhook import post as post_webhook
from .test_webhook import session_object


def stock_of(order) -> dict[int, int]:
    return {
        item.product_id: Product.objects.get(pk=item.product_id).stock
        for item in order.items.all()
    }


def units(order) -> dict[int, int]:
    return {item.product_id: item.quantity for item in order.items.all()}


def released(before: dict[int, int], order) -> dict[int, int]:
    """Stock expected once the order's units are back."""
    return {pk: stock + units(order)[pk] for pk, stock in before.items()}


def held_order(*, minutes: float, session=None, fake_stripe=None) -> Order:
    """A pending order whose hold ends `minutes` from now (negative: ran out), with
    an open session at the fake Stripe when asked."""
    order = order_with_items(2)
    if session:
        url = payment_checkout_session_url(
            order=order, success_url="http://s/ok/", cancel_url="http://s/no/"
        )
        assert url.startswith(fake_stripe.base_url)
    Order.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() + timedelta(minutes=minutes)
    )
    order.refresh_from_db()
    return order


@pytest.mark.django_db
def test_checkout_holds_the_stock_for_the_configured_minutes(client, settings):
    settings.ORDERS_HOLD_MINUTES = 45
    settings.STRIPE_SECRET_KEY = "sk_test_only_shown"
    product = ProductFactory(stock=5)
    client.post(f"/cart/add/{product.id}/", {"quantity": 1})
    before = timezone.now()
    client.post("/orders/create/", {**CUSTOMER, "token": str(uuid.uuid4())})
    order = Order.objects.get()
    assert (
        before + timedelta(minutes=45)
        <= order.hold_expires_at
        <= timezone.now() + timedelta(minutes=45)
    )
    page = client.get("/payment/process/").content.decode()
    assert "We keep these items for you for another" in page
    assert "44\xa0minutes" in page or "45\xa0minutes" in page


def test_the_beat_task_cancels_expired_holds_and_releases_once(
    celery_worker, fake_stripe
):
    """Through the real worker, as beat would call it: holds that ran out end (their
    open Stripe session expired first); live holds and a session Stripe reports
    as paid (its webhook still on its way) keep their stock."""
    assert app.conf.beat_schedule["orders-expire-holds"]["task"] == (
        "orders.order_holds_expire"
    )
    no_session = held_order(minutes=-1)
    open_session = held_order(minutes=-1, session=True, fake_stripe=fake_stripe)
    paid_at_stripe = held_order(minutes=-1, session=True, fake_stripe=fake_stripe)
    fake_stripe.complete(paid_at_stripe.stripe_session_id, deliver=False)
    live = held_order(minutes=10)
    before = {o.pk: stock_of(o) for o in (no_session, open_session, paid_at_stripe)}
    live_stock = stock_of(live)

    outcome = tasks.order_holds_expire.delay().get(timeout=30)

    assert outcome == {"canceled": 2, "payment-underway": 1}
    for order in (no_session, open_session):
        order.refresh_from_db()
        assert order.status == Order.Status.CANCELED
        assert stock_of(order) == released(before[order.pk], order)
    assert fake_stripe.sessions[open_session.stripe_session_id]["status"] == "expired"
    paid_at_stripe.refresh_from_db()
    assert paid_at_stripe.status == Order.Status.PENDING
    assert stock_of(paid_at_stripe) == before[paid_at_stripe.pk]
    assert paid_at_stripe.hold_expires_at > timezone.now()  # looked at again later
    live.refresh_from_db()
    assert live.status == Order.Status.PENDING and stock_of(live) == live_stock

    # Run again: nothing more is released.
    assert tasks.order_holds_expire.delay().get(timeout=30) == {}
    for order in (no_session, open_session):
        assert stock_of(order) == released(before[order.pk], order)


@pytest.mark.django_db
def test_stripe_unreachable_keeps_orders_with_a_session_for_the_next_run(
    fake_stripe, settings
):
    with_session = held_order(minutes=-1, session=True, fake_stripe=fake_stripe)
    without = held_order(minutes=-1)
    before = stock_of(with_session)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    assert order_holds_expire() == {"stripe-unreachable": 1, "canceled": 1}
    with_session.refresh_from_db()
    assert with_session.status == Order.Status.PENDING
    assert stock_of(with_session) == before
    without.refresh_from_db()
    assert without.status == Order.Status.CANCELED


@pytest.mark.django_db
def test_a_session_stripe_no_longer_knows_is_canceled(fake_stripe):
    order = held_order(minutes=-1, session=True, fake_stripe=fake_stripe)
    del fake_stripe.sessions[order.stripe_session_id]
    assert order_holds_expire() == {"canceled": 1}


@pytest.mark.django_db
def test_orders_without_a_hold_are_left_alone():
    """Rows that never reserved stock (demo, bench) have no hold to end."""
    order = order_with_items(1)
    assert order.hold_expires_at is None
    assert order_holds_expire() == {}
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_and_the_expiry_webhook_racing_release_once(fake_stripe):
    order = held_order(minutes=-1, session=True, fake_stripe=fake_stripe)
    before = stock_of(order)
    expired = session_object(
        order, id=order.stripe_session_id, status="expired", payment_status="unpaid"
    )
    barrier = threading.Barrier(3)
    results = []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(order_holds_expire())
        finally:
            connection.close()

    def webhook():
        try:
            barrier.wait(timeout=10)
            response = post_webhook(
                Client(), make_event("checkout.session.expired", expired)
            )
            results.append(response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=f) for f in (sweep, sweep, webhook)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 3
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    assert stock_of(order) == released(before, order)


@pytest.mark.django_db
def test_an_order_whose_hold_ran_out_cannot_go_to_stripe(client, fake_stripe):
    order = held_order(minutes=-1)
    before = stock_of(order)
    session = client.session
    session["order_id"] = order.id
    session.save()
    response = client.post("/payment/process/", follow=True)
    assert "can no longer be paid" in response.content.decode()
    assert fake_stripe.session_requests() == []
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    assert stock_of(order) == released(before, order)


@pytest.mark.django_db
@pytest.mark.parametrize("minutes", [120, 10])
def test_the_checkout_session_expires_with_the_hold(client, fake_stripe, minutes):
    """Stripe takes `expires_at` 30 minutes to 24 hours ahead (the fake checks): a
    longer hold is used as it is, a shorter one is stretched, and the order's hold
    follows, so the beat leaves the shopper paying alone."""
    order = held_order(minutes=minutes)
    session = client.session
    session["order_id"] = order.id
    session.save()
    response = client.post("/payment/process/")
    assert response["Location"].startswith(fake_stripe.base_url)
    [created] = fake_stripe.session_requests()
    expires_at = int(created["params"]["expires_at"])
    order.refresh_from_db()
    assert expires_at == int(order.hold_expires_at.timestamp())
    assert expires_at - timezone.now().timestamp() >= 30 * 60
    if minutes > 30:
        assert order.hold_expires_at.timestamp() - timezone.now().timestamp() > 100 * 60
