"""Coupons at checkout and after: the discount is stored with the order, uses are
counted once (and exactly once under a race), Stripe is sent the exact amount, and
invoices, mails, CSV and the sales panel show it."""

import csv
import io
import json
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from coupons.models import Coupon
from coupons.tests.factories import CouponFactory
from orders.models import Order
from orders.services.checkout import order_cancel_and_release_stock
from orders.services.invoice import invoice_render_pdf
from orders.services.mail import order_send_mail
from orders.services.payment import payment_checkout_session_url, to_cents
from orders.tests.conftest import WEBHOOK_SECRET
from orders.tests.fake_stripe import sign_payload
from shop.models import Product
from shop.tests.factories import ProductFactory

from .concurrency import at_once
from .factories import CUSTOMER


def add(client, product, quantity=1):
    # Followed: the cart page shows (and uses up) the message.
    client.post(f"/cart/add/{product.id}/", {"quantity": quantity}, follow=True)


def apply(client, code):
    client.post("/cart/coupon/", {"code": code}, follow=True)
    return client.session.get(settings.CART_COUPON_SESSION_ID)


def checkout(client, token=None):
    return client.post(
        "/orders/create/", {**CUSTOMER, "token": str(token or uuid.uuid4())}
    )


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def post_event(client, event):
    body = json.dumps(event).encode()
    return client.post(
        "/payment/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(body, WEBHOOK_SECRET),
    )


def place(client, coupon_code="SAVE15", prices=("19.99", "5.01"), quantities=(3, 1)):
    for price, quantity in zip(prices, quantities, strict=True):
        add(client, ProductFactory(price=Decimal(price), stock=10), quantity)
    if coupon_code:
        apply(client, coupon_code)
    response = checkout(client)
    assert response["Location"] == "/payment/process/", messages_of(response)
    return Order.objects.get(pk=client.session["order_id"])


@pytest.mark.django_db
class TestCheckoutWithCoupon:
    def test_the_order_keeps_code_percent_discount_and_total(self, client):
        coupon = CouponFactory(code="SAVE15", discount=15, max_uses=5)
        order = place(client)
        # 3 × 19.99 + 5.01 = 64.98; 15 % = 9.747 → 9.75; total 55.23
        assert order.coupon == coupon
        assert (order.coupon_code, order.discount_percent) == ("SAVE15", 15)
        assert order.discount_amount == Decimal("9.75")
        assert order.total == Decimal("55.23")
        assert order.subtotal == Decimal("64.98")
        assert Coupon.objects.get(pk=coupon.pk).uses == 1
        assert client.session.get(settings.CART_COUPON_SESSION_ID) is None
        page = client.get("/payment/process/").content.decode()
        assert "Coupon SAVE15 (−15 %)" in page and "−9.75" in page
        assert "55.23 EUR" in page

    def test_editing_or_deleting_the_coupon_changes_no_placed_order(self, client):
        coupon = CouponFactory(code="SAVE15", discount=15)
        order = place(client)
        coupon.discount = 50
        coupon.code = "CHANGED"
        coupon.save()
        order.refresh_from_db()
        assert (order.coupon_code, order.discount_percent) == ("SAVE15", 15)
        assert order.total == Decimal("55.23")
        coupon.delete()
        order.refresh_from_db()
        assert order.coupon is None and order.total == Decimal("55.23")
        assert order.discount_amount == Decimal("9.75")

    def test_checkout_page_shows_the_discounted_total(self, client):
        CouponFactory(code="SAVE15", discount=15)
        add(client, ProductFactory(price=Decimal("20.00")), 2)
        apply(client, "SAVE15")
        html = client.get("/orders/create/").content.decode()
        assert "Subtotal: 40.00 EUR" in html
        assert "Coupon SAVE15 (−15 %): −6.00 EUR" in html
        assert "Total: 34.00 EUR" in html

    def test_a_coupon_used_up_meanwhile_stops_checkout_and_writes_nothing(self, client):
        coupon = CouponFactory(code="LAST", max_uses=1)
        product = ProductFactory(stock=5)
        add(client, product, 2)
        apply(client, "LAST")
        Coupon.objects.filter(pk=coupon.pk).update(uses=1)  # someone else's order
        response = checkout(client)
        assert response["Location"] == "/cart/"
        assert messages_of(response) == [
            "The coupon LAST has been used up. It was removed from your cart; please "
            "check the new total before you order."
        ]
        assert Order.objects.count() == 0
        assert Product.objects.get(pk=product.pk).stock == 5
        assert client.session.get(settings.CART_COUPON_SESSION_ID) is None
        assert len(client.session[settings.CART_SESSION_ID]) == 1  # cart kept

    def test_out_of_stock_gives_the_coupon_use_back(self, client):
        coupon = CouponFactory(code="SAVE15", discount=15, max_uses=1)
        scarce = ProductFactory(name="Rare vase", stock=1)
        add(client, scarce, 1)
        apply(client, "SAVE15")
        Product.objects.filter(pk=scarce.pk).update(stock=0)
        response = checkout(client)
        assert response["Location"] == "/cart/"
        assert Coupon.objects.get(pk=coupon.pk).uses == 0
        assert Order.objects.count() == 0

    def test_a_double_submit_uses_the_coupon_once(self, client):
        coupon = CouponFactory(code="SAVE15", discount=15)
        add(client, ProductFactory(stock=5), 1)
        apply(client, "SAVE15")
        token = uuid.uuid4()
        assert checkout(client, token)["Location"] == "/payment/process/"
        assert checkout(client, token)["Location"] == "/payment/process/"
        assert Order.objects.count() == 1
        assert Coupon.objects.get(pk=coupon.pk).uses == 1

    def test_a_canceled_unpaid_order_gives_its_use_back(self, client):
        coupon = CouponFactory(code="SAVE15", discount=15, max_uses=1)
        order = place(client)
        assert Coupon.objects.get(pk=coupon.pk).uses == 1
        order_cancel_and_release_stock(order=order)
        assert Coupon.objects.get(pk=coupon.pk).uses == 0
        order.refresh_from_db()
        assert order.status == Order.Status.CANCELED
        assert order.discount_amount == Decimal("9.75")  # the record stays

    def test_no_coupon_means_no_discount(self, client):
        order = place(client, coupon_code=None)
        assert order.coupon is None and order.coupon_code == ""
        assert order.discount_amount == Decimal("0.00")
        assert order.total == order.subtotal == Decimal("64.98")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_buyers_race_for_the_last_use_and_one_gets_it():
    coupon = CouponFactory(code="ONELEFT", discount=20, max_uses=3, uses=2)
    clients = [Client(), Client()]
    for shopper in clients:
        add(shopper, ProductFactory(price=Decimal("10.00"), stock=5), 1)
        assert apply(shopper, "oneleft") == coupon.pk
    first, second = clients
    responses = at_once(lambda: checkout(first), lambda: checkout(second))
    locations = sorted(response["Location"] for response in responses)
    assert locations == ["/cart/", "/payment/process/"]
    assert Coupon.objects.get(pk=coupon.pk).uses == 3
    [order] = Order.objects.all()
    assert order.coupon_id == coupon.pk and order.total == Decimal("8.00")
    loser = next(r for r in responses if r["Location"] == "/cart/")
    assert "The coupon ONELEFT has been used up." in messages_of(loser)[0]


