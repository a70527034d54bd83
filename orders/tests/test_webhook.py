"""/payment/webhook/: signed events, processed once, amounts checked."""

import json
import logging
import time
from decimal import Decimal

import pytest

from orders.models import Order, StripeEvent
from orders.tests.conftest import WEBHOOK_SECRET
from orders.tests.factories import order_with_items
from orders.tests.fake_stripe import make_event, sign_payload
from shop.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


def session_object(order, **overrides):
    return {
        "id": "cs_test_123",
        "object": "checkout.session",
        "client_reference_id": str(order.id),
        "payment_status": "paid",
        "amount_total": int(order.total * 100),
        "currency": "eur",
        "payment_intent": "pi_test_abc",
        **overrides,
    }


def post(client, event, *, secret=WEBHOOK_SECRET, timestamp=None, signature=True):
    body = json.dumps(event).encode()
    headers = {}
    if signature:
        headers["HTTP_STRIPE_SIGNATURE"] = sign_payload(body, secret, timestamp)
    return client.post(
        "/payment/webhook/", body, content_type="application/json", **headers
    )


def completed(order, **overrides):
    return make_event("checkout.session.completed", session_object(order, **overrides))


def assert_untouched(order):
    fresh = Order.objects.get(pk=order.pk)
    assert not fresh.is_paid and fresh.status == Order.Status.PENDING
    assert fresh.stripe_payment_intent_id == ""


def test_completed_session_marks_the_order_paid(
    client, django_capture_on_commit_callbacks
):
    order = order_with_items(2)
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, completed(order))
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.is_paid and order.status == Order.Status.PAID
    assert order.stripe_payment_intent_id == "pi_test_abc" and order.paid_at is not None
    assert len(callbacks) == 2  # invoice mail and recommendations, after commit
    assert StripeEvent.objects.count() == 1


def test_missing_signature_is_400_and_changes_nothing(client):
    order = order_with_items(1)
    response = post(client, completed(order), signature=False)
    assert response.status_code == 400
    assert_untouched(order)
    assert StripeEvent.objects.count() == 0


def test_wrong_secret_is_400(client):
    order = order_with_items(1)
    assert post(client, completed(order), secret="whsec_other").status_code == 400
    assert_untouched(order)
    assert StripeEvent.objects.count() == 0


def test_stale_timestamp_is_400(client):
    order = order_with_items(1)
    stale = int(time.time()) - 3600
    assert post(client, completed(order), timestamp=stale).status_code == 400
    assert_untouched(order)


