"""Journey, staff refunds: a paid order refunded in part from the admin's "Refund…"
form; Stripe (our fake server, reached by the real SDK) confirms with its signed
webhooks, delivered to the live server as Stripe does; the order then shows the
refund, its units are back in stock and the customer gets the refund mail with the
credit note."""

import re
import time
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from orders.models import Order, OrderItem, Refund
from orders.services.payment import to_cents
from orders.tests import conftest as orders_fixtures
from shop.models import Product

from .helpers import admin_login, screenshot

pytestmark = pytest.mark.e2e

fake_stripe = orders_fixtures.fake_stripe

MAIL_WAIT_SECONDS = 15


def wait_for_mail(count: int) -> list:
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return list(mail.outbox)


def paid_order(fake_stripe) -> Order:
    """A paid order of two demo products (2 + 1 units), as the payment webhook
    leaves it, whose payment the fake Stripe knows."""
    first, second = Product.objects.filter(available=True).order_by("id")[:2]
    order = Order.objects.create(
        first_name="Frances",
        last_name="Allen",
        email="frances@example.com",
        address="1 Compiler Lane",
        postal_code="10598",
        city="Yorktown",
        status=Order.Status.PAID,
        stripe_payment_intent_id="pi_e2e_refund",
    )
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            product=p,
            product_name=p.name,
            price=p.price,
            quantity=qty,
        )
        for p, qty in ((first, 2), (second, 1))
    )
    total = first.price * 2 + second.price
    Order.objects.filter(pk=order.pk).update(total=total)
    order.refresh_from_db()
    fake_stripe.add_payment("pi_e2e_refund", to_cents(total))
    return order


def test_staff_refunds_one_unit_and_stripe_confirms_it(
    page, browse, demo_site, fake_stripe, live_server, celery_worker
):
    fake_stripe.webhook_url = f"{live_server.url}/payment/webhook/"
    order = paid_order(fake_stripe)
    line = order.items.order_by("id").first()
    stock = Product.objects.get(pk=line.product_id).stock
    mail.outbox.clear()

    admin_login(page, demo_site.username, demo_site.password)
    page.goto(f"/admin/orders/order/inspect/{order.pk}/")
    page.get_by_role("link", name="Refund…").click()
    expect(page).to_have_url(re.compile(rf"/admin/orders/order/refund/{order.pk}/$"))

    # Too much first: a form error, nothing sent to Stripe.
    page.get_by_label(re.compile(r"^Amount")).fill(str(order.total + 1))
    page.get_by_role("button", name="Refund", exact=True).click()
    expect(page.locator('[data-field-error="amount"]')).to_contain_text("At most")
    assert fake_stripe.refund_requests() == []

    # One unit of the first line, back in stock.
    page.get_by_label(re.compile(r"^Amount")).fill("")
    page.get_by_label(re.compile(re.escape(line.product_name))).fill("1")
    page.get_by_label("Put the refunded units back in stock").check()
    page.get_by_role("button", name="Refund", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/inspect/{order.pk}/$"))
    expect(page.get_by_text("requested from Stripe")).to_be_visible()
    expect(page.locator("[data-refund-status]")).to_have_text("Requested")
    refund = Refund.objects.get(order=order)
    assert refund.amount == line.price and len(fake_stripe.refund_requests()) == 1
    order.refresh_from_db()
    assert order.refunded_amount == 0  # not before Stripe confirms

    # Stripe confirms: its signed webhooks reach the live server.
    fake_stripe.settle_refund(refund.stripe_refund_id)
    assert fake_stripe.webhook_responses == [200, 200]
    page.reload()
    expect(page.locator("[data-refund-status]")).to_have_text("Succeeded")
    expect(page.locator("[data-order-refunded]")).to_contain_text(
        f"Refunded: {line.price} EUR of {order.total}"
    )
    expect(page.locator("[data-order-refunded]")).to_contain_text("partially refunded")
    expect(page.get_by_role("link", name=refund.number)).to_be_visible()
    screenshot(page, "admin-order-refund")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.refunded_amount == Decimal(line.price)
    assert Product.objects.get(pk=line.product_id).stock == stock + 1
    assert list(
        order.events.filter(kind="refund").values_list("data__state", flat=True)
    ) == ["requested", "succeeded"]

    # The credit note opens for staff; the customer's mail carries it.
    pdf = page.context.request.get(refund.get_credit_note_url())
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    sent = wait_for_mail(1)
    assert [m.subject for m in sent] == [f"Refund for order {order.number}"]
    assert sent[0].attachments[0][0] == f"credit-note-{refund.number}.pdf"
