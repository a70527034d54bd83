"""Journey: a staff member ships a paid order from the admin (carrier and tracking
number, a mistake first), sees it on the order's timeline, adds a note; the worker
mails the customer the tracking link.

Wagtail's admin is not ours to fix: its axe results are reported, not asserted.
"""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from orders.models import Order

from .helpers import admin_login, axe_violations, screenshot

pytestmark = pytest.mark.e2e

MAIL_WAIT_SECONDS = 15


def wait_for_mail(count: int) -> list:
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return list(mail.outbox)


def test_staff_marks_an_order_shipped_and_sees_it_on_the_timeline(
    page, demo_site, celery_worker, settings
):
    settings.ORDERS_TRACKING_URLS = {"DHL": "https://dhl.test/track?id={number}"}
    order = Order.objects.filter(status=Order.Status.PAID).order_by("id").first()
    assert order is not None  # the demo has paid, unshipped orders
    mail.outbox.clear()

    admin_login(page, demo_site.username, demo_site.password)
    page.goto(f"/admin/orders/order/inspect/{order.pk}/")
    timeline = page.locator("[data-order-timeline]")
    expect(timeline.locator('[data-event="paid"]')).to_have_count(1)
    expect(page.get_by_role("link", name="Mark delivered")).to_have_count(0)

    page.get_by_role("link", name="Mark shipped").click()
    expect(page).to_have_url(re.compile(rf"/admin/orders/order/ship/{order.pk}/$"))

    # A mistake first: no tracking number.
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_role("button", name="Mark shipped").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID

    page.get_by_label("Tracking number").fill("  JD0146000999 ")
    page.get_by_role("button", name="Mark shipped").click()
    expect(page).to_have_url(re.compile(rf"/admin/orders/order/inspect/{order.pk}/$"))
    expect(page.get_by_text(f"Order {order.number} marked shipped")).to_be_visible()

    shipped = timeline.locator('[data-event="fulfilled"]')
    expect(shipped).to_contain_text("DHL, tracking number JD0146000999")
    expect(shipped).to_contain_text("admin")
    expect(page.locator("[data-tracking-link]")).to_have_attribute(
        "href", "https://dhl.test/track?id=JD0146000999"
    )
    expect(page.get_by_role("link", name="Mark delivered")).to_be_visible()
    expect(page.get_by_role("link", name="Mark shipped")).to_have_count(0)

    # A note for the colleagues, on the same timeline.
    page.get_by_label("Note").fill("Parcel handed to the DHL driver.")
    page.get_by_role("button", name="Add note").click()
    expect(timeline.locator('[data-event="note"]')).to_contain_text(
        "Parcel handed to the DHL driver."
    )

    # The worker mails the customer (and the timeline lists the mail).
    outbox = wait_for_mail(1)
    assert [m.to for m in outbox] == [[order.email]]
    assert "https://dhl.test/track?id=JD0146000999" in outbox[0].body
    page.reload()
    expect(timeline.locator('[data-event="mail"]').last).to_contain_text("shipped")

    order.refresh_from_db()
    assert order.status == Order.Status.FULFILLED
    assert (order.carrier, order.tracking_number) == ("DHL", "JD0146000999")
    axe_violations(page)
    # Wagtail's admin scrolls inside its own container (a full-page shot is the
    # viewport): show the timeline.
    page.locator("#timeline").evaluate("el => el.scrollIntoView({block: 'start'})")
    screenshot(page, "order-timeline")
