"""The order's history: every status change, the placing and each mail leave one
event, with the staff member who acted."""

import uuid
from decimal import Decimal

import pytest

from gallery.tests.factories import UserFactory
from orders.exceptions import InvalidOrderTransition
from orders.models import Order, OrderEvent
from orders.services.checkout import order_transition
from orders.services.history import order_event_record
from orders.services.mail import order_send_mail
from shop.tests.factories import ProductFactory

from .factories import CUSTOMER, order_with_items


def kinds(order) -> list[str]:
    return list(order.events.values_list("kind", flat=True))


@pytest.mark.django_db
def test_checkout_records_that_the_order_was_placed(client):
    product = ProductFactory(stock=5)
    client.post(f"/cart/add/{product.id}/", {"quantity": 1})
    client.post("/orders/create/", {**CUSTOMER, "token": str(uuid.uuid4())})

    order = Order.objects.get()
    assert kinds(order) == ["placed"]


@pytest.mark.django_db
def test_each_transition_is_recorded_with_who_made_it():
    staff = UserFactory(is_staff=True)
    order = order_with_items()

    order_transition(order=order, status=Order.Status.PAID)
    order_transition(
        order=order, status=Order.Status.FULFILLED, by=staff, message="DHL 123"
    )

    events = list(order.events.all())
    assert [e.kind for e in events] == ["paid", "fulfilled"]
    assert events[0].actor is None  # the webhook, not a person
    assert events[1].actor == staff and events[1].message == "DHL 123"


@pytest.mark.django_db
def test_a_refused_transition_records_nothing():
    order = order_with_items()

    with pytest.raises(InvalidOrderTransition):
        order_transition(order=order, status=Order.Status.DELIVERED)

    assert kinds(order) == []


@pytest.mark.django_db
def test_the_state_machine_follows_shipping_and_refunds():
    status = Order.Status
    assert status.FULFILLED in Order.TRANSITIONS[status.PAID]
    assert status.DELIVERED in Order.TRANSITIONS[status.FULFILLED]
    assert status.CANCELED not in Order.TRANSITIONS[status.FULFILLED]  # shipped
    assert Order.TRANSITIONS[status.REFUNDED] == set()
    order = order_with_items(status=status.FULFILLED)
    order.refunded_amount = Decimal("5.00")
    assert order.is_paid and order.is_partially_refunded


@pytest.mark.django_db
def test_a_sent_mail_is_recorded_once(mailoutbox):
    order = order_with_items()

    assert order_send_mail(order_id=order.id, kind="confirmation")
    assert not order_send_mail(order_id=order.id, kind="confirmation")

    event = OrderEvent.objects.get(order=order)
    assert (event.kind, event.data) == ("mail", {"mail": "confirmation"})
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_an_anonymous_actor_is_stored_as_the_system():
    from django.contrib.auth.models import AnonymousUser

    order = order_with_items()
    event = order_event_record(
        order=order.id, kind=OrderEvent.Kind.NOTE, actor=AnonymousUser(), message="x"
    )
    assert event.actor is None and event.message == "x"
