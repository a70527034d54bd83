"""Refunds through Stripe: requests checked under a lock, the Refund API called
with an idempotency key, and the order changed only by Stripe's signed webhooks."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from orders.exceptions import RefundNotSent, RefundRefused
from orders.models import Order, OrderEvent, Refund, StripeEvent
from orders.services.refund import refund_request, refund_send_mail
from orders.tests.concurrency import at_once
from orders.tests.factories import OrderFactory, OrderItemFactory
from orders.tests.fake_stripe import make_event
from orders.tests.test_webhook import post
from shop.models import Product

pytestmark = pytest.mark.django_db

PI = "pi_paid_refunds"


@pytest.fixture
def paid_order(fake_stripe):
    """A paid order of 2 × 10.00 + 1 × 30.00 = 50.00, taken by (fake) Stripe."""
    order = OrderFactory(
        status=Order.Status.PAID, stripe_payment_intent_id=PI, total=Decimal("50.00")
    )
    OrderItemFactory(order=order, price=Decimal("10.00"), quantity=2)
    OrderItemFactory(order=order, price=Decimal("30.00"), quantity=1)
    fake_stripe.add_payment(PI, 5000)
    return order


@pytest.fixture
def deliver_to(client, fake_stripe):
    """Stripe's webhooks, signed, posted to our endpoint through the test client."""

    def deliver(events):
        return [post(client, event) for event in events]

    return deliver


def items(order):
    return list(order.items.order_by("id"))


def stock(item) -> int:
    return Product.objects.get(pk=item.product_id).stock


def test_a_partial_line_refund_is_sent_with_an_idempotency_key(paid_order, fake_stripe):
    cheap, _ = items(paid_order)
    refund = refund_request(order=paid_order, lines=[(cheap.id, 1)], restock=True)

    assert refund.amount == Decimal("10.00")
    assert refund.status == Refund.Status.REQUESTED
    (sent,) = fake_stripe.refund_requests()
    assert sent["params"]["payment_intent"] == PI
    assert sent["params"]["amount"] == "1000"
    assert sent["params"]["metadata"]["refund_id"] == str(refund.pk)
    assert sent["headers"]["Idempotency-Key"] == f"refund-{refund.idempotency_key}"
    refund.refresh_from_db()
    assert refund.stripe_refund_id in fake_stripe.refunds
    assert refund.lines == [
        {
            "item": cheap.id,
            "product": cheap.product_id,
            "name": cheap.product_name,
            "price": "10.00",
            "quantity": 1,
        }
    ]
    # Not confirmed yet: the order is as it was.
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.PAID
    assert paid_order.refunded_amount == Decimal("0.00")