def test_tampered_body_is_400(client):
    order = order_with_items(1)
    event = completed(order)
    body = json.dumps(event).encode()
    header = sign_payload(body, WEBHOOK_SECRET)
    forged = body.replace(b'"paid"', b'"paid" ', 1)
    response = client.post(
        "/payment/webhook/",
        forged,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400
    assert_untouched(order)


def test_signed_garbage_is_400(client):
    body = b"not json"
    response = client.post(
        "/payment/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(body, WEBHOOK_SECRET),
    )
    assert response.status_code == 400


def test_unconfigured_secret_is_400(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    order = order_with_items(1)
    assert post(client, completed(order)).status_code == 400
    assert_untouched(order)


def test_replay_answers_200_and_changes_nothing(client):
    order = order_with_items(1)
    event = completed(order)
    assert post(client, event).status_code == 200
    paid_at = Order.objects.get(pk=order.pk).paid_at
    replay = post(client, event)
    assert replay.status_code == 200 and replay.content == b"replay"
    assert Order.objects.get(pk=order.pk).paid_at == paid_at
    assert StripeEvent.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [{"amount_total": 1}, {"currency": "usd"}, {"amount_total": None}],
)
def test_amount_or_currency_mismatch_is_logged_and_leaves_unpaid(
    client, caplog, overrides
):
    order = order_with_items(1)
    with caplog.at_level(logging.ERROR, logger="orders.services.payment"):
        response = post(client, completed(order, **overrides))
    assert response.status_code == 200
    assert response.content == b"amount-mismatch"
    assert_untouched(order)
    assert "left unpaid" in caplog.text


@pytest.mark.parametrize(
    "reference", ["999999", "abc", None, str(10**30), "\u00b2", "-1", " 1"]
)
def test_unknown_order_answers_200(client, reference):
    order = order_with_items(1)
    response = post(client, completed(order, client_reference_id=reference))
    assert response.status_code == 200
    assert_untouched(order)


def test_unpaid_completion_waits(client):
    order = order_with_items(1)
    response = post(client, completed(order, payment_status="unpaid"))
    assert response.status_code == 200
    assert_untouched(order)


def test_expired_session_releases_stock_once(client):
    order = order_with_items(2, stripe_session_id="cs_test_123")
    products = [item.product for item in order.items.all()]
    before = {p.pk: Product.objects.get(pk=p.pk).stock for p in products}
    expired = session_object(order, status="expired", payment_status="unpaid")
    assert (
        post(client, make_event("checkout.session.expired", expired)).status_code == 200
    )
    # Stripe may resend under a new event id: still released only once.
    assert (
        post(client, make_event("checkout.session.expired", expired)).status_code == 200
    )
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    for product in products:
        assert Product.objects.get(pk=product.pk).stock == before[product.pk] + 2


def test_out_of_order_events_do_nothing_wrong(client):
    paid_order = order_with_items(1)
    stock = Product.objects.get(pk=paid_order.items.get().product_id).stock
    post(client, completed(paid_order))
    late_expiry = make_event("checkout.session.expired", session_object(paid_order))
    assert post(client, late_expiry).status_code == 200
    paid_order.refresh_from_db()
    assert paid_order.is_paid and paid_order.status == Order.Status.PAID
    assert Product.objects.get(pk=paid_order.items.get().product_id).stock == stock

    expired_order = order_with_items(1, stripe_session_id="cs_test_123")
    post(client, make_event("checkout.session.expired", session_object(expired_order)))
    assert post(client, completed(expired_order)).status_code == 200
    expired_order.refresh_from_db()
    assert not expired_order.is_paid and expired_order.status == Order.Status.CANCELED


@pytest.mark.parametrize(
    "event_type",
    ["checkout.session.expired", "checkout.session.async_payment_failed"],
)
def test_an_event_about_an_older_session_leaves_the_order_alone(client, event_type):
    """The order moved on to another session: the old one ending must not cancel
    it (nor release its stock)."""
    order = order_with_items(1, stripe_session_id="cs_test_current")
    stock = Product.objects.get(pk=order.items.get().product_id).stock
    old = session_object(order, id="cs_test_old", payment_status="unpaid")
    response = post(client, make_event(event_type, old))
    assert response.status_code == 200 and response.content == b"other-session"
    assert_untouched(order)
    assert Product.objects.get(pk=order.items.get().product_id).stock == stock


def test_a_failed_delayed_payment_cancels_and_releases_once(client):
    """A bank debit that fails after Checkout completed: that session can no longer
    pay the order, so its stock goes back (issue 12's choice; the shopper may order
    again)."""
    order = order_with_items(2, stripe_session_id="cs_test_123")
    before = {
        i.product_id: Product.objects.get(pk=i.product_id).stock
        for i in order.items.all()
    }
    failed = session_object(order, status="complete", payment_status="unpaid")
    for _ in range(2):  # Stripe may send it again under a new id
        response = post(
            client, make_event("checkout.session.async_payment_failed", failed)
        )
        assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    for product_id, stock in before.items():
        assert Product.objects.get(pk=product_id).stock == stock + 2


def test_refunds_and_disputes_are_logged_with_their_order(client, caplog):
    order = order_with_items(1, status=Order.Status.PAID)
    Order.objects.filter(pk=order.pk).update(stripe_payment_intent_id="pi_paid_1")
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": "pi_paid_1",
        "amount": 2000,
        "amount_refunded": 500,
        "currency": "eur",
    }
    dispute = {
        "id": "dp_1",
        "object": "dispute",
        "charge": "ch_1",
        "payment_intent": "pi_paid_1",
        "amount": 2000,
        "currency": "eur",
        "reason": "fraudulent",
    }
    with caplog.at_level(logging.WARNING, logger="orders.services.payment"):
        refunded = post(client, make_event("charge.refunded", charge))
        disputed = post(client, make_event("charge.dispute.created", dispute))
        unknown = post(
            client,
            make_event("charge.refunded", {**charge, "payment_intent": "pi_nobody"}),
        )
    assert refunded.content == b"refund-recorded"  # see test_refunds.py
    assert disputed.content == b"dispute-logged"
    assert unknown.status_code == 200 and unknown.content == b"unknown-order"
    by_level = {(r.levelname, r.getMessage()) for r in caplog.records}
    assert any(
        level == "ERROR" and "dp_1" in text and f"order {order.pk}" in text
        for level, text in by_level
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PAID  # a partial refund is no status
    assert order.refunded_amount == Decimal("5.00")


def test_other_event_types_are_recorded_and_ignored(client):
    response = post(client, make_event("customer.created", {"id": "cus_1"}))
    assert response.status_code == 200 and response.content == b"ignored"


def test_webhook_is_post_only(client):
    assert client.get("/payment/webhook/").status_code == 405


def test_amounts_use_decimal_cents():
    from orders.services.payment import to_cents

    assert to_cents(Decimal("19.99")) == 1999
    assert to_cents(Decimal("0.10") * 3) == 30
    assert to_cents(Decimal("1234567890.005")) == 123456789001
