"""Journey 7, the shopper: from a category to a paid order, a shopper who cancels, and
one who pays less with the coupon WELCOME10.

Stripe is our fake (orders/tests/fake_stripe.py), reached by the real SDK and by the
browser: its hosted page's Pay button posts a signed `checkout.session.completed`
webhook to the live server and redirects to the success page, as Stripe does.
"""

import io
import re
import time
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from coupons.models import Coupon
from orders.models import Order
from orders.services.payment import to_cents
from orders.tests import conftest as orders_fixtures

from .helpers import assert_accessible, screenshot

pytestmark = pytest.mark.e2e

# The orders app's fake Stripe server (one implementation, shared): it points the
# site's Stripe settings at itself and adds its origin to the CSP form-action.
fake_stripe = orders_fixtures.fake_stripe

MAIL_WAIT_SECONDS = 15


def wait_for_mail(count: int) -> list:
    """The Celery worker sends after the commit: poll the outbox, never sleep blind."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return list(mail.outbox)


def cart_count(page):
    return page.get_by_role("banner").locator("[data-cart-count]")


def add_to_cart(page, quantity: int) -> None:
    buy = page.get_by_role("complementary", name="Buy")
    buy.get_by_label("Quantity").fill(str(quantity))
    buy.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))


def fill_address(page, first: str, last: str, email: str) -> None:
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Address").fill("1 Market Street")
    page.get_by_label("Postal code").fill("10115")
    page.get_by_label("City").fill("Berlin")


def test_shopper_pays_for_two_products_and_another_cancels(
    page,
    browse,
    demo_site,
    fake_stripe,
    live_server,
    celery_worker,
):
    fake_stripe.webhook_url = f"{live_server.url}/payment/webhook/"
    browse.allow_origin(fake_stripe.base_url)

    # The shop, then a category from its sidebar.
    page.goto("/shop/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Products")
    assert_accessible(page, "product list")
    categories = page.get_by_role("complementary", name="Categories")
    categories.get_by_role("link", name="Kitchen").click()
    expect(page).to_have_url(re.compile(r"/shop/kitchen/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kitchen")
    products = page.get_by_role("main").get_by_role("heading", level=3)
    expect(products).to_have_count(6)
    assert_accessible(page, "category")

    # Two of the kettle…
    page.get_by_role("link", name="Copper kettle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Copper kettle")
    expect(page.get_by_text("19.90 EUR")).to_be_visible()
    assert_accessible(page, "product")
    screenshot(page, "product")
    add_to_cart(page, 2)
    expect(page.get_by_text("Copper kettle: 2 in your cart.")).to_be_visible()
    expect(cart_count(page)).to_have_text("2")

    # …and one pan from the same category.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Shop").click()
    categories.get_by_role("link", name="Kitchen").click()
    page.get_by_role("link", name="Cast iron pan").click()
    add_to_cart(page, 1)
    expect(cart_count(page)).to_have_text("3")

    # A third kettle after all: the cart updates the line and the header count.
    row = page.get_by_role("row", name=re.compile("Copper kettle"))
    row.get_by_label("Quantity of Copper kettle").fill("3")
    row.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Copper kettle: 3 in your cart.")).to_be_visible()
    expect(cart_count(page)).to_have_text("4")
    row = page.get_by_role("row", name=re.compile("Copper kettle"))
    expect(row.get_by_role("cell", name="59.70")).to_be_visible()
    expect(page.locator("[data-cart-total]")).to_have_text("104.70")
    assert_accessible(page, "cart")
    screenshot(page, "cart")

    # Checkout with the address form.
    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    summary = page.get_by_role("complementary", name="Your order")
    expect(summary.get_by_text("Total: 104.70 EUR")).to_be_visible()
    fill_address(page, "Rosa", "Shopper", "rosa@example.com")
    assert_accessible(page, "checkout")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Order \d+"))
    expect(cart_count(page)).to_have_text("0")
    assert_accessible(page, "payment")
    order_number = page.get_by_role("heading", level=1).inner_text().split()[-1]

    # Stripe's hosted page (the fake), then back to the site's success page.
    page.get_by_role("button", name="Pay now").click()
    expect(page).to_have_url(re.compile("^" + re.escape(fake_stripe.base_url)))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay 104.70 EUR")
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(re.compile(r"/payment/completed/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(
        page.get_by_text(f"Your payment went through for order {order_number}.")
    ).to_be_visible()
    assert_accessible(page, "payment success")
    screenshot(page, "payment-success")

    assert fake_stripe.webhook_responses == [200]
    order = Order.objects.get(email="rosa@example.com")
    assert order.number == order_number
    assert order.is_paid
    assert order.status == Order.Status.PAID
    assert order.total == Decimal("104.70")
    assert order.stripe_payment_intent_id.startswith("pi_")
    assert sorted((i.product_name, i.quantity) for i in order.items.all()) == [
        ("Cast iron pan", 1),
        ("Copper kettle", 3),
    ]

    # Both mails come from the real Celery worker; the invoice carries the PDF.
    sent = wait_for_mail(2)
    assert [m.to for m in sent] == [["rosa@example.com"]] * 2, sent
    by_attachments = sorted(sent, key=lambda m: len(m.attachments))
    confirmation, invoice = by_attachments
    assert order_number in confirmation.subject
    assert "3 x Copper kettle: 59.70" in confirmation.body
    assert confirmation.attachments == []
    assert order_number in invoice.subject
    [(filename, content, mimetype)] = invoice.attachments
    assert (filename, mimetype) == (f"invoice-{order_number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert order_number in text
    assert "Copper kettle" in text

    # A second shopper changes their mind on Stripe's page.
    other = browse.new_page()
    other.goto("/shop/outdoors/")
    other.get_by_role("link", name="Brass compass").click()
    add_to_cart(other, 1)
    expect(cart_count(other)).to_have_text("1")
    other.get_by_role("link", name="Check out").click()
    fill_address(other, "Carl", "Canceller", "carl@example.com")
    other.get_by_role("button", name="Place order").click()
    heading = other.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Order \d+$"))
    other_number = heading.inner_text().split()[-1]
    other.get_by_role("button", name="Pay now").click()
    expect(heading).to_have_text("Pay 42.00 EUR")
    other.get_by_role("link", name="Cancel").click()
    expect(other).to_have_url(re.compile(r"/payment/canceled/$"))
    expect(heading).to_have_text("Payment canceled")
    expect(other.get_by_text(f"Your order {other_number} is saved")).to_be_visible()
    assert_accessible(other, "payment canceled")
    canceled = Order.objects.get(email="carl@example.com")
    assert canceled.number == other_number
    assert not canceled.is_paid
    assert canceled.status == Order.Status.PENDING
    assert fake_stripe.webhook_responses == [200]  # a cancel sends no webhook

    # The saved order can still be paid: the same Stripe session is offered again.
    other.get_by_role("link", name="try paying again").click()
    expect(heading).to_have_text(f"Order {other_number}")
    other.get_by_role("button", name="Pay now").click()
    expect(heading).to_have_text("Pay 42.00 EUR")
    assert other.url == fake_stripe.sessions[canceled.stripe_session_id]["url"]
    assert len(fake_stripe.session_requests()) == 2  # one per order, none for retry


def test_shopper_applies_welcome10_and_pays_the_discounted_amount(
    page,
    browse,
    demo_site,
    fake_stripe,
    live_server,
    celery_worker,
):
    fake_stripe.webhook_url = f"{live_server.url}/payment/webhook/"
    browse.allow_origin(fake_stripe.base_url)
    welcome = Coupon.objects.get(code="WELCOME10")
    uses = welcome.uses

    # A product bought with others in the demo's paid orders shows them.
    basket = next(
        order
        for order in Order.objects.filter(status=Order.Status.PAID)
        if order.items.count() > 1
    )
    page.goto(basket.items.first().product.get_absolute_url())
    together = page.get_by_role("region", name="Often bought together")
    expect(together.get_by_role("heading", level=3).first).to_be_visible()
    assert_accessible(page, "product with recommendations")
    screenshot(page, "product-bought-together")

    # Two pens in the cart, a code that does not exist, then WELCOME10 in lower case.
    page.goto("/shop/stationery/")
    page.get_by_role("link", name="Brass fountain pen").click()
    add_to_cart(page, 2)
    expect(page.locator("[data-cart-total]")).to_have_text("118.00")
    coupon_code = page.get_by_label("Coupon code")
    coupon_code.fill("NOPE")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("There is no coupon NOPE.")).to_be_visible()
    page.get_by_label("Coupon code").fill("welcome10")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Coupon WELCOME10 applied: 10 % off.")).to_be_visible()
    expect(page.locator("[data-cart-subtotal]")).to_have_text("118.00")
    expect(page.locator("[data-cart-discount]")).to_have_text("−11.80")
    expect(page.locator("[data-cart-total]")).to_have_text("106.20")
    assert_accessible(page, "cart with coupon")
    screenshot(page, "cart-coupon")

    # Checkout shows the discounted total; Stripe's page asks for exactly that.
    page.get_by_role("link", name="Check out").click()
    summary = page.get_by_role("complementary", name="Your order")
    expect(summary.get_by_text("Coupon WELCOME10 (−10 %): −11.80 EUR")).to_be_visible()
    expect(summary.get_by_text("Total: 106.20 EUR")).to_be_visible()
    fill_address(page, "Wanda", "Welcome", "wanda@example.com")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Order \d+"))
    expect(page.locator("[data-order-discount]")).to_have_text("−11.80")
    page.get_by_role("button", name="Pay now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay 106.20 EUR")
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(re.compile(r"/payment/completed/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    assert fake_stripe.webhook_responses == [200]
    order = Order.objects.get(email="wanda@example.com")
    assert order.is_paid
    assert (order.coupon_code, order.discount_percent) == ("WELCOME10", 10)
    assert order.discount_amount == Decimal("11.80")
    assert order.total == Decimal("106.20")
    session = fake_stripe.sessions[order.stripe_session_id]
    assert session["amount_total"] == to_cents(order.total) == 10620
    assert session["total_details"]["amount_discount"] == 1180
    assert Coupon.objects.get(pk=welcome.pk).uses == uses + 1
    invoice = next(m for m in wait_for_mail(2) if m.attachments)
    assert "Coupon WELCOME10 (10 %): -11.80 EUR" in invoice.body