def test_confirmation_records_restocks_once_and_mails(
    paid_order, fake_stripe, deliver_to, mailoutbox, django_capture_on_commit_callbacks
):
    cheap, _ = items(paid_order)
    before = stock(cheap)
    refund = refund_request(order=paid_order, lines=[(cheap.id, 2)], restock=True)
    refund.refresh_from_db()
    events = fake_stripe.settle_refund(refund.stripe_refund_id, deliver=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        responses = deliver_to(events)
        # Stripe resends both under new ids: nothing counted twice.
        resent = [make_event(e["type"], e["data"]["object"]) for e in events]
        responses += deliver_to(resent)
    assert [r.status_code for r in responses] == [200] * 4
    # One refund mail queued (the other callbacks refresh cached product pages).
    assert [c for c in callbacks if "_refund_record" in c.__qualname__] != []
    assert len([c for c in callbacks if "_refund_record" in c.__qualname__]) == 1

    refund.refresh_from_db()
    paid_order.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.confirmed_at
    assert paid_order.refunded_amount == Decimal("20.00")
    assert paid_order.status == Order.Status.PAID and paid_order.is_partially_refunded
    assert stock(cheap) == before + 2
    refund_events = paid_order.events.filter(kind=OrderEvent.Kind.REFUND)
    assert [e.data["state"] for e in refund_events] == ["requested", "succeeded"]

    assert refund_send_mail(refund_id=refund.pk)
    assert not refund_send_mail(refund_id=refund.pk)
    (mail,) = mailoutbox
    assert mail.to == [paid_order.email] and paid_order.number in mail.subject
    assert "20.00 EUR" in mail.body
    assert "20.00" in mail.alternatives[0][0]
    name, pdf, mimetype = mail.attachments[0]
    assert name == f"credit-note-{refund.number}.pdf" and mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert f"Credit note no. {refund.number}" in text and "20.00" in text
    assert paid_order.events.filter(kind="mail", data__mail="refund").count() == 1


def test_a_full_refund_marks_the_order_refunded(paid_order, fake_stripe, deliver_to):
    refund = refund_request(order=paid_order)
    assert refund.amount == Decimal("50.00") and not refund.restock
    refund.refresh_from_db()
    responses = deliver_to(
        fake_stripe.settle_refund(refund.stripe_refund_id, deliver=False)
    )
    assert [r.status_code for r in responses] == [200, 200]
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.REFUNDED
    assert paid_order.refunded_amount == Decimal("50.00")
    assert paid_order.events.filter(kind="refunded").count() == 1


def test_a_failed_refund_at_stripe_frees_its_amount(
    paid_order, fake_stripe, deliver_to
):
    refund = refund_request(order=paid_order, amount="40.00")
    with pytest.raises(RefundRefused, match="more than is left"):
        refund_request(order=paid_order, amount="10.01")
    refund.refresh_from_db()
    deliver_to(
        fake_stripe.settle_refund(refund.stripe_refund_id, "failed", deliver=False)
    )
    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED
    paid_order.refresh_from_db()
    assert paid_order.refunded_amount == 0 and paid_order.status == Order.Status.PAID
    assert refund_request(order=paid_order, amount="50.00").amount == Decimal("50.00")


def test_a_dashboard_refund_shows_up(paid_order, fake_stripe, deliver_to):
    responses = deliver_to(fake_stripe.dashboard_refund(PI, 1234, deliver=False))
    assert [r.status_code for r in responses] == [200, 200]
    refund = Refund.objects.get(order=paid_order)
    assert refund.amount == Decimal("12.34") and refund.status == "succeeded"
    assert refund.requested_by is None and refund.lines == []
    paid_order.refresh_from_db()
    assert paid_order.refunded_amount == Decimal("12.34")
    assert paid_order.status == Order.Status.PAID


def test_charge_refunded_alone_follows_stripes_figure(paid_order, client):
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": PI,
        "amount": 5000,
        "amount_refunded": 5000,
        "currency": "eur",
    }
    assert post(client, make_event("charge.refunded", charge)).content == (
        b"refund-recorded"
    )
    paid_order.refresh_from_db()
    assert paid_order.refunded_amount == Decimal("50.00")
    assert paid_order.status == Order.Status.REFUNDED


