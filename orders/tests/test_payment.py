"""Payment page against our fake Stripe, spoken to by the real SDK over HTTP."""

from decimal import Decimal

import pytest
import requests

from orders.models import Order
from orders.services.payment import payment_checkout_session_url
from orders.tests.factories import order_with_items


def pay_session(client, order):
    session = client.session
    session["order_id"] = order.id
    session.save()


@pytest.mark.django_db
def test_without_stripe_keys_the_page_explains(client, settings):
    settings.STRIPE_SECRET_KEY = ""
    order = order_with_items(1)
    pay_session(client, order)
    for response in (client.get("/payment/process/"), client.post("/payment/process/")):
        assert response.status_code == 200
        assert "Stripe is not configured" in response.content.decode()


@pytest.mark.django_db
def test_no_order_in_session_redirects_to_shop(client):
    response = client.get("/payment/process/")
    assert response.status_code == 302 and response["Location"] == "/shop/"


@pytest.mark.django_db
def test_creates_one_checkout_session_and_reuses_it(client, fake_stripe):
    order = order_with_items(2, price=Decimal("19.99"))
    pay_session(client, order)
    assert "Pay now" in client.get("/payment/process/").content.decode()
    first = client.post("/payment/process/")
    assert first.status_code == 302
    assert first["Location"].startswith(f"{fake_stripe.base_url}/pay/cs_test_")
    created = fake_stripe.session_requests()
    assert len(created) == 1
    params, headers = created[0]["params"], created[0]["headers"]
    assert params["client_reference_id"] == str(order.id)
    assert params["success_url"] == "http://testserver/payment/completed/"
    assert params["cancel_url"] == "http://testserver/payment/canceled/"
    assert params["mode"] == "payment"
    line = params["line_items"][0]
    assert line["price_data"]["unit_amount"] == "1999"
    assert line["price_data"]["currency"] == "eur"
    assert line["quantity"] == "2"
    assert headers["Idempotency-Key"] == f"order-{order.id}-checkout"
    order.refresh_from_db()
    assert order.stripe_session_id in first["Location"]

    again = client.post("/payment/process/")
    assert again["Location"] == first["Location"]
    assert len(fake_stripe.session_requests()) == 1
    assert len(fake_stripe.session_requests("GET")) == 0  # retrieve uses /<id>


@pytest.mark.django_db
def test_stripe_unreachable_gives_a_message(client, fake_stripe, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    order = order_with_items(1)
    pay_session(client, order)
    response = client.post("/payment/process/", follow=True)
    assert response.status_code == 200
    assert "not reachable" in response.content.decode()


@pytest.mark.django_db
def test_paid_order_is_not_charged_again(client, fake_stripe):
    order = order_with_items(1, status=Order.Status.PAID)
    pay_session(client, order)
    response = client.post("/payment/process/")
    assert response.status_code == 200
    assert "This order is paid" in response.content.decode()
    assert fake_stripe.session_requests() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_hosted_page_pay_and_cancel_end_to_end(live_server, fake_stripe):
    """A browser's journey through the fake hosted page: Pay posts a signed webhook
    to our live site (the order becomes paid) and redirects to the success page."""
    fake_stripe.webhook_url = f"{live_server.url}/payment/webhook/"
    order = order_with_items(1, price=Decimal("5.00"))
    url = payment_checkout_session_url(
        order=order,
        success_url=f"{live_server.url}/payment/completed/",
        cancel_url=f"{live_server.url}/payment/canceled/",
    )
    page = requests.get(url, timeout=10)
    assert "Pay" in page.text and "Cancel" in page.text
    cancel = requests.get(f"{url}/cancel", allow_redirects=False, timeout=10)
    assert cancel.headers["Location"] == f"{live_server.url}/payment/canceled/"
    paid = requests.post(f"{url}/confirm", allow_redirects=False, timeout=30)
    assert paid.status_code == 303
    assert paid.headers["Location"] == f"{live_server.url}/payment/completed/"
    assert fake_stripe.webhook_responses == [200]
    order.refresh_from_db()
    assert order.is_paid and order.status == Order.Status.PAID
    assert order.stripe_payment_intent_id.startswith("pi_")


@pytest.mark.django_db
def test_expired_session_cancels_the_order_and_releases_stock(client, fake_stripe):
    order = order_with_items(1)
    item = order.items.get()
    stock = item.product.stock
    pay_session(client, order)
    url = client.post("/payment/process/")["Location"]
    session_id = url.rsplit("/", 1)[1]
    fake_stripe.sessions[session_id]["status"] = "expired"
    response = client.post("/payment/process/", follow=True)
    assert "ran out" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    item.product.refresh_from_db()
    assert item.product.stock == stock + item.quantity
    assert len(fake_stripe.session_requests()) == 1
