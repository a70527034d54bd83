"""Checkout: one transaction, current prices, stock reserved, one order per form."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

from orders.exceptions import InvalidOrderTransition
from orders.models import Order
from orders.services.checkout import order_transition
from shop.models import Product
from shop.tests.factories import ProductFactory

from .factories import CUSTOMER


def add(client, product, quantity=1):
    client.post(f"/cart/add/{product.id}/", {"quantity": quantity})


def checkout(client, token=None, **overrides):
    data = {**CUSTOMER, "token": str(token or uuid.uuid4()), **overrides}
    return client.post("/orders/create/", data)


@pytest.mark.django_db
class TestCheckout:
    def test_form_page_has_labels_and_a_token(self, client):
        add(client, ProductFactory())
        html = client.get("/orders/create/").content.decode()
        assert 'for="id_email"' in html and 'name="token"' in html

    def test_empty_cart_goes_back_to_the_cart(self, client):
        response = client.get("/orders/create/")
        assert response.status_code == 302 and response["Location"] == "/cart/"

    def test_places_the_order_at_database_prices_and_reserves_stock(
        self, client, django_capture_on_commit_callbacks
    ):
        product = ProductFactory(price=Decimal("20.00"), stock=5)
        add(client, product, 2)
        session = client.session
        session[settings.CART_SESSION_ID][str(product.id)]["price"] = "0.01"
        session.save()
        with django_capture_on_commit_callbacks() as callbacks:
            response = checkout(client)
        assert response.status_code == 302
        assert response["Location"] == "/payment/process/"
        order = Order.objects.get()
        item = order.items.get()
        assert (item.price, item.quantity) == (Decimal("20.00"), 2)
        assert order.total == Decimal("40.00")
        assert order.status == Order.Status.PENDING and not order.is_paid
        assert Product.objects.get(pk=product.pk).stock == 3
        assert client.session["order_id"] == order.id
        assert client.session[settings.CART_SESSION_ID] == {}
        # The confirmation mail, queued after commit, and the page cache's second
        # invalidation (product pages show the stock).
        assert len(callbacks) == 2

    def test_double_submit_creates_one_order(self, client):
        product = ProductFactory(stock=5)
        add(client, product, 1)
        token = uuid.uuid4()
        first = checkout(client, token)
        second = checkout(client, token)
        assert first["Location"] == second["Location"] == "/payment/process/"
        assert Order.objects.count() == 1
        assert Product.objects.get(pk=product.pk).stock == 4

    def test_not_enough_stock_gives_a_message_and_writes_nothing(self, client):
        plenty = ProductFactory(stock=10)
        scarce = ProductFactory(name="Rare vase", stock=1)
        add(client, plenty, 2)
        add(client, scarce, 2)
        response = checkout(client)
        assert response["Location"] == "/cart/"
        notes = [str(m) for m in get_messages(response.wsgi_request)]
        assert any("Rare vase" in note for note in notes)
        assert Order.objects.count() == 0
        assert Product.objects.get(pk=plenty.pk).stock == 10
        assert len(client.session[settings.CART_SESSION_ID]) == 2

    def test_invalid_form_shows_errors(self, client):
        add(client, ProductFactory())
        response = checkout(client, email="not-an-email")
        assert response.status_code == 200
        assert "email" in response.context["form"].errors
        bad_token = client.post("/orders/create/", {**CUSTOMER, "token": "x"})
        assert bad_token.status_code == 200
        assert Order.objects.count() == 0

    def test_status_changes_are_checked(self):
        product = ProductFactory()
        order = Order.objects.create(**CUSTOMER)
        order.items.create(product=product, product_name="x", price=1, quantity=1)
        order_transition(order=order, status=Order.Status.CANCELED)
        with pytest.raises(InvalidOrderTransition):
            order_transition(order=order, status=Order.Status.PAID)
        assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_shoppers_race_for_the_last_unit():
    product = ProductFactory(name="Last lamp", stock=1)
    clients = [Client(), Client()]
    for shopper in clients:
        add(shopper, product, 1)
    barrier = threading.Barrier(2)
    responses = [None, None]

    def buy(index):
        try:
            barrier.wait(timeout=10)
            responses[index] = checkout(clients[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    locations = sorted(response["Location"] for response in responses)
    assert locations == ["/cart/", "/payment/process/"]
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock == 0
    loser = next(r for r in responses if r["Location"] == "/cart/")
    assert "Last lamp" in " ".join(str(m) for m in get_messages(loser.wsgi_request))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_double_submit_creates_one_order():
    """The same form posted twice at once (same browser, same token): the unique
    token lets one request place the order and the other find it."""
    product = ProductFactory(stock=5)
    first = Client()
    add(first, product, 2)
    second = Client()
    second.cookies = first.cookies
    token = uuid.uuid4()
    barrier = threading.Barrier(2)
    responses = [None, None]

    def submit(index, shopper):
        try:
            barrier.wait(timeout=10)
            responses[index] = checkout(shopper, token)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=(i, c))
        for i, c in enumerate([first, second])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r["Location"] for r in responses] == ["/payment/process/"] * 2
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock == 3