@pytest.mark.parametrize("event_type", ["charge.refunded", "refund.updated"])
def test_refund_webhooks_for_unknown_payments_are_ignored(
    client, fake_stripe, event_type
):
    obj = {
        "id": "re_x",
        "object": "refund",
        "payment_intent": "pi_nobody",
        "amount": 100,
        "amount_refunded": 100,
        "status": "succeeded",
        "currency": "eur",
    }
    response = post(client, make_event(event_type, obj))
    assert response.status_code == 200 and response.content == b"unknown-order"
    assert not Refund.objects.exists()
    assert StripeEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": "0"}, "more than zero"),
        ({"amount": "-5"}, "more than zero"),
        ({"amount": "abc"}, "not a number"),
        ({"amount": "1.001"}, "two decimals"),
        ({"amount": "50.01"}, "more than is left"),
        ({"lines": [("first", 0)]}, "at least 1"),
        ({"lines": [("first", -1)]}, "at least 1"),
        ({"lines": [("first", 3)]}, "only 2 of 2"),
        ({"lines": [(999999, 1)]}, "not part of this order"),
        ({"restock": True, "amount": "5"}, "Restocking needs"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_sent(
    paid_order, fake_stripe, kwargs, message
):
    first = items(paid_order)[0]
    if "lines" in kwargs:
        kwargs["lines"] = [
            (first.id if item == "first" else item, qty)
            for item, qty in kwargs["lines"]
        ]
    with pytest.raises(RefundRefused, match=message):
        refund_request(order=paid_order, **kwargs)
    assert not Refund.objects.exists() and fake_stripe.refund_requests() == []


def test_unpaid_orders_cannot_be_refunded(fake_stripe):
    order = OrderFactory(total=Decimal("10.00"))
    with pytest.raises(RefundRefused, match="only paid orders"):
        refund_request(order=order)
    assert fake_stripe.refund_requests() == []


def test_stripe_unreachable_marks_the_request_failed(paid_order, fake_stripe):
    fake_stripe.refunds_down = True
    with pytest.raises(RefundNotSent, match="could not be reached"):
        refund_request(order=paid_order, amount="10.00")
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.FAILED and refund.stripe_refund_id is None
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.PAID and paid_order.refunded_amount == 0
    assert not paid_order.events.exists()
    # Each retry of the SDK carried the same key: at most one refund at Stripe.
    keys = {r["headers"]["Idempotency-Key"] for r in fake_stripe.refund_requests()}
    assert keys == {f"refund-{refund.idempotency_key}"}
    fake_stripe.refunds_down = False
    assert refund_request(order=paid_order, amount="50.00").amount == Decimal("50.00")


def test_stripe_refusing_is_a_message_too(paid_order, fake_stripe):
    fake_stripe.payments[PI]["refunded"] = 5000  # refunded behind our back
    with pytest.raises(RefundNotSent, match="Stripe refused"):
        refund_request(order=paid_order, amount="10.00")
    assert Refund.objects.get().status == Refund.Status.FAILED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_requests_cannot_refund_more_than_was_paid(
    paid_order, fake_stripe
):
    def ask():
        try:
            return refund_request(order=paid_order, amount="30.00").amount
        except RefundRefused as exc:
            return str(exc)

    results = at_once(ask, ask)
    amounts = [r for r in results if isinstance(r, Decimal)]
    refused = [r for r in results if isinstance(r, str)]
    assert amounts == [Decimal("30.00")]
    assert len(refused) == 1 and "more than is left" in refused[0]
    assert Refund.objects.count() == 1 and len(fake_stripe.refund_requests()) == 1


def test_staff_requesting_is_recorded(paid_order):
    clerk = get_user_model().objects.create_user("clerk", "c@example.com", "x")
    refund = refund_request(order=paid_order, amount="5.00", by=clerk)
    assert refund.requested_by == clerk
    event = paid_order.events.get(kind="refund")
    assert event.actor == clerk and event.data["amount"] == "5.00"


def test_unsent_refund_mails_are_swept_once_confirmed(paid_order, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from orders import tasks
    from orders.services.refund import refund_mail_sweep

    queued = []
    monkeypatch.setattr(tasks.refund_mail_send, "delay", queued.append)
    long_ago = timezone.now() - timedelta(hours=1)
    due = Refund.objects.create(
        order=paid_order,
        amount=Decimal("5.00"),
        status=Refund.Status.SUCCEEDED,
        confirmed_at=long_ago,
    )
    Refund.objects.create(  # not confirmed: no mail
        order=paid_order, amount=Decimal("5.00"), confirmed_at=long_ago
    )
    Refund.objects.create(  # already sent
        order=paid_order,
        amount=Decimal("5.00"),
        status=Refund.Status.SUCCEEDED,
        confirmed_at=long_ago,
        mail_sent_at=long_ago,
    )
    assert refund_mail_sweep() == 1 and queued == [due.pk]
    assert not refund_send_mail(refund_id=Refund.objects.exclude(pk=due.pk).first().pk)


def test_cancel_confirmed_by_charge_refunded_first_ends_canceled(
    paid_order, fake_stripe, deliver_to
):
    refund = refund_request(order=paid_order, cancel=True)
    refund.refresh_from_db()
    refund_updated, charge_refunded = fake_stripe.settle_refund(
        refund.stripe_refund_id, deliver=False
    )
    deliver_to([charge_refunded])  # Stripe does not promise an order
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.CANCELED
    assert paid_order.refunded_amount == Decimal("50.00")
    deliver_to([refund_updated])
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.restocked_at
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.CANCELED
    assert paid_order.refunded_amount == Decimal("50.00")