@pytest.mark.django_db
class TestStripeGetsTheDiscount:
    @pytest.fixture(autouse=True)
    def _webhook_secret(self, settings):
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET

    def test_session_carries_a_one_off_coupon_for_the_exact_amount(
        self, client, fake_stripe
    ):
        CouponFactory(code="SAVE15", discount=15)
        order = place(client)
        response = client.post("/payment/process/")
        assert response.status_code == 302
        [coupon_request] = fake_stripe.coupon_requests()
        params = coupon_request["params"]
        assert params["amount_off"] == "975"
        assert (params["currency"], params["duration"]) == ("eur", "once")
        assert params["max_redemptions"] == "1"
        assert params["metadata"] == {"order_id": str(order.id), "code": "SAVE15"}
        assert (
            coupon_request["headers"]["Idempotency-Key"] == f"order-{order.id}-coupon"
        )
        [session_request] = fake_stripe.session_requests()
        stripe_coupon = session_request["params"]["discounts"][0]["coupon"]
        assert stripe_coupon in fake_stripe.coupons
        order.refresh_from_db()
        session = fake_stripe.sessions[order.stripe_session_id]
        assert session["amount_subtotal"] == 6498
        assert session["amount_total"] == to_cents(order.total) == 5523

    def test_paying_the_discounted_amount_marks_the_order_paid(
        self, client, fake_stripe
    ):
        CouponFactory(code="SAVE15", discount=15)
        order = place(client)
        url = payment_checkout_session_url(
            order=order, success_url="http://x/ok", cancel_url="http://x/no"
        )
        assert fake_stripe.sessions[order.stripe_session_id]["url"] == url
        event = fake_stripe.complete(order.stripe_session_id, deliver=False)
        assert post_event(client, event).content == b"paid"
        order.refresh_from_db()
        assert order.is_paid and order.total == Decimal("55.23")

    def test_a_session_charging_the_undiscounted_amount_leaves_the_order_unpaid(
        self, client
    ):
        CouponFactory(code="SAVE15", discount=15)
        order = place(client)
        event = {
            "id": "evt_full_price",
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": "cs_test_full",
                    "client_reference_id": str(order.id),
                    "payment_status": "paid",
                    "amount_total": to_cents(order.subtotal),
                    "currency": "eur",
                    "payment_intent": "pi_x",
                }
            },
        }
        assert post_event(client, event).content == b"amount-mismatch"
        order.refresh_from_db()
        assert order.status == Order.Status.PENDING

    def test_a_free_order_completes_without_payment(self, client, fake_stripe):
        CouponFactory(code="FREE", discount=100)
        add(client, ProductFactory(price=Decimal("12.00")), 1)
        apply(client, "FREE")
        checkout(client)
        order = Order.objects.get()
        assert order.total == Decimal("0.00")
        assert order.discount_amount == Decimal("12.00")
        client.post("/payment/process/")
        order.refresh_from_db()
        assert fake_stripe.sessions[order.stripe_session_id]["amount_total"] == 0
        event = fake_stripe.complete(order.stripe_session_id, deliver=False)
        assert event["data"]["object"]["payment_status"] == "no_payment_required"
        assert post_event(client, event).content == b"paid"
        order.refresh_from_db()
        assert order.is_paid

    def test_no_coupon_creates_no_stripe_coupon(self, client, fake_stripe):
        place(client, coupon_code=None)
        client.post("/payment/process/")
        assert fake_stripe.coupon_requests() == []
        assert "discounts" not in fake_stripe.session_requests()[0]["params"]


