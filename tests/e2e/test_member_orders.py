"""Journey 8, the member's orders: the demo member ann logs in, opens her order
history from the dashboard, opens a shipped order, reads its status, tracking and
timeline, and downloads its invoice (a real PDF); then opens the order the shop
refunded, reads its new status and downloads its credit note (a real PDF)."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.demo import demo_password
from orders.models import Order, OrderEvent, Refund
from orders.services.history import order_event_record

from .helpers import assert_accessible, screenshot

pytestmark = pytest.mark.e2e


def refund_in_full(order: Order) -> Refund:
    """What Stripe's confirmation leaves behind (as orders/demo.py's refunded order):
    a succeeded Refund of the whole order, the order refunded, its history."""
    confirmed = timezone.now() - timedelta(hours=1)
    refund = Refund.objects.create(
        order=order,
        amount=order.total,
        currency=order.currency,
        lines=[
            {
                "item": item.id,
                "product": item.product_id,
                "name": item.product_name,
                "price": str(item.price),
                "quantity": item.quantity,
            }
            for item in order.items.all()
        ],
        status=Refund.Status.SUCCEEDED,
        stripe_refund_id="re_e2e_member",
        reason="Arrived damaged",
        confirmed_at=confirmed,
        mail_sent_at=confirmed,
    )
    Order.objects.filter(pk=order.pk).update(
        status=Order.Status.REFUNDED, refunded_amount=order.total
    )
    order_event_record(
        order=order, kind=OrderEvent.Kind.REFUNDED, message="Refunded in full"
    )
    return refund


def test_member_opens_an_order_and_downloads_its_invoice(
    page, page_watch, browse, demo_site
):
    site = browse.base_url
    shipped = Order.objects.get(user__username="ann", status=Order.Status.FULFILLED)
    refunded = Order.objects.get(
        user__username="ann", status=Order.Status.PAID, refunded_amount__gt=0
    )
    # The shop refunded her delivered order in full since (Stripe confirmed it).
    delivered = Order.objects.get(user__username="ann", status=Order.Status.DELIVERED)
    refund = refund_in_full(delivered)

    # --- Logs in and opens the order history from the dashboard ---
    page.goto("/account/login/")
    page.get_by_label("Username or e-mail").fill("ann")
    page.get_by_label("Password").fill(demo_password("ann"))
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{site}/account/")
    page.get_by_role("link", name="Your orders").click()
    expect(page).to_have_url(f"{site}/account/orders/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your orders")
    rows = page.locator("tr[data-order]")
    expect(rows).to_have_count(Order.objects.filter(user__username="ann").count())
    expect(
        page.locator(f'tr[data-order="{refunded.number}"] [data-order-status]')
    ).to_have_text("Paid, partially refunded")
    expect(
        page.locator(f'tr[data-order="{delivered.number}"] [data-order-status]')
    ).to_have_text("Refunded")
    assert_accessible(page, "member order history")
    screenshot(page, "member-order-history")

    # --- Opens the shipped order ---
    page.get_by_role("link", name=f"Order {shipped.number}").click()
    expect(page).to_have_url(f"{site}/account/orders/{shipped.number}/")
    expect(page.locator("[data-order-status]")).to_have_text("Shipped")
    expect(page.locator("[data-tracking]")).to_have_text(shipped.tracking_number)
    expect(page.locator('[data-event="fulfilled"]')).to_be_visible()
    assert_accessible(page, "member order")
    screenshot(page, "member-order")

    # --- Downloads the invoice ---
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Invoice .* \(PDF\)$")).click()
    download = download_info.value
    assert download.suggested_filename == f"invoice-{shipped.number}.pdf"
    body = open(download.path(), "rb").read()  # noqa: SIM115 - read once
    assert body.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert shipped.number in text
    # The same URL answered with a PDF (status and content type, not just bytes).
    response = page.context.request.get(download.url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"

    # --- Opens the refunded order and downloads its credit note ---
    page.goto("/account/orders/")
    page.get_by_role("link", name=f"Order {delivered.number}").click()
    expect(page).to_have_url(f"{site}/account/orders/{delivered.number}/")
    expect(page.locator("[data-order-status]")).to_have_text("Refunded")
    expect(page.locator('[data-event="refunded"]')).to_be_visible()
    expect(page.locator('[data-document="credit-note"]')).to_have_count(1)
    assert_accessible(page, "member refunded order")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Credit note {refund.number} (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"credit-note-{refund.number}.pdf"
    body = open(download.path(), "rb").read()  # noqa: SIM115 - read once
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert refund.number in text and delivered.number in text
    assert str(delivered.total) in text
    response = page.context.request.get(download.url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert download.url.endswith(
        f"/account/orders/{delivered.number}/credit-notes/{refund.pk}.pdf"
    )

    # --- Another member's order is not found ---
    other = Order.objects.exclude(user__username="ann").first()
    page_watch.ignore(r"status of 404")
    answer = page.goto(f"/account/orders/{other.number}/")
    assert answer.status == 404