@pytest.mark.django_db
class TestTheDiscountIsShown:
    @pytest.fixture
    def order(self, client):
        CouponFactory(code="SAVE15", discount=15)
        return place(client)

    def test_on_the_invoice(self, order):
        reader = PdfReader(io.BytesIO(invoice_render_pdf(order=order)))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "Subtotal" in text and "64.98" in text
        assert "coupon SAVE15 (15 %)" in text and "9.75" in text
        assert "55.23 EUR" in text

    def test_in_the_mails(self, order):
        Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)
        order_send_mail(order_id=order.id, kind="confirmation")
        order_send_mail(order_id=order.id, kind="invoice")
        confirmation, invoice = mail.outbox
        assert "Subtotal: 64.98" in confirmation.body
        assert "Coupon SAVE15 (15 %): -9.75" in confirmation.body
        assert "Total: 55.23 EUR" in confirmation.body
        html = confirmation.alternatives[0][0]
        assert "Coupon SAVE15 (15 %): −9.75 EUR" in html
        assert "Coupon SAVE15 (15 %): -9.75 EUR" in invoice.body
        assert "Total paid: 55.23 EUR" in invoice.body

    def test_in_the_csv_and_the_sales_panel(self, order, client):
        Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)
        staff = get_user_model().objects.create_superuser("boss", "b@example.com", "x")
        client.force_login(staff)
        response = client.get("/admin/orders/order/?export=csv")
        body = b"".join(response.streaming_content).decode()[1:]
        header, row = list(csv.reader(io.StringIO(body)))
        row = dict(zip(header, row, strict=True))
        assert row["Subtotal"] == "64.98"
        assert (row["Coupon"], row["Discount %"]) == ("SAVE15", "15")
        assert (row["Discount"], row["Total"]) == ("9.75", "55.23")
        assert header.index("Subtotal") < header.index("Discount")
        assert header.index("Discount") < header.index("Total")
        html = client.get("/admin/").content.decode()
        assert "Coupon discounts (EUR)" in html
        assert "data-sales-discounts>9.75<" in html
        assert "data-sales-revenue>55.23<" in html
        inspect = client.get(f"/admin/orders/order/inspect/{order.pk}/")
        assert "data-order-discount>−9.75<" in inspect.content.decode()


@pytest.mark.django_db
def test_coupons_are_managed_in_the_shop_menu(client):
    staff = get_user_model().objects.create_superuser("boss", "b@example.com", "x")
    client.force_login(staff)
    assert "/admin/coupons/coupon/" in client.get("/admin/").content.decode()
    CouponFactory(code="SPRING", max_uses=10, uses=4)
    listing = client.get("/admin/coupons/coupon/").content.decode()
    assert "SPRING" in listing
    form = {
        "code": "summer-25",
        "discount": "25",
        "valid_from": "2030-06-01 00:00",
        "valid_to": "2030-08-31 23:59",
        "active": "on",
        "max_uses": "",
        "min_order_total": "30.00",
    }
    response = client.post("/admin/coupons/coupon/create/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Coupon.objects.get(code="SUMMER-25").min_order_total == Decimal("30.00")
    again = client.post("/admin/coupons/coupon/create/", {**form, "code": "Spring"})
    assert again.status_code == 200
    assert "A coupon with this code already exists." in again.content.decode()
    too_much = client.post(
        "/admin/coupons/coupon/create/", {**form, "code": "X", "discount": "150"}
    )
    assert too_much.status_code == 200 and Coupon.objects.count() == 2
